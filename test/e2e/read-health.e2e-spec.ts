import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { EVENT_STORE } from '../../src/event-store/event-store.port';
import { ProjectionLagError } from '../../src/projections/engine/waiters';
import { WalletQueries } from '../../src/read-models/wallet/wallet.queries';
import { credit } from '../support/fixtures';
import { caughtUp, readSide } from '../support/read-models';
import { api, ApiResponse, KEYS, startTestApp, TestApp } from '../support/test-app';

interface HealthBody {
  status: string;
  eventStore: { headPosition: string };
  projections: Array<{ name: string; status: string; checkpoint: string; lag: number }>;
}

/** /health shows each projection's checkpoint and lag, and a projection stopped on an event. */
describe('Projections on /health (e2e)', () => {
  let t: TestApp;
  /** The details are for an operator key; anyone else gets the status alone. */
  let operator: ReturnType<typeof api>;

  beforeAll(async () => {
    t = await startTestApp();
    operator = api(t.baseUrl, KEYS.operator);
  });
  afterAll(() => t.close());

  it('reports every projection caught up with the head of $all', async () => {
    await credit(api(t.baseUrl, KEYS.acmeSandbox), 'healthy', 10);
    await caughtUp(t);
    const response = await operator('GET', '/health');
    expect(response.status).toBe(200);
    const body = response.body as HealthBody;
    const head = body.eventStore.headPosition;
    expect(body.status).toBe('ok');
    expect(body.projections.map((p: { name: string }) => p.name)).toEqual([
      'wallets',
      'transactions',
      'redemptions',
      'offers',
      'analytics',
    ]);
    for (const p of body.projections)
      expect(p).toEqual({ name: p.name, status: 'running', checkpoint: head, lag: 0 });
    // Caught up: ready for traffic, as an orchestrator asks it, with no key.
    const ready = await fetch(`${t.baseUrl}/health/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('answers a read whose projections lag past the wait 503 READ_MODEL_LAGGING with Retry-After', async () => {
    const { engine } = readSide(t);
    const wait = jest
      .spyOn(engine, 'waitFor')
      .mockRejectedValueOnce(new ProjectionLagError(['wallets'], 42, 5000));
    try {
      const read = await api(t.baseUrl, KEYS.acmeSandbox)(
        'GET',
        '/v1/wallet?externalUserID=healthy',
      );
      expect(read.status).toBe(503);
      expect(read.headers.get('retry-after')).toBe('1');
      expect(read.body.error).toMatchObject({
        code: 'READ_MODEL_LAGGING',
        details: { projections: ['wallets'] }, // no position in $all: it counts every tenant's writes
      });
    } finally {
      wait.mockRestore();
    }
    const after = await api(t.baseUrl, KEYS.acmeSandbox)(
      'GET',
      '/v1/wallet?externalUserID=healthy',
    );
    expect(after.status).toBe(200);
    expect(after.headers.get('retry-after')).toBeNull();
  });

  it('answers 503 "degraded" naming the projection, the position and the error when one stops; reads of it are 503', async () => {
    const { store } = readSide(t);
    const metadata = {
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      environment: 'sandbox',
      orgId: 'acme',
      externalUserID: 'healthy',
    };
    const event = {
      id: randomUUID(),
      type: 'PointsCredited',
      data: { transactionId: 'txn_x', amount: -1.5, reason: null, creditedAt: metadata.occurredAt },
      metadata,
    };
    const { position } = await store.append(
      'wallet-sandbox.acme.healthy-broken',
      [event],
      'no_stream',
    );

    const read = await api(t.baseUrl, KEYS.acmeSandbox)('GET', '/v1/wallet?externalUserID=healthy');
    expect(read.status).toBe(503);
    expect(read.body.error).toMatchObject({ code: 'READ_MODEL_UNAVAILABLE' });
    // The reason, which may quote an event of any tenant, is on /health for an operator key only.
    expect(read.body.error.details).toEqual({ projection: 'wallets' });
    const response = await operator('GET', '/health');
    expect(response.status).toBe(503);
    const body = response.body as HealthBody;
    expect(body.status).toBe('degraded');
    const wallets = body.projections.find((p: { name: string }) => p.name === 'wallets');
    expect(wallets).toEqual({
      name: 'wallets',
      status: 'stopped',
      checkpoint: String(position - 1n),
      lag: 1,
      error: { position: String(position), message: 'PointsCredited: amount is not an integer' },
    });
    expect(body.projections.find((p: { name: string }) => p.name === 'offers')).toMatchObject({
      status: 'running',
      lag: 0,
    });
    // A load balancer sees that the service is degraded, not where or why; nor does an
    // organization, whose key must not show it positions or events of the other tenants.
    const anonymous = await fetch(`${t.baseUrl}/health`);
    expect([anonymous.status, await anonymous.json()]).toEqual([503, { status: 'degraded' }]);
    for (const key of [KEYS.acmeSandbox, KEYS.globexSandbox]) {
      const org = await api(t.baseUrl, key)('GET', '/health');
      expect([org.status, org.body]).toEqual([503, { status: 'degraded' }]);
    }
    const ready = await fetch(`${t.baseUrl}/health/ready`);
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'degraded' }]);
  });
});

/** A read that meets a database file SQLite cannot use: its answer, and /health after it. */
describe('A damaged read-model file on /health (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers the read 503 SERVICE_UNAVAILABLE, not a 500, and /health then says degraded', async () => {
    const org = api(t.baseUrl, KEYS.acmeSandbox);
    const operator = api(t.baseUrl, KEYS.operator);
    await credit(org, 'damaged', 10);
    expect((await operator('GET', '/health')).status).toBe(200);
    const queries = t.app.get(WalletQueries);
    // As better-sqlite3 raises it for a damaged page.
    const damaged = Object.assign(new Error('database disk image is malformed'), {
      code: 'SQLITE_CORRUPT',
    });
    const read = jest.spyOn(queries, 'wallet').mockImplementationOnce(() => {
      throw damaged;
    });
    try {
      const response = await org('GET', '/v1/wallet?externalUserID=damaged');
      expect(response.status).toBe(503);
      expect(response.body.error).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringContaining('(SQLITE_CORRUPT)'),
      });
    } finally {
      read.mockRestore();
    }
    // Other reads still work, but the file is damaged: the replica must leave the load balancer.
    expect((await org('GET', '/v1/wallet?externalUserID=damaged')).status).toBe(200);
    const health = await operator('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      status: 'degraded',
      fileFailure: { code: 'SQLITE_CORRUPT', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    });
    expect((health.body as HealthBody).projections.every((p) => p.status === 'running')).toBe(true);
    const anonymous = await fetch(`${t.baseUrl}/health`);
    expect([anonymous.status, await anonymous.json()]).toEqual([503, { status: 'degraded' }]);
    const ready = await fetch(`${t.baseUrl}/health/ready`);
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'degraded' }]);
    // The scrape itself still answers 200: it is the figures that say degraded.
    const metrics = await fetch(`${t.baseUrl}/metrics`, {
      headers: { Authorization: `Bearer ${KEYS.operator}` },
    });
    expect(metrics.status).toBe(200);
    const lines = (await metrics.text()).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining(['ledger_degraded 1', 'ledger_database_file_failing 1']),
    );
  });
});

/** A write that meets a full disk: the client is told to retry, and /health must say so too. */
describe('A full disk on /health (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers the write 503 (retry with the key) and turns /health degraded naming SQLITE_FULL', async () => {
    const org = api(t.baseUrl, KEYS.acmeSandbox);
    const operator = api(t.baseUrl, KEYS.operator);
    await credit(org, 'full', 10);
    expect((await operator('GET', '/health')).status).toBe(200);
    const { db } = t.app.get<unknown, { db: Database.Database }>(EVENT_STORE);
    // SQLite's page limit fails the transaction as a full disk does: SQLITE_FULL.
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    try {
      // The pages it has still hold some room: write until a write finds none.
      let refused: ApiResponse<{ error: { code: string; message: string } }> | undefined;
      for (let i = 0; i < 500 && refused?.status !== 503; i++)
        refused = await org(
          'POST',
          '/v1/wallet/credit',
          { externalUserID: 'full', amount: 5, reason: 'x'.repeat(500) },
          { 'Idempotency-Key': randomUUID() },
        );
      if (!refused) throw new Error('no write was sent');
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringContaining('retry with the same Idempotency-Key'),
      });
      // No read has failed: only the write tells /health that this replica cannot write.
      const health = await operator('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({
        status: 'degraded',
        fileFailure: { code: 'SQLITE_FULL' },
      });
      const ready = await fetch(`${t.baseUrl}/health/ready`);
      expect([ready.status, await ready.json()]).toEqual([503, { status: 'degraded' }]);
    } finally {
      db.pragma('max_page_count = 1073741823');
    }
  });
});

/** An orchestrator may ask for readiness the first time long after the start, under load. */
describe('Readiness first asked under load (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is ready once the read models reached the head of the start, however far writes went since', async () => {
    const { engine, store } = readSide(t);
    const startHead = Number(await store.headPosition());
    await credit(api(t.baseUrl, KEYS.acmeSandbox), 'busy', 10);
    // Steady writes keep the projections up to a paced commit behind the head: here, all of it.
    const status = engine.status();
    const behind = jest
      .spyOn(engine, 'status')
      .mockReturnValue(status.map((p) => ({ ...p, checkpoint: startHead })));
    try {
      const ready = await fetch(`${t.baseUrl}/health/ready`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    } finally {
      behind.mockRestore();
    }
  });
});
