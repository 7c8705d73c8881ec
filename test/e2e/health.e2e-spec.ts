import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory';
import { DEV_OPERATOR_API_KEY } from '../../src/auth/operator-keys';
import { DEV_ORG_API_KEY } from '../../src/auth/org-keys';
import { loadConfig } from '../../src/config/app-config';
import { memberToken } from '../support/fixtures';
import { api } from '../support/test-app';

describe('GET /health (e2e)', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-e2e-'));
    app = await createApp(loadConfig({ DATA_DIR: dataDir }), { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const health = (headers: Record<string, string> = {}) => fetch(`${baseUrl}/health`, { headers });
  const operatorKey = { Authorization: `Bearer ${DEV_OPERATOR_API_KEY}` };

  it('answers the operator key ok, with the store it uses, and a request id', async () => {
    const response = await health(operatorKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await response.json()) as any;
    expect(body).toMatchObject({
      status: 'ok',
      eventStore: { kind: 'sqlite', headPosition: '-1' },
    });
    expect(body.projections.map((p: { name: string }) => p.name)).toContain('wallets');
  });

  it('answers anyone else, an organization and a member too, with the status alone, and a wrong credential with 401', async () => {
    const token = await memberToken(api(baseUrl, DEV_ORG_API_KEY), 'm1');
    for (const headers of [
      {},
      { Authorization: `Bearer ${DEV_ORG_API_KEY}` },
      { 'X-API-Key': DEV_ORG_API_KEY },
      { Authorization: `Bearer ${token}` },
    ] as Array<Record<string, string>>) {
      const response = await health(headers);
      expect([response.status, await response.json()]).toEqual([200, { status: 'ok' }]);
    }
    for (const headers of [
      { Authorization: 'Bearer expys_sandbox_wrong' },
      { 'X-API-Key': '' },
    ] as Array<Record<string, string>>) {
      const response = await health(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="points-ledger"');
    }
  });

  it('echoes a safe caller request id and answers unknown routes in the error shape', async () => {
    const response = await fetch(`${baseUrl}/nope`, {
      headers: { 'X-Request-Id': 'trace-123', Authorization: `Bearer ${DEV_ORG_API_KEY}` },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    expect(await response.json()).toEqual({
      error: { code: 'NOT_FOUND', message: expect.any(String), requestId: 'trace-123' },
    });
  });

  it('does not tell a caller without a credential which routes exist', async () => {
    const response = await fetch(`${baseUrl}/nope`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('UNAUTHORIZED');
  });
});
