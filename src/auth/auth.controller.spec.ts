import { Logger } from '@nestjs/common';
import { loadAuthConfig } from './auth-config';
import { AuthController } from './auth.controller';
import { AuthModule } from './auth.module';
import { ExchangeDto } from './exchange.dto';
import { MemberTokenIssuer } from './member-token';
import { MemberProfileSink } from './member-profile-sink';
import { Principal } from './principal';

const ORG: Principal = { kind: 'org', tenant: { orgId: 'acme', environment: 'live' } };
const HTTP = { id: 'req-1' };
const tokens = new MemberTokenIssuer('controller-spec-secret-long-enough-000', 600);

function dto(values: Partial<ExchangeDto>): ExchangeDto {
  return Object.assign(new ExchangeDto(), values);
}

describe('AuthController.exchange', () => {
  it("mints a token for the org key's tenant and answers its expiry as ISO text", async () => {
    const answer = await new AuthController(tokens).exchange(
      ORG,
      dto({ externalUserID: 'u-1' }),
      HTTP,
    );
    const check = tokens.verify(answer.accessToken);
    expect(check).toMatchObject({
      ok: true,
      principal: { kind: 'member', tenant: ORG.tenant, externalUserID: 'u-1' },
    });
    expect(answer.expiresAt).toBe(check.ok && check.expiresAt.toISOString());
  });

  it('hands the profile to the MEMBER_PROFILE_SINK when one is provided, leaving out nulls', async () => {
    const upsertFromExchange = jest.fn<
      Promise<void>,
      Parameters<MemberProfileSink['upsertFromExchange']>
    >();
    upsertFromExchange.mockResolvedValue(undefined);
    const controller = new AuthController(tokens, { upsertFromExchange });
    await controller.exchange(
      ORG,
      dto({ externalUserID: 'u-1', displayName: 'Ada', email: null, tier: 'gold' }),
      HTTP,
    );
    expect(upsertFromExchange).toHaveBeenCalledWith(
      ORG.tenant,
      {
        externalUserID: 'u-1',
        displayName: 'Ada',
        tier: 'gold',
      },
      'req-1',
    );
  });

  it('mints nothing when the sink fails', async () => {
    const controller = new AuthController(tokens, {
      upsertFromExchange: () => Promise.reject(new Error('down')),
    });
    await expect(controller.exchange(ORG, dto({ externalUserID: 'u-1' }), HTTP)).rejects.toThrow(
      'down',
    );
  });
});

describe('AuthModule start-up log', () => {
  afterEach(() => jest.restoreAllMocks());

  it('warns about development defaults, naming the development key', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    new AuthModule(loadAuthConfig({})).onModuleInit();
    expect(warn.mock.calls.map((call) => String(call[0])).join('\n')).toMatch(
      /ORG_API_KEYS is not set.*dev-org.*expys_sandbox_dev_0000000000000000[\s\S]*MEMBER_TOKEN_SECRET is not set/,
    );
  });

  it('only counts keys when they are configured', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    new AuthModule(
      loadAuthConfig({
        ORG_API_KEYS: 'acme:expys_live_aaaaaaaaaaaaaaaa',
        MEMBER_TOKEN_SECRET: 'x'.repeat(32),
      }),
    ).onModuleInit();
    expect(warn).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith('1 API key(s) for 1 organization(s)');
  });
});
