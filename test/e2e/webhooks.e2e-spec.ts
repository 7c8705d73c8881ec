import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import { WebhookDelivery } from '../../src/webhooks/delivery/webhook-delivery.service';
import { verifySignature } from '../../src/webhooks/webhook-signing';
import { WEBHOOK_LIMITS } from '../../src/webhooks/endpoint/webhook.events';
import { credit, memberToken } from '../support/fixtures';
import { api, headPosition, KEYS, startTestApp, TEST_ENV, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

/** POST/GET/DELETE /v1/webhooks over HTTP, and a delivery through the running app. */
describe('Webhooks (e2e)', () => {
  let t: TestApp;
  let org: ReturnType<typeof api>;
  let live: ReturnType<typeof api>;
  let globex: ReturnType<typeof api>;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
    live = api(t.baseUrl, KEYS.acmeLive);
    globex = api(t.baseUrl, KEYS.globexSandbox);
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const register = (client = org, body: unknown = { url: receiver.url(), events: ['*'] }) =>
    client('POST', '/v1/webhooks', body);
  const ids = async (client: ReturnType<typeof api>) =>
    ((await client('GET', '/v1/webhooks')).body.data as Array<{ id: string }>).map((w) => w.id);

  it('registers, lists without the secret, and deletes', async () => {
    const created = await register(org, {
      url: receiver.url('/a'),
      events: ['loyalty.redemption.created', 'loyalty.points.credited'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^wh_[0-9a-f]{20}$/),
      url: receiver.url('/a'),
      events: ['loyalty.redemption.created', 'loyalty.points.credited'],
      environment: 'SANDBOX',
      createdAt: expect.any(String),
      signingSecret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const { id, signingSecret, ...shown } = created.body;
    const listed = await org('GET', '/v1/webhooks');
    expect(listed.status).toBe(200);
    expect(listed.body.data).toContainEqual({ id, ...shown, disabledAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(signingSecret);

    const deleted = await org('DELETE', `/v1/webhooks/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id, ok: true });
    expect(await ids(org)).not.toContain(id);
    expect((await org('DELETE', `/v1/webhooks/${id}`)).status).toBe(404);
    expect((await org('DELETE', '/v1/webhooks/wh_00000000000000000000')).body.error.code).toBe(
      'NOT_FOUND',
    );
  });

  it('replays a POST with the same Idempotency-Key, secret and all, and registers once', async () => {
    const headers = { 'Idempotency-Key': 'webhook-create-1' };
    const body = { url: receiver.url('/idem'), events: ['loyalty.points.refunded'] };
    const first = await org('POST', '/v1/webhooks', body, headers);
    const head = await headPosition(t.baseUrl);
    const again = await org('POST', '/v1/webhooks', body, headers);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await headPosition(t.baseUrl)).toBe(head);
    const other = await org('POST', '/v1/webhooks', { ...body, events: ['*'] }, headers);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await org('DELETE', `/v1/webhooks/${first.body.id}`);
  });

  it('keeps sandbox, live and other organizations apart', async () => {
    const sandbox = (await register(org)).body;
    const inLive = (await register(live)).body;
    expect(inLive.environment).toBe('LIVE');
    expect(inLive.signingSecret).not.toBe(sandbox.signingSecret);
    expect(await ids(org)).toContain(sandbox.id);
    expect(await ids(org)).not.toContain(inLive.id);
    expect(await ids(live)).toEqual([inLive.id]);
    expect(await ids(globex)).toEqual([]);
    expect((await live('DELETE', `/v1/webhooks/${sandbox.id}`)).status).toBe(404);
    expect((await globex('DELETE', `/v1/webhooks/${sandbox.id}`)).status).toBe(404);
    await org('DELETE', `/v1/webhooks/${sandbox.id}`);
    await live('DELETE', `/v1/webhooks/${inLive.id}`);
  });

  it('refuses member tokens (403) and requests without a key (401)', async () => {
    const member = api(t.baseUrl, await memberToken(org, 'webhook-member'));
    expect((await member('GET', '/v1/webhooks')).status).toBe(403);
    expect((await register(member)).status).toBe(403);
    expect((await member('DELETE', '/v1/webhooks/wh_00000000000000000000')).status).toBe(403);
    const anonymous = await fetch(`${t.baseUrl}/v1/webhooks`);
    expect(anonymous.status).toBe(401);
  });

  it.each([
    ['url', 422, { url: 'ftp://example.com/hook', events: ['*'] }],
    ['url', 422, { url: '/relative', events: ['*'] }],
    ['url', 422, { url: 'https://example.com/hook#x', events: ['*'] }],
    ['url', 400, { url: `https://example.com/${'x'.repeat(WEBHOOK_LIMITS.url)}`, events: ['*'] }],
    ['events', 400, { url: 'https://example.com/hook', events: [] }],
    ['events', 400, { url: 'https://example.com/hook', events: 'loyalty.points.credited' }],
    ['events', 400, { url: 'https://example.com/hook' }],
    ['secret', 400, { url: 'https://example.com/hook', events: ['*'], secret: 'x' }],
  ])('refuses a bad %s with %p VALIDATION_FAILED (case %#)', async (field, status, body) => {
    const refused = await register(org, body);
    expect(refused.status).toBe(status);
    expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(refused.body.error.details)).toContain(field);
  });

  it('names the unknown event names it refuses', async () => {
    const refused = await register(org, {
      url: 'https://example.com/hook',
      events: ['loyalty.points.credited', 'loyalty.points.stolen'],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'events', unknown: ['loyalty.points.stolen'] },
    });
  });

  it(`takes at most ${WEBHOOK_LIMITS.perTenant} webhooks per organization and environment`, async () => {
    const made: string[] = [];
    for (let i = 0; i < WEBHOOK_LIMITS.perTenant; i++) {
      const created = await register(globex, { url: `https://example.com/${i}`, events: ['*'] });
      expect(created.status).toBe(201);
      made.push(created.body.id);
    }
    const over = await register(globex, { url: 'https://example.com/over', events: ['*'] });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('WEBHOOK_LIMIT_REACHED');
    expect((await globex('DELETE', `/v1/webhooks/${made[0]}`)).status).toBe(200);
    const again = await register(globex, { url: 'https://example.com/again', events: ['*'] });
    expect(again.status).toBe(201);
    for (const id of [...made.slice(1), again.body.id])
      await globex('DELETE', `/v1/webhooks/${id}`);
  });

  it('delivers a credit, signed with the secret it registered with', async () => {
    const created = await register(org, {
      url: receiver.url('/credits'),
      events: ['loyalty.points.credited'],
    });
    await credit(org, 'webhook-ada', 250);
    const received = await receiver.next();
    expect(received.path).toBe('/credits');
    const { headers, body } = received;
    const id = headers['webhook-id'] as string;
    const timestamp = Number(headers['webhook-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(
      verifySignature(
        created.body.signingSecret,
        id,
        timestamp,
        body,
        headers['webhook-signature'] as string,
      ),
    ).toBe(true);
    expect(JSON.parse(body)).toEqual({
      id,
      type: 'loyalty.points.credited',
      createdAt: expect.any(String),
      environment: 'SANDBOX',
      data: expect.objectContaining({ externalUserID: 'webhook-ada', amount: 250 }),
    });
    const delivery = t.app.get(WebhookDelivery);
    await delivery.deliverer!.settled();
    const deliveries = await org('GET', `/v1/webhooks/${created.body.id}/deliveries`);
    expect(deliveries.body.data).toEqual([
      {
        id,
        eventId: expect.any(String),
        type: 'loyalty.points.credited',
        status: 'DELIVERED',
        attempts: 1,
        lastError: null,
        nextAttemptAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    ]);
    expect((await live('GET', `/v1/webhooks/${created.body.id}/deliveries`)).status).toBe(404);
    await org('DELETE', `/v1/webhooks/${created.body.id}`);
    // A deleted webhook's deliveries stay visible.
    expect((await org('GET', `/v1/webhooks/${created.body.id}/deliveries`)).body).toEqual(
      deliveries.body,
    );
    const metrics = await fetch(`${t.baseUrl}/metrics`, {
      headers: { Authorization: `Bearer ${KEYS.operator}` },
    });
    const exposition = await metrics.text();
    expect(exposition).toContain('ledger_webhook_deliveries_total{outcome="delivered"}');
    expect(exposition).toContain('\nledger_webhook_deliveries_pending 0\n');
    expect(exposition).toMatch(/\nledger_webhook_dispatch_lag_events \d+\n/);
    expect(existsSync(join(t.dataDir, 'webhooks.db'))).toBe(true);
  });

  it('sends a delivery again on request, once, with the same id and body', async () => {
    const created = await register(org, {
      url: receiver.url('/again'),
      events: ['loyalty.points.credited'],
    });
    const webhookId = created.body.id;
    await credit(org, 'webhook-resend', 40);
    const first = await receiver.next();
    const deliveryId = first.headers['webhook-id'] as string;
    const delivery = t.app.get(WebhookDelivery);
    await delivery.deliverer!.settled();
    const path = `/v1/webhooks/${webhookId}/deliveries/${deliveryId}/resend`;
    const key = { 'Idempotency-Key': `resend-${deliveryId}` };

    const resent = await org('POST', path, undefined, key);
    expect([resent.status, resent.body]).toEqual([
      202,
      { id: deliveryId, webhookId, requestedAt: expect.any(String) },
    ]);
    const again = await receiver.next();
    expect([again.path, again.headers['webhook-id'], again.body]).toEqual([
      '/again',
      deliveryId,
      first.body,
    ]);
    await delivery.deliverer!.settled();
    const listed = await org('GET', `/v1/webhooks/${webhookId}/deliveries`);
    expect(listed.body.data).toEqual([
      expect.objectContaining({ id: deliveryId, status: 'DELIVERED', attempts: 2 }),
    ]);
    // The same key replays the answer and records nothing new: no third send.
    const head = await headPosition(t.baseUrl);
    const replayed = await org('POST', path, undefined, key);
    expect([replayed.status, replayed.body]).toEqual([202, resent.body]);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(await headPosition(t.baseUrl)).toBe(head);

    const member = api(t.baseUrl, await memberToken(org, 'webhook-resend'));
    expect((await member('POST', path)).status).toBe(403);
    expect((await live('POST', path)).status).toBe(404);
    const unknown = await org(
      'POST',
      `/v1/webhooks/${webhookId}/deliveries/msg_${'0'.repeat(32)}/resend`,
    );
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const malformed = await org('POST', `/v1/webhooks/${webhookId}/deliveries/msg_x/resend`);
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    await org('DELETE', `/v1/webhooks/${webhookId}`);
    expect((await org('POST', path)).status).toBe(404);
  });

  it('rotates a signing secret: shown once, and deliveries signed by the new and the old one', async () => {
    const created = await register(org, {
      url: receiver.url('/rotated'),
      events: ['loyalty.points.credited'],
    });
    const webhookId = created.body.id;
    const path = `/v1/webhooks/${webhookId}/rotate-secret`;
    const key = { 'Idempotency-Key': `rotate-${webhookId}` };
    const rotated = await org('POST', path, undefined, key);
    expect([rotated.status, rotated.body]).toEqual([
      200,
      {
        id: webhookId,
        secretVersion: 2,
        rotatedAt: expect.any(String),
        previousSecretExpiresAt: expect.any(String),
        signingSecret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      },
    ]);
    const { signingSecret, rotatedAt, previousSecretExpiresAt } = rotated.body;
    expect(signingSecret).not.toBe(created.body.signingSecret);
    expect(Date.parse(previousSecretExpiresAt) - Date.parse(rotatedAt)).toBe(24 * 3_600_000);
    // A replay answers the same secret and rotates nothing more.
    const replayed = await org('POST', path, undefined, key);
    expect([replayed.body, replayed.headers.get('idempotent-replayed')]).toEqual([
      rotated.body,
      'true',
    ]);
    expect(JSON.stringify((await org('GET', '/v1/webhooks')).body)).not.toContain(signingSecret);

    await credit(org, 'webhook-rotated', 7);
    const { headers, body } = await receiver.next();
    const verifies = (secret: string) =>
      verifySignature(
        secret,
        headers['webhook-id'] as string,
        Number(headers['webhook-timestamp']),
        body,
        headers['webhook-signature'] as string,
      );
    expect([verifies(signingSecret), verifies(created.body.signingSecret)]).toEqual([true, true]);

    const again = await org('POST', path);
    expect(again.body.secretVersion).toBe(3);
    const member = api(t.baseUrl, await memberToken(org, 'webhook-rotated'));
    expect((await member('POST', path)).status).toBe(403);
    expect((await live('POST', path)).status).toBe(404);
    await t.app.get(WebhookDelivery).deliverer!.settled();
    await org('DELETE', `/v1/webhooks/${webhookId}`);
    expect((await org('POST', path)).body.error.code).toBe('NOT_FOUND');
  });

  it('gives 50 concurrent rotations 50 versions and 50 secrets, none twice', async () => {
    const created = await register(org, { url: 'https://hooks.example.com/busy', events: ['*'] });
    const path = `/v1/webhooks/${created.body.id}/rotate-secret`;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        org('POST', path, undefined, { 'Idempotency-Key': `busy-rotation-${i}` }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    const versions = answers.map((a) => a.body.secretVersion as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(new Set(answers.map((a) => a.body.signingSecret)).size).toBe(50);
    await org('DELETE', `/v1/webhooks/${created.body.id}`);
  });

  it('sends a test delivery on request, named in the answer, and moves no points', async () => {
    const created = await register(org, {
      url: receiver.url('/tested'),
      events: ['loyalty.redemption.created'],
    });
    const webhookId = created.body.id;
    const path = `/v1/webhooks/${webhookId}/test`;
    const tested = await org('POST', path, undefined, { 'Idempotency-Key': `test-${webhookId}` });
    expect([tested.status, tested.body]).toEqual([
      202,
      {
        id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
        webhookId,
        type: 'loyalty.webhook.test',
        requestedAt: expect.any(String),
      },
    ]);
    const { headers, body } = await receiver.next();
    expect(headers['webhook-id']).toBe(tested.body.id);
    const timestamp = Number(headers['webhook-timestamp']);
    expect(
      verifySignature(
        created.body.signingSecret,
        tested.body.id,
        timestamp,
        body,
        headers['webhook-signature'] as string,
      ),
    ).toBe(true);
    expect(JSON.parse(body)).toMatchObject({
      type: 'loyalty.webhook.test',
      data: { webhookId, requestedAt: tested.body.requestedAt },
    });
    await t.app.get(WebhookDelivery).deliverer!.settled();

    const member = api(t.baseUrl, await memberToken(org, 'webhook-tester'));
    expect((await member('POST', path)).status).toBe(403);
    expect((await live('POST', path)).status).toBe(404);
    await org('DELETE', `/v1/webhooks/${webhookId}`);
    expect((await org('POST', path)).body.error.code).toBe('NOT_FOUND');
  });

  it('takes registrations but delivers nothing with WEBHOOK_DELIVERY=off', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-webhooks-off-'));
    const app = await createApp(
      loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, WEBHOOK_DELIVERY: 'off' }),
      { logger: false },
    );
    try {
      await app.listen(0, '127.0.0.1');
      const off = api(await app.getUrl(), KEYS.acmeSandbox);
      expect((await register(off)).status).toBe(201);
      expect(app.get(WebhookDelivery).deliverer).toBeUndefined();
      expect(existsSync(join(dataDir, 'webhooks.db'))).toBe(false);
      const id = (await off('GET', '/v1/webhooks')).body.data[0].id;
      const deliveries = await off('GET', `/v1/webhooks/${id}/deliveries`);
      expect([deliveries.status, deliveries.body.error.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('registers public hosts only with WEBHOOK_PRIVATE_DESTINATIONS=deny, and its deliverer sends to them only', async () => {
    const guarded = await startTestApp(undefined, {}, undefined, {
      WEBHOOK_PRIVATE_DESTINATIONS: 'deny',
    });
    try {
      const client = api(guarded.baseUrl, KEYS.acmeSandbox);
      for (const url of [
        receiver.url('/internal'),
        'http://169.254.169.254/latest/meta-data/',
        'https://[::1]/hook',
        'http://localhost:8080/hook',
      ]) {
        const refused = await register(client, { url, events: ['*'] });
        expect([refused.status, refused.body.error.code, refused.body.error.details]).toEqual([
          422,
          'VALIDATION_FAILED',
          { field: 'url' },
        ]);
        expect(refused.body.error.message).toMatch(/^url must point at a public host: /);
      }
      expect(await ids(client)).toEqual([]);
      expect(
        (await register(client, { url: 'https://hooks.example.com/a', events: ['*'] })).status,
      ).toBe(201);
      expect(guarded.app.get(WebhookDelivery).deliverer?.publicOnly).toBe(true);
    } finally {
      await guarded.close();
    }
  });

  it('documents every webhook event name in docs/webhooks.md', () => {
    const doc = readFileSync(join(__dirname, '../../docs/webhooks.md'), 'utf8');
    for (const name of [
      'loyalty.redemption.created',
      'loyalty.redemption.applied',
      'loyalty.points.credited',
    ])
      expect(doc).toContain(name);
  });
});
