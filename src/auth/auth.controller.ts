import { Req, Body, Controller, HttpCode, Inject, Optional, Post } from '@nestjs/common';
import { CurrentPrincipal, OrgOnly } from './auth.decorators';
import { ExchangeDto, ExchangeResponse, toExchangeRequest } from './exchange.dto';
import { MemberTokenIssuer } from './member-token';
import { MEMBER_PROFILE_SINK, MemberProfileSink } from './member-profile-sink';
import { Principal } from './principal';

@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly tokens: MemberTokenIssuer,
    @Optional() @Inject(MEMBER_PROFILE_SINK) private readonly profiles?: MemberProfileSink,
  ) {}

  /** An org key mints a member token for one of its members, in the key's environment. */
  @Post('exchange')
  @HttpCode(200)
  @OrgOnly()
  async exchange(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ExchangeDto,
    @Req() http: { id: unknown },
  ): Promise<ExchangeResponse> {
    const request = toExchangeRequest(body);
    if (this.profiles)
      await this.profiles.upsertFromExchange(principal.tenant, request, String(http.id));
    const minted = this.tokens.mint(principal.tenant, request.externalUserID);
    return { accessToken: minted.token, expiresAt: minted.expiresAt.toISOString() };
  }
}
