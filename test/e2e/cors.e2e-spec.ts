import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import { corsOriginsFrom } from '../../src/config/cors';
import { KEYS, TEST_ENV } from '../support/test-app';

const APP_ORIGIN = 'https://app.acme.example';

/** The service with CORS_ORIGINS as given (undefined: unset), listening on a free port. */
async function startWithCors(corsOrigins: string | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-cors-'));
  const env = { ...TEST_ENV, DATA_DIR: dataDir, CORS_ORIGINS: corsOrigins };
  const app: NestFastifyApplication = await createApp(loadConfig(env), { logger: false });
  await app.listen(0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  return {
    baseUrl,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser's preflight for a POST of a redemption, from `origin`. */
function preflight(baseUrl: string, origin: string) {
  return fetch(`${baseUrl}/v1/redemptions`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,idempotency-key',
    },
  });
}

describe('CORS (e2e): browser apps of the allowed origins, and no others', () => {
  describe('with CORS_ORIGINS set to one origin', () => {
    let service: Awaited<ReturnType<typeof startWithCors>>;
    beforeAll(async () => {
      service = await startWithCors(APP_ORIGIN);
    });
    afterAll(() => service.close());

    it('answers the preflight of an allowed origin without a credential', async () => {
      const response = await preflight(service.baseUrl, APP_ORIGIN);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase();
      for (const header of ['authorization', 'content-type', 'idempotency-key', 'x-api-key']) {
        expect(allowed).toContain(header);
      }
      expect(response.headers.get('access-control-max-age')).toBe('600');
      expect(response.headers.get('vary')).toContain('Origin');
    });

    it('gives another origin no Access-Control-Allow-Origin, so its browser refuses', async () => {
      const response = await preflight(service.baseUrl, 'https://evil.example');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const read = await fetch(`${service.baseUrl}/v1/offers`, {
        headers: { origin: 'https://evil.example', authorization: `Bearer ${KEYS.acmeSandbox}` },
      });
      expect(read.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('lets the page read the answer and its headers, a refusal included', async () => {
      const ok = await fetch(`${service.baseUrl}/v1/offers`, {
        headers: { origin: APP_ORIGIN, authorization: `Bearer ${KEYS.acmeSandbox}` },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(ok.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
      expect(ok.headers.get('access-control-expose-headers')).toContain('Idempotent-Replayed');

      const refused = await fetch(`${service.baseUrl}/v1/offers`, {
        headers: { origin: APP_ORIGIN },
      });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as any).error.code).toBe('UNAUTHORIZED');
      expect(refused.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    });

    it('still needs a credential on every request that is not a preflight', async () => {
      const response = await fetch(`${service.baseUrl}/v1/wallet`, {
        method: 'GET',
        headers: { origin: APP_ORIGIN },
      });
      expect(response.status).toBe(401);
    });
  });

  describe('with CORS_ORIGINS unset (the default)', () => {
    let service: Awaited<ReturnType<typeof startWithCors>>;
    beforeAll(async () => {
      service = await startWithCors(undefined);
    });
    afterAll(() => service.close());

    it('sends no CORS headers, and a preflight without a credential is refused', async () => {
      const response = await preflight(service.baseUrl, APP_ORIGIN);
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const read = await fetch(`${service.baseUrl}/v1/offers`, {
        headers: { origin: APP_ORIGIN, authorization: `Bearer ${KEYS.acmeSandbox}` },
      });
      expect(read.status).toBe(200);
      expect(read.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('with CORS_ORIGINS=*', () => {
    let service: Awaited<ReturnType<typeof startWithCors>>;
    beforeAll(async () => {
      service = await startWithCors('*');
    });
    afterAll(() => service.close());

    it('allows any origin, never with credentials (no cookie carries one)', async () => {
      const response = await preflight(service.baseUrl, 'https://anywhere.example');
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    });
  });
});

describe('CORS_ORIGINS', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['  ', undefined],
    ['*', '*'],
    ['https://app.example.com', ['https://app.example.com']],
    [
      'https://a.example, http://localhost:5173,https://a.example',
      ['https://a.example', 'http://localhost:5173'],
    ],
    ['http://[::1]:8080', ['http://[::1]:8080']],
  ])('reads %j as %j', (value, expected) => {
    expect(corsOriginsFrom({ CORS_ORIGINS: value })).toEqual(expected);
  });

  it.each([
    'app.example.com',
    'https://app.example.com/',
    'https://app.example.com/path',
    'https://user@app.example.com',
    'https://App.Example.com',
    'ftp://app.example.com',
    'https://app.example.com:99999',
    'https://a.example,',
    'https://a.example,*',
  ])('refuses %j at start-up, naming the variable', (value) => {
    expect(() => corsOriginsFrom({ CORS_ORIGINS: value })).toThrow(/^CORS_ORIGINS must be/);
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS/);
  });
});
