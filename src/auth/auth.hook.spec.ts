import { HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { loadAuthConfig } from './auth-config';
import {
  AuthenticatedRequest,
  OperatorOnly,
  OrgOnly,
  Public,
  RouteAccess,
} from './auth.decorators';
import { AuthHook } from './auth.hook';
import { Authenticator } from './authenticator';
import { MemberTokenIssuer } from './member-token';
import { sha256Hex } from '../shared/application/sha256';

const SANDBOX_KEY = 'expys_sandbox_acme0000000000000000';
const LIVE_KEY = 'expys_live_acme1111111111111111';
const SECRET = 'hook-spec-secret-that-is-long-enough';
const OPERATOR_KEY = 'pl_operator_hookSpecOperatorKey000000000000000';

/** The route config @nestjs/platform-fastify hands Fastify for a handler. */
const routeConfigOf = (handler: unknown): unknown =>
  Reflect.getMetadata('__fastify_route_config__', handler as object);

class Routes {
  open(): void {}
  @Public() health(): void {}
  @OrgOnly() orgOnly(): void {}
  @OperatorOnly() metrics(): void {}
}

@OrgOnly()
class OrgRoutes {
  anything(): void {}
  @Public() health(): void {}
}

/** Routes named by their access, as the hook finds it in the route config. */
const ACCESS: Record<'open' | 'health' | 'orgOnly' | 'metrics' | 'docs', RouteAccess | undefined> =
  {
    open: undefined,
    health: 'public',
    orgOnly: 'org-only',
    metrics: 'operator-only',
    docs: 'any-credential',
  };

type Headers = Record<string, string | string[] | undefined>;

function setup(orgApiKeys = `acme:${SANDBOX_KEY},acme:${LIVE_KEY}`) {
  const config = loadAuthConfig({
    ORG_API_KEYS: orgApiKeys,
    OPERATOR_API_KEYS: OPERATOR_KEY,
    MEMBER_TOKEN_SECRET: SECRET,
  });
  const tokens = new MemberTokenIssuer(config.memberTokenSecret, config.memberTokenTtlSeconds);
  const hook = new AuthHook(new Authenticator(config, tokens));
  const reply = {
    headers: {} as Record<string, string>,
    header(name: string, value: string) {
      this.headers[name] = value;
      return this;
    },
  };
  /** rawHeaders as Node gives them: names and values in turn, every header as sent. */
  function run(route: keyof typeof ACCESS, headers: Headers, rawHeaders: string[] = []) {
    const request = {
      headers,
      raw: { rawHeaders },
      routeOptions: { config: { access: ACCESS[route] } },
    };
    try {
      const authenticated = request as unknown as AuthenticatedRequest;
      hook.authorize(authenticated, reply as unknown as FastifyReply);
      const { principal, operator } = authenticated;
      return { allowed: true, principal, ...(operator ? { operator } : {}) };
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      return { status: error.getStatus(), body: error.getResponse(), principal: undefined };
    }
  }
  return { run, tokens, reply };
}

describe('@Public(), @OrgOnly() and @OperatorOnly()', () => {
  it('put the access into the Fastify route config of a route', () => {
    expect(routeConfigOf(Routes.prototype.open)).toBeUndefined();
    expect(routeConfigOf(Routes.prototype.health)).toEqual({ access: 'public' });
    expect(routeConfigOf(Routes.prototype.orgOnly)).toEqual({ access: 'org-only' });
    expect(routeConfigOf(Routes.prototype.metrics)).toEqual({ access: 'operator-only' });
  });

  it('on a controller, reach every route that names no access of its own', () => {
    expect(routeConfigOf(OrgRoutes.prototype.anything)).toEqual({ access: 'org-only' });
    expect(routeConfigOf(OrgRoutes.prototype.health)).toEqual({ access: 'public' });
  });
});

describe('AuthHook', () => {
  it('lets @Public() routes through without a credential', () => {
    const { run } = setup();
    expect(run('health', {})).toEqual({ allowed: true, principal: undefined });
  });

  it('checks a credential sent to a @Public() route, in either header', () => {
    const { run } = setup();
    const unknown = 'expys_sandbox_unknown000000000000';
    for (const headers of [{ authorization: `Bearer ${unknown}` }, { 'x-api-key': unknown }]) {
      expect(run('health', headers)).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    }
    expect(run('health', { 'x-api-key': SANDBOX_KEY }).principal).toEqual({
      kind: 'org',
      tenant: { orgId: 'acme', environment: 'sandbox' },
      keyId: sha256Hex(SANDBOX_KEY),
    });
  });

  it('answers a missing credential 401 UNAUTHORIZED with a Bearer challenge', () => {
    const { run, reply } = setup();
    expect(run('open', {})).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHORIZED', message: expect.stringMatching(/Missing credential/) },
    });
    expect(reply.headers['WWW-Authenticate']).toBe('Bearer realm="points-ledger"');
  });

  it('resolves a sandbox key to its org in sandbox and a live key to the same org in live', () => {
    const { run } = setup();
    expect(run('open', { authorization: `Bearer ${SANDBOX_KEY}` }).principal).toEqual({
      kind: 'org',
      tenant: { orgId: 'acme', environment: 'sandbox' },
      keyId: sha256Hex(SANDBOX_KEY),
    });
    expect(run('orgOnly', { 'x-api-key': LIVE_KEY }).principal).toEqual({
      kind: 'org',
      tenant: { orgId: 'acme', environment: 'live' },
      keyId: sha256Hex(LIVE_KEY),
    });
  });

  it('reads Authorization: Bearer before X-API-Key, with any scheme case', () => {
    const { run } = setup();
    const principal = run('open', {
      authorization: `bearer  ${LIVE_KEY}`,
      'x-api-key': SANDBOX_KEY,
    }).principal;
    expect(principal).toMatchObject({ tenant: { environment: 'live' } });
  });

  it('falls back to X-API-Key when Authorization is not a Bearer credential', () => {
    const { run } = setup();
    expect(
      run('open', { authorization: 'Basic Zm9vOmJhcg==', 'x-api-key': SANDBOX_KEY }),
    ).toMatchObject({ allowed: true });
  });

  it.each([
    [
      'an unknown key',
      { authorization: 'Bearer expys_sandbox_unknown000000000000' },
      /Unknown API key/,
    ],
    ['a malformed key', { 'x-api-key': 'expys_nope' }, /Unknown API key/],
    ['a non-Bearer Authorization', { authorization: `Basic ${SANDBOX_KEY}` }, /must be "Bearer/],
    ['an empty Bearer', { authorization: 'Bearer ' }, /must be "Bearer/],
    ['two Bearer words', { authorization: `Bearer ${SANDBOX_KEY} ${LIVE_KEY}` }, /must be "Bearer/],
    ['two X-API-Keys', { 'x-api-key': `${SANDBOX_KEY}, ${LIVE_KEY}` }, /exactly one/],
    ['an X-API-Key array', { 'x-api-key': [SANDBOX_KEY, LIVE_KEY] }, /exactly one/],
    // A malformed Bearer is refused, not passed over for an X-API-Key that may name another org.
    [
      'an empty Bearer beside an X-API-Key',
      { authorization: 'Bearer', 'x-api-key': SANDBOX_KEY },
      /must be "Bearer/,
    ],
    [
      'two Bearer words beside an X-API-Key',
      { authorization: `Bearer ${LIVE_KEY} junk`, 'x-api-key': SANDBOX_KEY },
      /must be "Bearer/,
    ],
    [
      'a Bearer with a tab beside an X-API-Key',
      { authorization: `Bearer\t${LIVE_KEY}`, 'x-api-key': SANDBOX_KEY },
      /must be "Bearer/,
    ],
    ['an empty X-API-Key', { 'x-api-key': '' }, /exactly one/],
    // Bytes 0xA0 and 0x85 around a key, as Node reads them (Latin-1): not blanks, not the key.
    [
      'a no-break space after an X-API-Key',
      { 'x-api-key': `\u00a0${SANDBOX_KEY}\u00a0` },
      /exactly one/,
    ],
    [
      'a no-break space after a Bearer key',
      { authorization: `Bearer ${SANDBOX_KEY}\u00a0` },
      /must be "Bearer/,
    ],
    [
      'a no-break space before Bearer',
      { authorization: `\u00a0Bearer ${SANDBOX_KEY}` },
      /must be "Bearer/,
    ],
    [
      'a next-line character after a key',
      { authorization: `Bearer ${SANDBOX_KEY}\u0085` },
      /must be "Bearer/,
    ],
    ['garbage as a member token', { authorization: 'Bearer not-a-token' }, /Invalid member token/],
  ])('answers %s 401', (_case, headers, message) => {
    const { run } = setup();
    expect(run('open', headers)).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHORIZED', message: expect.stringMatching(message) },
    });
  });

  it('answers two Authorization headers 401, whichever credential comes first', () => {
    const { run, tokens } = setup();
    const { token } = tokens.mint({ orgId: 'acme', environment: 'sandbox' }, 'm1');
    for (const [first, second] of [
      [SANDBOX_KEY, token],
      [token, SANDBOX_KEY],
    ]) {
      // Node keeps the first of them in `headers`; rawHeaders has both.
      const raw = ['Authorization', `Bearer ${first}`, 'authorization', `Bearer ${second}`];
      expect(run('open', { authorization: `Bearer ${first}` }, raw)).toMatchObject({
        status: 401,
        body: { code: 'UNAUTHORIZED', message: expect.stringMatching(/one Authorization header/) },
      });
    }
    const one = ['Host', 'x', 'Authorization', `Bearer ${SANDBOX_KEY}`];
    expect(run('open', { authorization: `Bearer ${SANDBOX_KEY}` }, one)).toMatchObject({
      allowed: true,
    });
  });

  it('resolves a member token to its member', () => {
    const { run, tokens } = setup();
    const { token } = tokens.mint({ orgId: 'acme', environment: 'live' }, 'user-7');
    expect(run('open', { authorization: `Bearer ${token}` })).toEqual({
      allowed: true,
      principal: {
        kind: 'member',
        tenant: { orgId: 'acme', environment: 'live' },
        externalUserID: 'user-7',
      },
    });
  });

  it('marks an operator key on a @Public() route, and answers it 403 FORBIDDEN anywhere else', () => {
    const { run } = setup();
    for (const headers of [
      { authorization: `Bearer ${OPERATOR_KEY}` },
      { 'x-api-key': OPERATOR_KEY },
    ])
      expect(run('health', headers)).toEqual({
        allowed: true,
        principal: undefined,
        operator: true,
      });
    // Each route names the credential it does take: a member token is no use on an org-only one.
    const needs = {
      open: /\/health only; this route needs an organization API key or a member token$/,
      orgOnly: /\/health only; this route needs an organization API key$/,
    };
    for (const route of ['open', 'orgOnly'] as const) {
      expect(run(route, { authorization: `Bearer ${OPERATOR_KEY}` })).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN', message: expect.stringMatching(needs[route]) },
      });
    }
  });

  it('takes an operator key on an @OperatorOnly() route, and answers any other valid credential 403', () => {
    const { run, tokens } = setup();
    expect(run('metrics', { authorization: `Bearer ${OPERATOR_KEY}` })).toEqual({
      allowed: true,
      principal: undefined,
      operator: true,
    });
    const { token } = tokens.mint({ orgId: 'acme', environment: 'sandbox' }, 'user-7');
    for (const headers of [{ authorization: `Bearer ${token}` }, { 'x-api-key': LIVE_KEY }]) {
      expect(run('metrics', headers)).toMatchObject({
        status: 403,
        body: {
          code: 'FORBIDDEN',
          message: 'This route needs an operator key (OPERATOR_API_KEYS)',
        },
      });
    }
    // No credential, or a wrong one, is 401 as anywhere else: it says nothing of the route.
    for (const headers of [{}, { authorization: 'Bearer pl_operator_wrong' }]) {
      expect(run('metrics', headers)).toMatchObject({ status: 401 });
    }
  });

  it('takes any valid credential on an @AnyCredential() route, and none is 401', () => {
    const { run, tokens } = setup();
    const { token } = tokens.mint({ orgId: 'acme', environment: 'sandbox' }, 'user-7');
    expect(run('docs', { authorization: `Bearer ${OPERATOR_KEY}` })).toEqual({
      allowed: true,
      principal: undefined,
      operator: true,
    });
    expect(run('docs', { authorization: `Bearer ${token}` })).toMatchObject({
      allowed: true,
      principal: { kind: 'member', externalUserID: 'user-7' },
    });
    expect(run('docs', { 'x-api-key': LIVE_KEY })).toMatchObject({
      allowed: true,
      principal: { kind: 'org', tenant: { orgId: 'acme', environment: 'live' } },
    });
    for (const headers of [{}, { authorization: 'Bearer pl_operator_wrong' }]) {
      expect(run('docs', headers)).toMatchObject({ status: 401 });
    }
  });

  it('answers a member token on an @OrgOnly() route 403 FORBIDDEN', () => {
    const { run, tokens } = setup();
    const { token } = tokens.mint({ orgId: 'acme', environment: 'sandbox' }, 'user-7');
    expect(run('orgOnly', { authorization: `Bearer ${token}` })).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
  });

  it('answers an expired member token 401', () => {
    const { run, tokens } = setup();
    const { token } = tokens.mint(
      { orgId: 'acme', environment: 'sandbox' },
      'user-7',
      new Date(Date.now() - 2 * 3600_000),
    );
    expect(run('open', { authorization: `Bearer ${token}` })).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHORIZED', message: 'The member token has expired' },
    });
  });

  it('answers a member token of an org that no longer has a key 401', () => {
    const { run, tokens } = setup();
    const { token } = tokens.mint({ orgId: 'gone', environment: 'sandbox' }, 'user-7');
    expect(run('open', { authorization: `Bearer ${token}` })).toMatchObject({
      status: 401,
      body: { message: 'Invalid member token' },
    });
  });

  it('revokes the member tokens of an org key once it is no longer configured, and only those', () => {
    const ROTATED_KEY = 'expys_sandbox_rotated000000000000000';
    const sandbox = { orgId: 'acme', environment: 'sandbox' } as const;
    const before = setup(`acme:${SANDBOX_KEY},acme:${ROTATED_KEY},acme:${LIVE_KEY}`);
    const byOld = before.tokens.mint(sandbox, 'user-7', undefined, sha256Hex(SANDBOX_KEY));
    const byNew = before.tokens.mint(sandbox, 'user-7', undefined, sha256Hex(ROTATED_KEY));
    const unnamed = before.tokens.mint(sandbox, 'user-7'); // as minted before tokens named keys
    for (const { token } of [byOld, byNew, unnamed])
      expect(before.run('open', { authorization: `Bearer ${token}` }).principal).toMatchObject({
        kind: 'member',
      });

    const after = setup(`acme:${ROTATED_KEY},acme:${LIVE_KEY}`); // SANDBOX_KEY rotated out
    expect(after.run('open', { authorization: `Bearer ${byOld.token}` })).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHORIZED', message: expect.stringMatching(/no longer valid/) },
    });
    for (const { token } of [byNew, unnamed])
      expect(after.run('open', { authorization: `Bearer ${token}` }).principal).toMatchObject({
        kind: 'member',
      });
    // A key of another environment of the same org is not this token's key.
    const crossed = after.tokens.mint(sandbox, 'user-7', undefined, sha256Hex(LIVE_KEY));
    expect(after.run('open', { authorization: `Bearer ${crossed.token}` })).toMatchObject({
      status: 401,
    });
  });

  it('answers a token signed with another secret 401', () => {
    const { run } = setup();
    const { token } = new MemberTokenIssuer('x'.repeat(40), 60).mint(
      { orgId: 'acme', environment: 'sandbox' },
      'user-7',
    );
    expect(run('open', { authorization: `Bearer ${token}` })).toMatchObject({ status: 401 });
  });
});
