import { Body, Controller, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, OrgOnly } from '../../auth/auth.decorators';
import { commandRequest, sendOutcome } from '../../shared/http/command-request';
import { definedFields } from '../../shared/http/defined-fields';
import { NoQuery } from '../../shared/http/no-input';
import { RedemptionPathParams } from '../../ledger/redemptions/redemption.dto';
import { OfferCommands } from './offer-commands.service';
import { CreateOfferDto, UpdateOfferDto } from './offer.dto';

@Controller('v1/offers')
@OrgOnly()
export class OffersController {
  constructor(private readonly offers: OfferCommands) {}

  @Post()
  @NoQuery()
  @HttpCode(201)
  async create(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() dto: CreateOfferDto,
  ) {
    const result = await this.offers.create(
      commandRequest(req, req.body),
      {
        title: dto.title,
        description: dto.description ?? null,
        shortDescription: dto.shortDescription ?? null,
        images: dto.images ?? [],
        kind: dto.kind,
        type: dto.type,
        priceModel: dto.priceModel ?? 'FIXED',
        pointsPrice: dto.pointsPrice ?? null,
        unitCost: dto.unitCost ?? null,
        minAmount: dto.minAmount ?? null,
        maxAmount: dto.maxAmount ?? null,
        pointsPerAmountUnit: dto.pointsPerAmountUnit ?? null,
        status: dto.status ?? 'ACTIVE',
        availableFrom: dto.availableFrom ?? null,
        expiresAt: dto.expiresAt ?? null,
        maxTotal: dto.maxTotal ?? null,
        maxPerMember: dto.maxPerMember,
        artifact: dto.artifact ?? 'NONE',
      },
      dto.id,
    );
    return sendOutcome(reply, result);
  }

  @Patch(':id')
  @NoQuery()
  async update(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: RedemptionPathParams,
    @Body() dto: UpdateOfferDto,
  ) {
    const result = await this.offers.update(
      commandRequest(req, req.body),
      params.id,
      definedFields(dto),
    );
    return sendOutcome(reply, result);
  }
}
