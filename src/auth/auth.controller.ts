import { Body, Controller, HttpCode, Inject, Optional, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { JsonValue } from '../shared/domain/values';
import { commandRequest, sendOutcome } from '../shared/http/command-request';
import { NoQuery } from '../shared/http/no-input';
import { AuthenticatedRequest, OrgOnly, principalOf } from './auth.decorators';
import { ExchangeDto, ExchangeResponse, toExchangeRequest } from './exchange.dto';
import { MemberTokenIssuer } from './member-token';
import { MEMBER_PROFILE_SINK, MemberProfileSink } from './member-profile-sink';

@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly tokens: MemberTokenIssuer,
    @Optional() @Inject(MEMBER_PROFILE_SINK) private readonly profiles?: MemberProfileSink,
  ) {}

  /**
   * An org key mints a member token for one of its members, in the key's environment, after
   * recording the profile the exchange names. An Idempotency-Key covers the profile write; a
   * replay mints a fresh token, since tokens are never stored.
   */
  @Post('exchange')
  @NoQuery()
  @HttpCode(200)
  @OrgOnly()
  async exchange(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: ExchangeDto,
  ): Promise<ExchangeResponse | JsonValue> {
    const request = toExchangeRequest(body);
    if (this.profiles) {
      const profile = await this.profiles.upsertFromExchange(
        commandRequest(req, req.body),
        request,
      );
      // A refused profile is the answer, as recorded: a retry with the key gets the same bytes.
      if (profile.outcome.status >= 400) return sendOutcome(reply, profile);
      if (profile.replayed) void reply.header('Idempotent-Replayed', 'true');
    }
    const principal = principalOf(req);
    const keyId = principal.kind === 'org' ? principal.keyId : undefined;
    const minted = this.tokens.mint(principal.tenant, request.externalUserID, undefined, keyId);
    return { accessToken: minted.token, expiresAt: minted.expiresAt.toISOString() };
  }
}
