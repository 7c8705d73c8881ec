import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory';
import { MemberTokenIssuer, decodeMemberTokenPayload } from '../../src/auth/member-token';
import { DEV_ORG_API_KEY } from '../../src/auth/org-keys';
import { loadConfig } from '../../src/config/app-config';

const ACME_SANDBOX = 'expys_sandbox_acme_e2e_0000000000';
const ACME_LIVE = 'expys_live_acme_e2e_1111111111111';
const GLOBEX_SANDBOX = 'expys_sandbox_globex_e2e_22222222';
const SECRET = 'auth-e2e-member-token-secret-0123456789';

async function startApp(env: NodeJS.ProcessEnv) {
  const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-auth-e2e-'));
  const app = await createApp(loadConfig({ DATA_DIR: dataDir, ...env }), { logger: false });
  await app.listen(0, '127.0.0.1');
  const stop = async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { app, baseUrl: await app.getUrl(), stop };
}

describe('auth (e2e)', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ app, baseUrl, stop } = await startApp({
      ORG_API_KEYS: `acme:${ACME_SANDBOX},acme:${ACME_LIVE},globex:${GLOBEX_SANDBOX}`,
      MEMBER_TOKEN_SECRET: SECRET,
      MEMBER_TOKEN_TTL_SECONDS: '900',
    }));
  });
  afterAll(async () => {
    await stop();
  });

  function exchange(headers: Record<string, string>, body: unknown = { externalUserID: 'user-1' }) {
    return fetch(`${baseUrl}/v1/auth/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  async function memberToken(key: string, externalUserID: string): Promise<string> {
    const response = await exchange({ authorization: `Bearer ${key}` }, { externalUserID });
    expect(response.status).toBe(200);
    return ((await response.json()) as { accessToken: string }).accessToken;
  }

  it('answers no credential 401 in the error shape, with a request id and a Bearer challenge', async () => {
    const response = await exchange({ 'x-request-id': 'auth-e2e-1' });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBe('auth-e2e-1');
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="points-ledger"');
    expect(await response.json()).toEqual({
      error: {
        code: 'UNAUTHORIZED',
        message: expect.stringContaining('Missing credential'),
        requestId: 'auth-e2e-1',
      },
    });
  });

  it('answers an unknown key 401, in either header', async () => {
    const variants: Record<string, string>[] = [
      { authorization: 'Bearer expys_sandbox_unknown_000000000000' },
      { 'x-api-key': 'expys_live_unknown_000000000000' },
    ];
    for (const headers of variants) {
      const response = await exchange(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(await response.json()).toMatchObject({
        error: { code: 'UNAUTHORIZED', message: 'Unknown API key' },
      });
    }
  });

  it('does not accept the development key once ORG_API_KEYS is set', async () => {
    expect((await exchange({ authorization: `Bearer ${DEV_ORG_API_KEY}` })).status).toBe(401);
  });

  it('exchanges with Authorization: Bearer and with X-API-Key', async () => {
    const variants: Record<string, string>[] = [
      { authorization: `Bearer ${ACME_SANDBOX}` },
      { 'x-api-key': ACME_SANDBOX },
    ];
    for (const headers of variants) {
      const before = Date.now();
      const response = await exchange(headers, {
        externalUserID: 'user-1',
        displayName: 'Ada',
        email: 'ada@example.com',
        tier: 'gold',
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { accessToken: string; expiresAt: string };
      expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresAt']);
      expect(body.accessToken.startsWith('expys_')).toBe(false);
      expect(body.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      // Minted between `before` and `after`; exp is whole seconds, so up to 1 s earlier than mint + TTL.
      const after = Date.now();
      const expiresAt = Date.parse(body.expiresAt);
      expect(expiresAt).toBeGreaterThan(before + 900_000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(after + 900_000);
    }
  });

  it("mints a token in the key's organization and environment: sandbox for a sandbox key, live for a live key", async () => {
    expect(decodeMemberTokenPayload(await memberToken(ACME_SANDBOX, 'user-1'))).toMatchObject({
      orgId: 'acme',
      environment: 'sandbox',
      externalUserID: 'user-1',
    });
    expect(decodeMemberTokenPayload(await memberToken(ACME_LIVE, 'user-1'))).toMatchObject({
      orgId: 'acme',
      environment: 'live',
      externalUserID: 'user-1',
    });
    expect(decodeMemberTokenPayload(await memberToken(GLOBEX_SANDBOX, 'user-1'))).toMatchObject({
      orgId: 'globex',
      environment: 'sandbox',
    });
  });

  it('answers a member token on an org-only route 403', async () => {
    const token = await memberToken(ACME_LIVE, 'user-2');
    const response = await exchange({ authorization: `Bearer ${token}` });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: { code: 'FORBIDDEN', requestId: expect.any(String) },
    });
  });

  it('answers an expired member token 401', async () => {
    const issuer = app.get(MemberTokenIssuer);
    const { token } = issuer.mint(
      { orgId: 'acme', environment: 'sandbox' },
      'user-3',
      new Date(Date.now() - 3600_000),
    );
    const response = await exchange({ authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: { code: 'UNAUTHORIZED', message: 'The member token has expired' },
    });
  });

  it('answers a tampered or foreign-secret token 401', async () => {
    const token = await memberToken(ACME_SANDBOX, 'user-4');
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    const foreign = new MemberTokenIssuer('another-secret-of-enough-length-000000', 60).mint(
      { orgId: 'acme', environment: 'sandbox' },
      'user-4',
    ).token;
    for (const bad of [tampered, foreign]) {
      const response = await exchange({ authorization: `Bearer ${bad}` });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        error: { code: 'UNAUTHORIZED', message: 'Invalid member token' },
      });
    }
  });

  it.each([
    ['no externalUserID', {}],
    ['an empty externalUserID', { externalUserID: '' }],
    ['a 129-character externalUserID', { externalUserID: 'x'.repeat(129) }],
    ['a control character', { externalUserID: 'a\u0007b' }],
    ['a numeric externalUserID', { externalUserID: 42 }],
    ['a bad email', { externalUserID: 'u', email: 'not-an-email' }],
    ['a long displayName', { externalUserID: 'u', displayName: 'd'.repeat(201) }],
    ['a long tier', { externalUserID: 'u', tier: 't'.repeat(65) }],
    ['an unknown field', { externalUserID: 'u', role: 'admin' }],
  ])('answers %s 400 VALIDATION_FAILED', async (_case, body) => {
    const response = await exchange({ 'x-api-key': ACME_SANDBOX }, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('checks the credential before the body', async () => {
    const response = await exchange({}, { nonsense: true });
    expect(response.status).toBe(401);
  });

  it('serves /health without a key', async () => {
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
  });
});

describe('auth start-up', () => {
  it('refuses production without ORG_API_KEYS and MEMBER_TOKEN_SECRET', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /ORG_API_KEYS and MEMBER_TOKEN_SECRET must be set/,
    );
  });

  it('starts outside production with the documented development key', async () => {
    const { baseUrl, stop } = await startApp({});
    try {
      const response = await fetch(`${baseUrl}/v1/auth/exchange`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_ORG_API_KEY}` },
        body: JSON.stringify({ externalUserID: 'dev-user' }),
      });
      expect(response.status).toBe(200);
      const { accessToken } = (await response.json()) as { accessToken: string };
      expect(decodeMemberTokenPayload(accessToken)).toMatchObject({
        orgId: 'dev-org',
        environment: 'sandbox',
      });
    } finally {
      await stop();
    }
  });
});
