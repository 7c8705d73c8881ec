import { createHmac } from 'node:crypto';
import { MemberTokenIssuer, decodeMemberTokenPayload } from './member-token';
import { Tenant } from './principal';

const SECRET = 'a-test-secret-that-is-long-enough-0123';
const TENANT: Tenant = { orgId: 'acme', environment: 'live' };
const NOW = new Date('2030-01-01T00:00:00.000Z');

function issuer(secret = SECRET, ttl = 3600): MemberTokenIssuer {
  return new MemberTokenIssuer(secret, ttl);
}

/** Replaces one character in the middle of a token part with a different one. */
function flipCharacter(part: string): string {
  const at = Math.floor(part.length / 2);
  return part.slice(0, at) + (part[at] === 'A' ? 'B' : 'A') + part.slice(at + 1);
}

describe('MemberTokenIssuer', () => {
  it('mints a token that verifies back to the member principal', () => {
    const { token, expiresAt } = issuer().mint(TENANT, 'user-1', NOW);
    expect(token).toMatch(/^mt_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith('expys_')).toBe(false);
    expect(expiresAt.toISOString()).toBe('2030-01-01T01:00:00.000Z');
    expect(issuer().verify(token, NOW)).toEqual({
      ok: true,
      principal: { kind: 'member', tenant: TENANT, externalUserID: 'user-1' },
      expiresAt,
    });
  });

  it('carries the tenant, the member and the expiry in its payload', () => {
    const { token } = issuer(SECRET, 60).mint(TENANT, 'ünï cødé 👋', NOW);
    expect(decodeMemberTokenPayload(token)).toEqual({
      v: 1,
      orgId: 'acme',
      environment: 'live',
      externalUserID: 'ünï cødé 👋',
      iat: NOW.getTime() / 1000,
      exp: NOW.getTime() / 1000 + 60,
    });
    expect(issuer().verify(token, NOW)).toMatchObject({
      ok: true,
      principal: { externalUserID: 'ünï cødé 👋' },
    });
  });

  it('names the minting key by a tag of the secret, and hands the tag back on verifying', () => {
    const { token } = issuer().mint(TENANT, 'user-1', NOW, 'key-digest');
    const tag = issuer().keyTag('key-digest');
    expect(tag).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(tag).not.toBe(issuer().keyTag('other-key-digest'));
    expect(tag).not.toBe(issuer('another-secret-that-is-long-enough-456').keyTag('key-digest'));
    expect(decodeMemberTokenPayload(token)).toMatchObject({ kid: tag });
    expect(issuer().verify(token, NOW)).toMatchObject({ ok: true, keyTag: tag });
    expect(issuer().verify(issuer().mint(TENANT, 'user-1', NOW).token, NOW)).not.toHaveProperty(
      'keyTag',
    );
  });

  it('is valid until the last second before expiry and expired from then on', () => {
    const { token, expiresAt } = issuer(SECRET, 60).mint(TENANT, 'user-1', NOW);
    expect(issuer().verify(token, new Date(expiresAt.getTime() - 1)).ok).toBe(true);
    expect(issuer().verify(token, expiresAt)).toEqual({ ok: false, reason: 'expired' });
    expect(issuer().verify(token, new Date(expiresAt.getTime() + 86_400_000))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('lives at least its lifetime, whatever the millisecond it is minted at', () => {
    const late = new Date(NOW.getTime() + 991);
    const { token, expiresAt } = issuer(SECRET, 1).mint(TENANT, 'user-1', late);
    expect(expiresAt.toISOString()).toBe('2030-01-01T00:00:02.000Z');
    expect(issuer(SECRET, 1).verify(token, new Date(late.getTime() + 999)).ok).toBe(true);
    expect(issuer(SECRET, 1).mint(TENANT, 'user-1', NOW).expiresAt.toISOString()).toBe(
      '2030-01-01T00:00:01.000Z',
    );
  });

  it('mints and verifies a token for the longest orgId and externalUserID', () => {
    // 64 + 128 * 4 bytes of UTF-8 in the payload: its base64url text is well past 800 characters.
    const tenant: Tenant = { orgId: 'o'.repeat(64), environment: 'sandbox' };
    const { token } = issuer().mint(tenant, '😀'.repeat(128), NOW);
    expect(token.length).toBeGreaterThan(800);
    expect(issuer().verify(token, NOW)).toMatchObject({
      ok: true,
      principal: { tenant, externalUserID: '😀'.repeat(128) },
    });
  });

  it('refuses a token signed with another secret', () => {
    const { token } = issuer('another-secret-that-is-long-enough-456').mint(TENANT, 'user-1', NOW);
    expect(issuer().verify(token, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a tampered payload or signature', () => {
    const { token } = issuer().mint(TENANT, 'user-1', NOW);
    const [body, signature] = token.split('.');
    expect(issuer().verify(`${flipCharacter(body)}.${signature}`, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(issuer().verify(`${body}.${flipCharacter(signature)}`, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a non-canonical spelling of the right signature', () => {
    const { token } = issuer().mint(TENANT, 'user-1', NOW);
    const last = token[token.length - 1];
    // The last of 43 base64url characters carries 2 unused bits: flipping one decodes to the same bytes.
    const alias = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alias[alias.indexOf(last) ^ 1];
    const spelled = token.slice(0, -1) + twin;
    expect(Buffer.from(spelled.split('.')[1], 'base64url')).toEqual(
      Buffer.from(token.split('.')[1], 'base64url'),
    );
    expect(issuer().verify(spelled, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a payload rewritten to another member, org or environment', () => {
    const { token } = issuer().mint(TENANT, 'user-1', NOW);
    const [, signature] = token.split('.');
    for (const change of [
      { externalUserID: 'user-2' },
      { orgId: 'globex' },
      { environment: 'sandbox' },
      { exp: 9e9 },
    ]) {
      const payload = { ...(decodeMemberTokenPayload(token) as object), ...change };
      const forged = `mt_${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
      expect(issuer().verify(forged, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });

  it.each([
    [''],
    ['mt_'],
    ['mt_abc'],
    ['mt_abc.def'],
    ['expys_sandbox_aaaaaaaaaaaaaaaa'],
    ['eyJhbGciOiJIUzI1NiJ9.e30.x'],
    [`mt_${'a'.repeat(5000)}.${'a'.repeat(43)}`],
  ])('calls %p malformed', (token) => {
    expect(issuer().verify(token, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('calls a correctly signed but invalid payload malformed', () => {
    const body = `mt_${Buffer.from(JSON.stringify({ v: 1, orgId: 'acme' })).toString('base64url')}`;
    const signature = createHmac('sha256', SECRET).update(body).digest('base64url');
    expect(issuer().verify(`${body}.${signature}`, NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it.each([
    ['without exp', { exp: undefined }],
    ['with exp as text', { exp: '9999999999' }],
    ['with a fractional exp', { exp: 1_900_000_000.5 }],
    ['without iat', { iat: undefined }],
    ['of another payload version', { v: 2 }],
  ])('calls a correctly signed payload %s malformed, never valid forever', (_case, change) => {
    const iat = NOW.getTime() / 1000;
    const payload = {
      ...{ v: 1, orgId: 'acme', environment: 'live', externalUserID: 'user-1', iat },
      exp: iat + 60,
      ...change,
    };
    const body = `mt_${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const signature = createHmac('sha256', SECRET).update(body).digest('base64url');
    expect(issuer().verify(`${body}.${signature}`, NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses to mint for an invalid member or tenant', () => {
    expect(() => issuer().mint(TENANT, '', NOW)).toThrow();
    expect(() => issuer().mint(TENANT, 'a\nb', NOW)).toThrow();
    expect(() => issuer().mint({ orgId: 'a b', environment: 'live' }, 'user-1', NOW)).toThrow();
  });

  it('needs a secret and a positive lifetime', () => {
    expect(() => new MemberTokenIssuer('', 60)).toThrow();
    expect(() => new MemberTokenIssuer(SECRET, 0)).toThrow();
    expect(() => new MemberTokenIssuer(SECRET, 1.5)).toThrow();
  });
});
