import { DEV_MEMBER_TOKEN_SECRET, isProduction, loadAuthConfig } from './auth-config';
import { DEV_OPERATOR_API_KEY } from './operator-keys';
import { DEV_ORG_API_KEY } from './org-keys';

const KEYS = 'acme:expys_live_aaaaaaaaaaaaaaaa';
const SECRET = 'auth-config-spec-secret-0123456789';

describe('loadAuthConfig', () => {
  it('falls back to the documented development key and secret outside production', () => {
    const config = loadAuthConfig({});
    expect(config.usingDevelopmentDefaults).toBe(true);
    expect(config.developmentDefaults).toEqual([
      'ORG_API_KEYS',
      'OPERATOR_API_KEYS',
      'MEMBER_TOKEN_SECRET',
    ]);
    expect(config.orgKeys.lookup(DEV_ORG_API_KEY)).toEqual({
      orgId: 'dev-org',
      environment: 'sandbox',
    });
    expect(config.memberTokenSecret).toBe(DEV_MEMBER_TOKEN_SECRET);
    expect(config.memberTokenTtlSeconds).toBe(3600);
  });

  it('treats a blank ORG_API_KEYS as unset', () => {
    expect(
      loadAuthConfig({ ORG_API_KEYS: '  ', MEMBER_TOKEN_SECRET: SECRET }).developmentDefaults,
    ).toEqual(['ORG_API_KEYS', 'OPERATOR_API_KEYS']);
  });

  it('uses what it is given', () => {
    const config = loadAuthConfig({
      ORG_API_KEYS: KEYS,
      MEMBER_TOKEN_SECRET: SECRET,
      MEMBER_TOKEN_TTL_SECONDS: '600',
    });
    expect(config.usingDevelopmentDefaults).toBe(false);
    expect(config.orgKeys.lookup(DEV_ORG_API_KEY)).toBeUndefined();
    expect(config.orgKeys.lookup('expys_live_aaaaaaaaaaaaaaaa')).toEqual({
      orgId: 'acme',
      environment: 'live',
    });
    expect(config.memberTokenSecret).toBe(SECRET);
    expect(config.memberTokenTtlSeconds).toBe(600);
  });

  it.each([
    [{}, /ORG_API_KEYS and MEMBER_TOKEN_SECRET must be set when NODE_ENV=production/],
    [{ MEMBER_TOKEN_SECRET: SECRET }, /^ORG_API_KEYS must be set/],
    [{ ORG_API_KEYS: KEYS }, /^MEMBER_TOKEN_SECRET must be set when NODE_ENV=production/],
    [
      { ORG_API_KEYS: `${KEYS},dev:${DEV_ORG_API_KEY}`, MEMBER_TOKEN_SECRET: SECRET },
      /published development key/,
    ],
    [
      { ORG_API_KEYS: KEYS, MEMBER_TOKEN_SECRET: DEV_MEMBER_TOKEN_SECRET },
      /published development secret/,
    ],
  ])('refuses to start in production with %p', (env, message) => {
    expect(() => loadAuthConfig({ NODE_ENV: 'production', ...env })).toThrow(message);
  });

  it.each(['PRODUCTION', ' production ', 'prod', 'Prod'])(
    'refuses the development defaults with NODE_ENV=%p too, not only with its exact spelling',
    (nodeEnv) => {
      expect(isProduction({ NODE_ENV: nodeEnv })).toBe(true);
      expect(() => loadAuthConfig({ NODE_ENV: nodeEnv })).toThrow(
        /ORG_API_KEYS and MEMBER_TOKEN_SECRET must be set when NODE_ENV=production/,
      );
      expect(() =>
        loadAuthConfig({
          NODE_ENV: nodeEnv,
          ORG_API_KEYS: `${KEYS},dev:${DEV_ORG_API_KEY}`,
          MEMBER_TOKEN_SECRET: SECRET,
        }),
      ).toThrow(/published development key/);
    },
  );

  it.each([undefined, '', 'development', 'test', 'productions', 'pre-production'])(
    'is not production with NODE_ENV=%p',
    (nodeEnv) => expect(isProduction({ NODE_ENV: nodeEnv })).toBe(false),
  );

  it.each([
    [{ ORG_API_KEYS: KEYS }],
    [{ ORG_API_KEYS: KEYS, MEMBER_TOKEN_SECRET: '' }],
    [{ ORG_API_KEYS: KEYS, MEMBER_TOKEN_SECRET: DEV_MEMBER_TOKEN_SECRET }],
  ])('refuses real keys without a real secret outside production too: %p', (env) => {
    expect(() => loadAuthConfig({ NODE_ENV: 'development', ...env })).toThrow(
      /^MEMBER_TOKEN_SECRET must be set, and not to the published development secret, when ORG_API_KEYS is/,
    );
  });

  it('keeps the development secret with the development key only', () => {
    expect(loadAuthConfig({ MEMBER_TOKEN_SECRET: DEV_MEMBER_TOKEN_SECRET }).memberTokenSecret).toBe(
      DEV_MEMBER_TOKEN_SECRET,
    );
  });

  it('starts in production when both are set', () => {
    const config = loadAuthConfig({
      NODE_ENV: 'production',
      ORG_API_KEYS: KEYS,
      MEMBER_TOKEN_SECRET: SECRET,
    });
    expect(config.usingDevelopmentDefaults).toBe(false);
  });

  it('takes a lifetime from 1 second to 7 days, both ends included', () => {
    for (const ttl of [1, 604_800]) {
      const env = { MEMBER_TOKEN_TTL_SECONDS: String(ttl) };
      expect(loadAuthConfig(env).memberTokenTtlSeconds).toBe(ttl);
    }
  });

  it.each([
    ` ${DEV_MEMBER_TOKEN_SECRET}\n`,
    DEV_MEMBER_TOKEN_SECRET.toUpperCase(),
    `${DEV_MEMBER_TOKEN_SECRET}\r\n`,
  ])('takes %p for the development secret it is one guess from', (secret) => {
    const env = { ORG_API_KEYS: KEYS, MEMBER_TOKEN_SECRET: secret };
    expect(() => loadAuthConfig(env)).toThrow(/not to the published development secret/);
    expect(() =>
      loadAuthConfig({ NODE_ENV: 'production', MEMBER_TOKEN_SECRET: secret, ORG_API_KEYS: KEYS }),
    ).toThrow(/published development secret/);
  });

  it.each(['x'.repeat(32), 'ab'.repeat(20), '0123456'.repeat(5)])(
    'refuses a secret of few different characters: %p',
    (secret) => {
      expect(() => loadAuthConfig({ ORG_API_KEYS: KEYS, MEMBER_TOKEN_SECRET: secret })).toThrow(
        /different characters: use a random value/,
      );
    },
  );

  it('takes a secret of eight different characters', () => {
    const secret = '01234567'.repeat(4);
    expect(
      loadAuthConfig({ ORG_API_KEYS: KEYS, MEMBER_TOKEN_SECRET: secret }).memberTokenSecret,
    ).toBe(secret);
  });

  it('refuses an API key of ORG_API_KEYS as the secret', () => {
    const key = 'expys_live_0123456789abcdef0123456789';
    for (const secret of [key, `${key}\n`]) {
      const env = { ORG_API_KEYS: `${KEYS},acme:${key}`, MEMBER_TOKEN_SECRET: secret };
      expect(() => loadAuthConfig(env)).toThrow(/must not be one of the keys of ORG_API_KEYS/);
    }
  });

  it('rejects a short secret, a bad key list and a bad lifetime', () => {
    expect(() => loadAuthConfig({ MEMBER_TOKEN_SECRET: 'short' })).toThrow(/at least 32/);
    expect(() => loadAuthConfig({ MEMBER_TOKEN_SECRET: ' '.repeat(40) })).toThrow(/white space/);
    // White space anywhere does not count, not only at the ends.
    const padded = `a${' '.repeat(30)}b${'\t'.repeat(10)}c`;
    expect(() => loadAuthConfig({ MEMBER_TOKEN_SECRET: padded })).toThrow(/white space/);
    expect(() => loadAuthConfig({ ORG_API_KEYS: 'acme:nope' })).toThrow(/ORG_API_KEYS entry 1/);
    // Empty or padded is refused, as for every number the service reads (wholeNumber).
    for (const ttl of ['0', '-5', '1.5', 'abc', '604801', '', ' 60', '60\n']) {
      expect(() => loadAuthConfig({ MEMBER_TOKEN_TTL_SECONDS: ttl })).toThrow(
        /MEMBER_TOKEN_TTL_SECONDS/,
      );
    }
  });
});

describe('loadAuthConfig: operator keys', () => {
  const OPERATOR_KEY = 'pl_operator_0123456789abcdefghijklmnopqrstuvwxyz';

  it('opens /health to the development operator key beside the development org key only', () => {
    expect(loadAuthConfig({}).operatorKeys.has(DEV_OPERATOR_API_KEY)).toBe(true);
    // Real org keys: the development key would show every tenant's details to anybody.
    const real = loadAuthConfig({ ORG_API_KEYS: KEYS, MEMBER_TOKEN_SECRET: SECRET });
    expect([real.operatorKeys.size, real.developmentDefaults]).toEqual([0, []]);
    expect(real.operatorKeys.has(DEV_OPERATOR_API_KEY)).toBe(false);
  });

  it('uses OPERATOR_API_KEYS when it is set, alone', () => {
    for (const env of [{}, { ORG_API_KEYS: KEYS, MEMBER_TOKEN_SECRET: SECRET }]) {
      const config = loadAuthConfig({ ...env, OPERATOR_API_KEYS: ` ${OPERATOR_KEY} ` });
      expect(config.operatorKeys.has(OPERATOR_KEY)).toBe(true);
      expect(config.operatorKeys.has(DEV_OPERATOR_API_KEY)).toBe(false);
      expect(config.developmentDefaults).not.toContain('OPERATOR_API_KEYS');
    }
  });

  it('starts in production without operator keys, and refuses the development one there', () => {
    const production = { NODE_ENV: 'production', ORG_API_KEYS: KEYS, MEMBER_TOKEN_SECRET: SECRET };
    expect(loadAuthConfig(production).operatorKeys.size).toBe(0);
    expect(() =>
      loadAuthConfig({
        ...production,
        OPERATOR_API_KEYS: `${OPERATOR_KEY},${DEV_OPERATOR_API_KEY}`,
      }),
    ).toThrow(/OPERATOR_API_KEYS must not contain the published development key/);
  });

  it.each([
    DEV_OPERATOR_API_KEY,
    DEV_ORG_API_KEY,
    ` ${DEV_ORG_API_KEY.toUpperCase()}\n`,
    'points-ledger-development-webhook-signing-key',
  ])('refuses the published key %p as the secret, in production and out', (secret) => {
    for (const env of [{ NODE_ENV: 'production', ORG_API_KEYS: KEYS }, { ORG_API_KEYS: KEYS }, {}])
      expect(() => loadAuthConfig({ ...env, MEMBER_TOKEN_SECRET: secret })).toThrow(
        /^MEMBER_TOKEN_SECRET must not be a key or secret published in the docs/,
      );
  });

  it('refuses an operator key as the member-token secret', () => {
    const env = { ORG_API_KEYS: KEYS, OPERATOR_API_KEYS: OPERATOR_KEY };
    expect(() => loadAuthConfig({ ...env, MEMBER_TOKEN_SECRET: OPERATOR_KEY })).toThrow(
      /must not be one of the keys of OPERATOR_API_KEYS/,
    );
  });

  it('refuses a malformed OPERATOR_API_KEYS', () => {
    expect(() => loadAuthConfig({ OPERATOR_API_KEYS: 'secret' })).toThrow(
      /^OPERATOR_API_KEYS entry 1: the key must look like/,
    );
  });
});
