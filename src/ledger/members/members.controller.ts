import { Body, Controller, Delete, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, OrgOnly } from '../../auth/auth.decorators';
import { commandRequest, sendOutcome } from '../../shared/http/command-request';
import { definedFields } from '../../shared/http/defined-fields';
import { NoBody, NoQuery } from '../../shared/http/no-input';
import { MemberCommands } from './member.commands';
import {
  ArchiveMemberQuery,
  CreditWalletDto,
  MemberPathParams,
  UpsertMemberDto,
} from './member.dto';

@Controller('v1')
@OrgOnly()
export class MembersController {
  constructor(private readonly members: MemberCommands) {}

  @Put('members/:externalUserID')
  @NoQuery()
  async upsert(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: MemberPathParams,
    @Body() dto: UpsertMemberDto,
  ) {
    const { attributes, ...rest } = definedFields(dto);
    const profile = { ...rest, ...(attributes ? { attributes: attributes as never } : {}) };
    const result = await this.members.upsertProfile(
      commandRequest(req, req.body),
      params.externalUserID,
      profile,
    );
    return sendOutcome(reply, result);
  }

  @Delete('members/:externalUserID')
  @NoBody()
  async archive(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param() params: MemberPathParams,
    @Query() query: ArchiveMemberQuery,
  ) {
    const retainBalance = query.retainBalance === 'true';
    const result = await this.members.archive(
      commandRequest(req, null),
      params.externalUserID,
      retainBalance,
    );
    return sendOutcome(reply, result);
  }

  @Post('wallet/credit')
  @NoQuery()
  async credit(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() dto: CreditWalletDto,
  ) {
    const result = await this.members.credit(
      commandRequest(req, req.body),
      dto.externalUserID,
      dto.amount,
      dto.reason ?? null,
    );
    return sendOutcome(reply, result);
  }
}
