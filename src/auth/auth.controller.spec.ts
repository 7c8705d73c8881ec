import { Logger } from '@nestjs/common';
import { loadAuthConfig } from './auth-config';
import type { FastifyReply } from 'fastify';
import { AuthController } from './auth.controller';
import { AuthenticatedRequest } from './auth.decorators';
import { AuthModule } from './auth.module';
import { ExchangeDto, ExchangeResponse } from './exchange.dto';
import { MemberTokenIssuer } from './member-token';
import { MemberProfileSink } from './member-profile-sink';
import { DEV_ORG_API_KEY } from './org-keys';
import { Principal } from './principal';

const ORG: Principal = { kind: 'org', tenant: { orgId: 'acme', environment: 'live' } };
const SECRET = 'controller-spec-secret-long-enough-000';
const tokens = new MemberTokenIssuer(SECRET, 600);

function dto(values: Partial<ExchangeDto>): ExchangeDto {
  return Object.assign(new ExchangeDto(), values);
}

/** The exchange as the HTTP layer hands it over: the request (after the auth hook) and its reply. */
function exchange(controller: AuthController, body: ExchangeDto, headers = {}) {
  const request = {
    id: 'req-1',
    method: 'POST',
    url: '/v1/auth/exchange',
    headers,
    body,
    principal: ORG,
  } as unknown as AuthenticatedRequest;
  const replyHeaders: Record<string, string> = {};
  const sent: { status?: number } = {};
  const reply = {
    header(name: string, value: string) {
      replyHeaders[name] = value;
      return this;
    },
    status(code: number) {
      sent.status = code;
      return this;
    },
  } as unknown as FastifyReply;
  const answer = controller.exchange(request, reply, body) as Promise<ExchangeResponse>;
  return { answer, replyHeaders, sent };
}

/** What the profile write answered: stored, and a replay or not. */
const profileWritten = (replayed: boolean) => ({
  replayed,
  outcome: { status: 200, body: { externalUserID: 'u-1' } },
});

describe('AuthController.exchange', () => {
  it("mints a token for the org key's tenant and answers its expiry as ISO text", async () => {
    const answer = await exchange(new AuthController(tokens), dto({ externalUserID: 'u-1' }))
      .answer;
    const check = tokens.verify(answer.accessToken);
    expect(check).toMatchObject({
      ok: true,
      principal: { kind: 'member', tenant: ORG.tenant, externalUserID: 'u-1' },
    });
    expect(answer.expiresAt).toBe(check.ok && check.expiresAt.toISOString());
  });

  it('hands the profile, leaving out nulls, and the command with its key to the MEMBER_PROFILE_SINK', async () => {
    const upsertFromExchange = jest.fn<
      ReturnType<MemberProfileSink['upsertFromExchange']>,
      Parameters<MemberProfileSink['upsertFromExchange']>
    >();
    upsertFromExchange.mockResolvedValue(profileWritten(false));
    const controller = new AuthController(tokens, { upsertFromExchange });
    const { answer, replyHeaders } = exchange(
      controller,
      dto({ externalUserID: 'u-1', displayName: 'Ada', email: null, tier: 'gold' }),
      { 'idempotency-key': 'k-1' },
    );
    await answer;
    const [command, profile] = upsertFromExchange.mock.calls[0];
    expect(profile).toEqual({ externalUserID: 'u-1', displayName: 'Ada', tier: 'gold' });
    expect(command).toMatchObject({
      tenant: ORG.tenant,
      requestId: 'req-1',
      idempotency: { key: 'k-1', tenantKey: 'live.acme' },
    });
    expect(replyHeaders).toEqual({});
  });

  it('marks a replayed exchange Idempotent-Replayed and still mints a token', async () => {
    const controller = new AuthController(tokens, {
      upsertFromExchange: () => Promise.resolve(profileWritten(true)),
    });
    const { answer, replyHeaders } = exchange(controller, dto({ externalUserID: 'u-1' }), {
      'idempotency-key': 'k-1',
    });
    expect(tokens.verify((await answer).accessToken)).toMatchObject({ ok: true });
    expect(replyHeaders).toEqual({ 'Idempotent-Replayed': 'true' });
  });

  it('answers a refused profile as recorded, replay included, and mints nothing', async () => {
    const refusal = {
      error: { code: 'VALIDATION_FAILED', message: 'displayName is blank', requestId: 'req-0' },
    };
    const controller = new AuthController(tokens, {
      upsertFromExchange: () =>
        Promise.resolve({ replayed: true, outcome: { status: 422, body: refusal } }),
    });
    const { answer, replyHeaders, sent } = exchange(controller, dto({ externalUserID: 'u-1' }), {
      'idempotency-key': 'k-1',
    });
    expect(await answer).toBe(refusal);
    expect(sent.status).toBe(422);
    expect(replyHeaders).toEqual({ 'Idempotent-Replayed': 'true' });
  });

  it('mints nothing when the sink fails', async () => {
    const controller = new AuthController(tokens, {
      upsertFromExchange: () => Promise.reject(new Error('down')),
    });
    await expect(exchange(controller, dto({ externalUserID: 'u-1' })).answer).rejects.toThrow(
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
        MEMBER_TOKEN_SECRET: SECRET,
      }),
    ).onModuleInit();
    expect(warn).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith('1 API key(s) for 1 organization(s)');
  });

  it('warns when the configured keys list the published development key', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    new AuthModule(
      loadAuthConfig({
        ORG_API_KEYS: `acme:expys_live_aaaaaaaaaaaaaaaa,dev:${DEV_ORG_API_KEY}`,
        MEMBER_TOKEN_SECRET: SECRET,
      }),
    ).onModuleInit();
    expect(warn).toHaveBeenCalledWith(
      `ORG_API_KEYS lists the published development key ${DEV_ORG_API_KEY}: anybody can use it (refused when NODE_ENV=production)`,
    );
  });
});
