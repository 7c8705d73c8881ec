import { DEV_ORG_API_KEY, classifyOrgKey, developmentOrgKeys, parseOrgApiKeys } from './org-keys';

const SANDBOX = 'expys_sandbox_aaaaaaaaaaaaaaaa';
const LIVE = 'expys_live_bbbbbbbbbbbbbbbbbbbbbbbb';
const OTHER = 'expys_sandbox_cccccccccccccccc-_9Z';

describe('parseOrgApiKeys', () => {
  it('reads comma-separated <orgId>:<key> pairs and looks keys up to their tenant', () => {
    const keys = parseOrgApiKeys(` acme:${SANDBOX} , acme:${LIVE},globex-eu_2:${OTHER}`);
    expect(keys.size).toBe(3);
    expect(keys.organizationCount).toBe(2);
    expect(keys.lookup(SANDBOX)).toEqual({ orgId: 'acme', environment: 'sandbox' });
    expect(keys.lookup(LIVE)).toEqual({ orgId: 'acme', environment: 'live' });
    expect(keys.lookup(OTHER)).toEqual({ orgId: 'globex-eu_2', environment: 'sandbox' });
  });

  it('finds no tenant for an unknown, altered or differently cased key', () => {
    const keys = parseOrgApiKeys(`acme:${SANDBOX}`);
    expect(keys.lookup('expys_sandbox_aaaaaaaaaaaaaaab')).toBeUndefined();
    expect(keys.lookup(SANDBOX.toUpperCase())).toBeUndefined();
    expect(keys.lookup(`${SANDBOX} `)).toBeUndefined();
    expect(keys.lookup('')).toBeUndefined();
    expect(keys.lookup('x'.repeat(10_000))).toBeUndefined();
  });

  it('takes random parts of 16 to 256 characters, and looks the longest up too', () => {
    const shortest = `expys_live_${'s'.repeat(16)}`;
    const longest = `expys_sandbox_${'L'.repeat(256)}`;
    const keys = parseOrgApiKeys(`acme:${shortest},acme:${longest}`);
    expect(keys.lookup(shortest)).toEqual({ orgId: 'acme', environment: 'live' });
    expect(keys.lookup(longest)).toEqual({ orgId: 'acme', environment: 'sandbox' });
  });

  it('ignores white space around the colon of an entry', () => {
    const keys = parseOrgApiKeys(`acme :\t${SANDBOX} ,globex: ${LIVE}`);
    expect(keys.lookup(SANDBOX)).toEqual({ orgId: 'acme', environment: 'sandbox' });
    expect(keys.lookup(LIVE)).toEqual({ orgId: 'globex', environment: 'live' });
  });

  it('refuses an orgId with a dot, which could make one tenant a stream-name prefix of another', () => {
    expect(() => parseOrgApiKeys(`acme.eu:${SANDBOX}`)).toThrow(/orgId/);
  });

  it('knows which tenants have a key', () => {
    const keys = parseOrgApiKeys(`acme:${SANDBOX}`);
    expect(keys.hasTenant({ orgId: 'acme', environment: 'sandbox' })).toBe(true);
    expect(keys.hasTenant({ orgId: 'acme', environment: 'live' })).toBe(false);
    expect(keys.hasTenant({ orgId: 'globex', environment: 'sandbox' })).toBe(false);
  });

  it('hands out copies, so a caller cannot change the registry', () => {
    const keys = parseOrgApiKeys(`acme:${SANDBOX}`);
    const tenant = keys.lookup(SANDBOX)!;
    tenant.orgId = 'evil';
    expect(keys.lookup(SANDBOX)).toEqual({ orgId: 'acme', environment: 'sandbox' });
  });

  it.each([
    ['an entry without a colon', `acme${SANDBOX}`, /entry 1: expected <orgId>:<key>/],
    [
      'an entry with two colons',
      `acme:x:${SANDBOX}`,
      /entry 1 \(org 'acme'\): expected <orgId>:<key>/,
    ],
    ['an empty entry', `acme:${SANDBOX},,globex:${LIVE}`, /entry 2: expected/],
    ['a trailing comma', `acme:${SANDBOX},`, /entry 2: expected/],
    ['an empty orgId', `:${SANDBOX}`, /entry 1 \(org ''\): the orgId/],
    ['an orgId with a space', `ac me:${SANDBOX}`, /entry 1 \(org 'ac me'\): the orgId/],
    ['an orgId with a slash', `acme/x:${SANDBOX}`, /entry 1 \(org 'acme\/x'\): the orgId/],
    ['an orgId with a dot', `acme.eu:${SANDBOX}`, /entry 1 \(org 'acme.eu'\): the orgId/],
    [
      'an entry written <key>:<orgId>, without showing the key',
      `${SANDBOX}:acme`,
      /entry 1 \(its orgId looks like a key: write <orgId>:<key>\): the key/,
    ],
    ['an orgId of 65 characters', `${'a'.repeat(65)}:${SANDBOX}`, /\(org 'a{64}…'\): the orgId/],
    ['an empty key', 'acme:', /must look like/],
    ['a key without the expys_ prefix', 'acme:sk_live_aaaaaaaaaaaaaaaa', /must look like/],
    ['a key of an unknown environment', 'acme:expys_test_aaaaaaaaaaaaaaaa', /must look like/],
    ['a key with an upper-case environment', 'acme:expys_LIVE_aaaaaaaaaaaaaaaa', /must look like/],
    ['a key with a short random part', 'acme:expys_live_aaaaaaaaaaaaaaa', /at least 16/],
    [
      'a key with a random part of 257 characters',
      `acme:expys_live_${'a'.repeat(257)}`,
      /at most 256/,
    ],
    ['a key with odd characters', 'acme:expys_live_aaaaaaaaaaaaaaaa!', /must look like/],
    ['a key with an inner space', 'acme:expys_live_aaaaaaaa aaaaaaaa', /must look like/],
    [
      'a key listed twice',
      `acme:${SANDBOX},globex:${SANDBOX}`,
      /entry 2 \(org 'globex'\): the key is listed twice/,
    ],
  ])('rejects %s', (_case, value, message) => {
    expect(() => parseOrgApiKeys(value)).toThrow(message);
  });

  it('never puts a key into an error message', () => {
    const secret = 'expys_live_short';
    const entries = [`acme:${secret}`, `acme:${SANDBOX},b:${SANDBOX}`, `${SANDBOX}:acme`, SANDBOX];
    const errors = entries.map((value) => {
      try {
        parseOrgApiKeys(value);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(errors[0]).not.toContain(secret);
    expect(errors[1]).not.toContain(SANDBOX);
    expect(errors[2]).not.toContain(SANDBOX); // written <key>:<orgId>
    expect(errors[3]).not.toContain(SANDBOX); // a key with no orgId
    expect(errors.every((message) => message.length > 0)).toBe(true);
  });
});

describe('classifyOrgKey', () => {
  it('says what is wrong with a key in a sentence an entry can be prefixed to', () => {
    expect(classifyOrgKey('expys_live_short')).toEqual({
      problem: "the key's random part must have at least 16 characters",
    });
    expect(() => parseOrgApiKeys('acme:expys_live_short')).toThrow(
      /^ORG_API_KEYS entry 1 \(org 'acme'\): the key's random part must have at least 16 characters$/,
    );
  });

  it('takes the environment from the middle word', () => {
    expect(classifyOrgKey(SANDBOX)).toEqual({ environment: 'sandbox' });
    expect(classifyOrgKey(LIVE)).toEqual({ environment: 'live' });
  });
});

describe('developmentOrgKeys', () => {
  it('serves dev-org in sandbox with the documented key', () => {
    expect(DEV_ORG_API_KEY).toBe('expys_sandbox_dev_0000000000000000');
    expect(developmentOrgKeys().lookup(DEV_ORG_API_KEY)).toEqual({
      orgId: 'dev-org',
      environment: 'sandbox',
    });
  });
});
