import { resolve } from 'node:path';
import { dataDirFrom, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('takes the defaults when PORT, STATE_CACHE_SIZE and DATA_DIR are unset', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, stateCacheSize: 100_000 });
    expect(config.dataDir).toBe(resolve('./data'));
  });

  it('reads decimal numbers', () => {
    expect(loadConfig({ PORT: '8080', STATE_CACHE_SIZE: '5000' })).toMatchObject({
      port: 8080,
      stateCacheSize: 5000,
    });
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it.each(['', ' ', '0x0D4B', '3410.0', '1e3', '-1', '65536', 'abc'])(
    'refuses PORT=%p instead of listening on another port',
    (port) => expect(() => loadConfig({ PORT: port })).toThrow(`PORT must be a port number`),
  );

  it.each(['', 'abc', '-5', '0', '1.5', '2000000000'])('refuses STATE_CACHE_SIZE=%p', (size) =>
    expect(() => loadConfig({ STATE_CACHE_SIZE: size })).toThrow(
      `STATE_CACHE_SIZE must be from 1 to 1000000000, got '${size}'`,
    ),
  );

  it('reads EVENTS_FEED_WINDOW, 20000 positions by default', () => {
    expect(loadConfig({}).eventsFeedWindow).toBe(20_000);
    expect(loadConfig({ EVENTS_FEED_WINDOW: '500' }).eventsFeedWindow).toBe(500);
    for (const bad of ['0', '-1', 'abc', '10000001'])
      expect(() => loadConfig({ EVENTS_FEED_WINDOW: bad })).toThrow('EVENTS_FEED_WINDOW must be');
  });

  it('reads an empty DATA_DIR as unset, not as the current directory', () =>
    expect(loadConfig({ DATA_DIR: '' }).dataDir).toBe(resolve('./data')));

  it('reads an empty HOST as unset: the default interface, named in the log', () => {
    expect(loadConfig({ HOST: '' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
  });

  it('has one DATA_DIR rule, which the ledger CLI shares: unset or empty is ./data', () => {
    expect(dataDirFrom({})).toBe(resolve('./data'));
    expect(dataDirFrom({ DATA_DIR: '' })).toBe(resolve('./data'));
    expect(dataDirFrom({ DATA_DIR: 'store' })).toBe(resolve('store'));
    expect(loadConfig({ DATA_DIR: '/srv/ledger' }).dataDir).toBe('/srv/ledger');
  });

  const PRODUCTION_AUTH = {
    ORG_API_KEYS: 'acme:expys_live_aaaaaaaaaaaaaaaa',
    MEMBER_TOKEN_SECRET: 'app-config-spec-secret-0123456789',
    WEBHOOK_SIGNING_KEY: 'app-config-spec-webhook-signing-key-0123456789',
  };

  it.each(['production', 'PRODUCTION', ' production', 'Production', 'prod', 'PROD '])(
    'reads NODE_ENV=%p as production',
    (nodeEnv) => {
      expect(loadConfig({ ...PRODUCTION_AUTH, NODE_ENV: nodeEnv }).production).toBe(true);
      // ... so the published development key and secret are refused.
      expect(() => loadConfig({ NODE_ENV: nodeEnv })).toThrow(
        'ORG_API_KEYS and MEMBER_TOKEN_SECRET must be set when NODE_ENV=production',
      );
    },
  );

  it.each([undefined, '', 'development', 'test', 'staging', 'production2', 'preprod'])(
    'reads NODE_ENV=%p as not production',
    (nodeEnv) => expect(loadConfig({ NODE_ENV: nodeEnv }).production).toBe(false),
  );

  it.each(['OFF', 'off'])('refuses SQLITE_SYNCHRONOUS=%p in production', (synchronous) =>
    expect(() =>
      loadConfig({ ...PRODUCTION_AUTH, NODE_ENV: 'production', SQLITE_SYNCHRONOUS: synchronous }),
    ).toThrow(/^SQLITE_SYNCHRONOUS=OFF is for tests only and refused when NODE_ENV=production/),
  );

  it('takes SQLITE_SYNCHRONOUS FULL or NORMAL in production, and OFF outside it', () => {
    for (const synchronous of ['FULL', 'normal'])
      expect(
        loadConfig({ ...PRODUCTION_AUTH, NODE_ENV: 'prod', SQLITE_SYNCHRONOUS: synchronous })
          .sqliteSynchronous,
      ).toBe(synchronous.toUpperCase());
    expect(loadConfig({ SQLITE_SYNCHRONOUS: 'off' }).sqliteSynchronous).toBe('OFF');
    expect(loadConfig({}).sqliteSynchronous).toBe('FULL');
  });

  describe("WEBHOOK_SIGNING_KEY, held to the member-token secret's rules", () => {
    const ORG_KEY = 'expys_live_acmeKey00000000000000001';
    const SECRET = 'Qm9vdHN0cmFwLXNlY3JldC0wMTIzNDU2Nzg5YWJj';
    const env = {
      NODE_ENV: 'production',
      ORG_API_KEYS: `acme:${ORG_KEY}`,
      MEMBER_TOKEN_SECRET: SECRET,
    };

    it('takes a random key', () => {
      const key = 'c2lnbmluZy1rZXktZm9yLXdlYmhvb2tzLTAxMjM0NTY3';
      expect(loadConfig({ ...env, WEBHOOK_SIGNING_KEY: key }).webhooks.signingKey).toBe(key);
    });

    it('refuses a short key anywhere', () => {
      for (const production of ['production', ''])
        expect(() =>
          loadConfig({ ...env, NODE_ENV: production, WEBHOOK_SIGNING_KEY: 'short' }),
        ).toThrow(/at least 32 characters/);
      expect(() => loadConfig({ WEBHOOK_SIGNING_KEY: 'short' })).toThrow(/at least 32 characters/);
    });

    it.each([
      ['x'.repeat(40), /^WEBHOOK_SIGNING_KEY has only 1 different characters/],
      [ORG_KEY, /^WEBHOOK_SIGNING_KEY must not be one of the keys of ORG_API_KEYS/],
      [SECRET, /^WEBHOOK_SIGNING_KEY must not be MEMBER_TOKEN_SECRET/],
      [
        'points-ledger-development-member-token-secret',
        /^WEBHOOK_SIGNING_KEY must not be a key or secret published in the docs/,
      ],
    ])('refuses %p in production and out', (key, problem) => {
      expect(() => loadConfig({ ...env, WEBHOOK_SIGNING_KEY: key })).toThrow(problem);
      expect(() => loadConfig({ ...env, NODE_ENV: '', WEBHOOK_SIGNING_KEY: key })).toThrow(problem);
    });
  });
});
