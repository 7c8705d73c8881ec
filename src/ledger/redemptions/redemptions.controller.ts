import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, OrgOnly } from '../../auth/auth.decorators';
import { resolveMember } from '../../auth/tenancy';
import { commandRequest, sendOutcome } from '../../shared/http/command-request';
import { NoQuery } from '../../shared/http/no-input';
import {
  ApplyHoldDto,
  CancelRedemptionDto,
  ChangeStatusDto,
  CreateRedemptionDto,
  FulfilRedemptionDto,
  RedemptionPathParams,
  ReleaseHoldDto,
  ReverseRedemptionDto,
} from './redemption.dto';
import { RedemptionCommands } from './redemption.commands';

@Controller('v1/redemptions')
export class RedemptionsController {
  constructor(private readonly redemptions: RedemptionCommands) {}

  /** Member token, or org key naming the member with `externalUserID`. */
  @Post()
  @NoQuery()
  @HttpCode(201)
  async create(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() dto: CreateRedemptionDto,
  ) {
    const command = commandRequest(req, req.body);
    const externalUserID = resolveMember(command.principal, dto.externalUserID);
    const result = await this.redemptions.create(command, externalUserID, {
      offerId: dto.offer,
      quantity: dto.quantity,
      amount: dto.amount,
      description: dto.description,
      shipping: dto.shipping && { ...dto.shipping },
      delayPointsDeduction: dto.delayPointsDeduction ?? undefined,
      holdExpiresAt: dto.holdExpiresAt ?? undefined,
    });
    return sendOutcome(reply, result);
  }

  @Post(':id/cancel')
  @NoQuery()
  @HttpCode(200)
  async cancel(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: RedemptionPathParams,
    @Body() dto: CancelRedemptionDto,
  ) {
    const command = commandRequest(req, req.body);
    const actor = command.principal.kind === 'org' ? 'org' : 'member';
    const result = await this.redemptions.cancel(command, params.id, actor, dto.reason ?? null);
    return sendOutcome(reply, result);
  }

  /** Seed 002: part or all of a redemption given back, such as a returned item. */
  @Post(':id/reverse')
  @NoQuery()
  @HttpCode(200)
  @OrgOnly()
  async reverse(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: RedemptionPathParams,
    @Body() dto: ReverseRedemptionDto,
  ) {
    const result = await this.redemptions.reverse(commandRequest(req, req.body), params.id, {
      units: dto.units ?? null,
      amount: dto.amount ?? null,
      reason: dto.reason ?? null,
    });
    return sendOutcome(reply, result);
  }

  /** Seed 003/004: a held redemption's order or payment went through; its points are debited. */
  @Post(':id/apply')
  @NoQuery()
  @HttpCode(200)
  @OrgOnly()
  async apply(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: RedemptionPathParams,
    @Body() dto: ApplyHoldDto,
  ) {
    const command = commandRequest(req, req.body);
    const result = await this.redemptions.apply(command, params.id, dto.reference ?? null);
    return sendOutcome(reply, result);
  }

  /** A held redemption given up: canceled, nothing debited. */
  @Post(':id/release')
  @NoQuery()
  @HttpCode(200)
  @OrgOnly()
  async release(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: RedemptionPathParams,
    @Body() dto: ReleaseHoldDto,
  ) {
    const command = commandRequest(req, req.body);
    const result = await this.redemptions.release(command, params.id, dto.reason ?? null);
    return sendOutcome(reply, result);
  }

  /** Seed 004: a FULFILMENT redemption shipped, with its tracking. */
  @Post(':id/fulfilment')
  @NoQuery()
  @HttpCode(200)
  @OrgOnly()
  async fulfil(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: RedemptionPathParams,
    @Body() dto: FulfilRedemptionDto,
  ) {
    const result = await this.redemptions.fulfil(commandRequest(req, req.body), params.id, {
      trackingNumber: dto.trackingNumber,
      carrier: dto.carrier ?? null,
      trackingUrl: dto.trackingUrl ?? null,
    });
    return sendOutcome(reply, result);
  }

  @Post(':id/status')
  @NoQuery()
  @HttpCode(200)
  @OrgOnly()
  async changeStatus(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: RedemptionPathParams,
    @Body() dto: ChangeStatusDto,
  ) {
    const schedule = { startAt: dto.startAt, endAt: dto.endAt };
    const result = await this.redemptions.changeStatus(
      commandRequest(req, req.body),
      params.id,
      dto.status,
      schedule,
    );
    return sendOutcome(reply, result);
  }
}
