import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventData, JsonObject } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { WebhookDeliverer } from '../../src/webhooks/delivery/webhook-deliverer';
import { WebhookDispatcher } from '../../src/webhooks/delivery/webhook-dispatcher';
import { DeliveryRow, WebhookOutbox } from '../../src/webhooks/delivery/webhook-outbox';
import { Resolver } from '../../src/webhooks/delivery/webhook-request';
import { signingSecretOf, verifySignature } from '../../src/webhooks/webhook-signing';
import { WebhookReceiver } from '../support/webhook-receiver';

const KEY = 'webhook-delivery-spec-signing-key-0123456789';
const T0 = Date.parse('2026-12-07T12:00:00.000Z');
const SCHEDULE = [10_000, 60_000];

/**
 * The dispatcher and the deliverer on the embedded store, a webhooks.db file and a real receiver
 * on 127.0.0.1, driven by explicit runOnce calls at chosen instants: no waiting for a timer.
 */
describe('webhook delivery', () => {
  let dir: string;
  let store: SqliteEventStore;
  let outbox: WebhookOutbox;
  let receiver: WebhookReceiver;
  let revisions: Map<string, bigint>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'points-ledger-webhooks-'));
    store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    outbox = WebhookOutbox.open(join(dir, 'webhooks.db'));
    receiver = await WebhookReceiver.start();
    revisions = new Map();
  });
  afterEach(async () => {
    outbox.close();
    await store.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const meta = (tenant: string, externalUserID?: string): JsonObject => {
    const [environment, orgId] = tenant.split('.');
    return {
      schemaVersion: 1,
      occurredAt: new Date(T0).toISOString(),
      environment,
      orgId,
      actor: `org:${orgId}`,
      ...(externalUserID ? { externalUserID } : {}),
    };
  };
  const append = async (stream: string, event: Omit<EventData, 'id'>) => {
    const expected = revisions.get(stream) ?? 'no_stream';
    const result = await store.append(stream, [{ id: randomUUID(), ...event }], expected);
    revisions.set(stream, result.nextExpectedRevision);
  };
  const registerWebhook = (
    webhookId: string,
    events = ['*'],
    tenant = 'sandbox.acme',
    url = receiver.url(`/${webhookId}`),
  ) =>
    append(`webhooks-${tenant}`, {
      type: 'WebhookRegistered',
      data: { webhookId, url, events, registeredAt: 'x' },
      metadata: meta(tenant),
    });
  const deleteWebhook = (webhookId: string, tenant = 'sandbox.acme') =>
    append(`webhooks-${tenant}`, {
      type: 'WebhookDeleted',
      data: { webhookId, deletedAt: 'x' },
      metadata: meta(tenant),
    });
  const requestResend = (webhookId: string, deliveryId: string, tenant = 'sandbox.acme') =>
    append(`webhooks-${tenant}`, {
      type: 'WebhookDeliveryResendRequested',
      data: { webhookId, deliveryId, requestedAt: 'x' },
      metadata: meta(tenant),
    });
  const rotateSecret = (webhookId: string, secretVersion: number, at: number) =>
    append('webhooks-sandbox.acme', {
      type: 'WebhookSecretRotated',
      data: { webhookId, secretVersion, rotatedAt: new Date(at).toISOString() },
      metadata: meta('sandbox.acme'),
    });
  const requestTest = (webhookId: string) =>
    append('webhooks-sandbox.acme', {
      type: 'WebhookTestRequested',
      data: { webhookId, requestedAt: new Date(T0).toISOString() },
      metadata: meta('sandbox.acme'),
    });
  const creditPoints = (amount: number, tenant = 'sandbox.acme') =>
    append(`wallet-${tenant}.ref1`, {
      type: 'PointsCredited',
      data: { transactionId: `txn_${amount}`, amount, reason: null, creditedAt: 'x' },
      metadata: meta(tenant, 'ada'),
    });
  const rows = (): DeliveryRow[] =>
    outbox.db.prepare('SELECT * FROM wh_deliveries ORDER BY rowid').all() as DeliveryRow[];
  const dispatcher = () => new WebhookDispatcher(store, outbox, { clock: () => T0 });
  /** Runs the dispatcher until it has gone past every event of $all. */
  const dispatchAll = async () => {
    const dispatching = dispatcher();
    while ((await dispatching.runOnce()) > 0);
  };
  const deliverer = (options: Partial<ConstructorParameters<typeof WebhookDeliverer>[1]> = {}) =>
    new WebhookDeliverer(outbox, {
      signingKey: KEY,
      schedule: SCHEDULE,
      clock: () => T0,
      ...options,
    });

  it('sends a mapped event, signed with the secret the webhook was given', async () => {
    await registerWebhook('wh_a');
    await creditPoints(250);
    await append('wallet-sandbox.acme.ref1', {
      type: 'PointsDebited',
      data: { transactionId: 't', amount: 1, reason: 'redemption', redemptionId: null },
      metadata: meta('sandbox.acme', 'ada'),
    });
    // The batch ends at the tenant's first registration; the next reads its events' bodies.
    const dispatching = dispatcher();
    expect(await dispatching.runOnce()).toBe(1);
    expect(await dispatching.runOnce()).toBe(2);
    expect(rows()).toHaveLength(1); // PointsDebited carries no webhook

    expect(await deliverer().runOnce(T0)).toBe(1);
    const { path, headers, body } = await receiver.next();
    expect(path).toBe('/wh_a');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-timestamp']).toBe(String(T0 / 1000));
    const secret = signingSecretOf(KEY, 'sandbox.acme', 'wh_a');
    const id = headers['webhook-id'] as string;
    const signature = headers['webhook-signature'] as string;
    expect(verifySignature(secret, id, T0 / 1000, body, signature)).toBe(true);
    expect(
      verifySignature(signingSecretOf(KEY, 'live.acme', 'wh_a'), id, T0 / 1000, body, signature),
    ).toBe(false);
    expect(JSON.parse(body)).toEqual({
      id,
      type: 'loyalty.points.credited',
      createdAt: new Date(T0).toISOString(),
      environment: 'SANDBOX',
      data: {
        externalUserID: 'ada',
        transactionId: 'txn_250',
        amount: 250,
        reason: null,
        creditedAt: 'x',
      },
    });
    expect(rows()[0]).toMatchObject({ status: 'delivered', attempts: 1, next_attempt_at: null });
    expect(await deliverer().runOnce(T0 + 3_600_000)).toBe(0);
  });

  it('retries a failing receiver on the schedule until it answers 2xx, with the same id and body', async () => {
    receiver.respond = (_request, index) => (index < 2 ? 503 : 204);
    await registerWebhook('wh_a', ['loyalty.points.credited']);
    await creditPoints(10);
    await dispatchAll();
    const sender = deliverer();

    expect(await sender.runOnce(T0)).toBe(1);
    expect(rows()[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      next_attempt_at: T0 + 10_000,
      last_error: 'HTTP 503',
    });
    expect(outbox.pendingCount()).toBe(1); // waiting for its retry: /metrics shows the backlog
    expect(await sender.runOnce(T0 + 9_999)).toBe(0);
    expect(await sender.runOnce(T0 + 10_000)).toBe(1);
    expect(rows()[0]).toMatchObject({ attempts: 2, next_attempt_at: T0 + 70_000 });
    expect(await sender.runOnce(T0 + 70_000)).toBe(1);
    expect(rows()[0]).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(outbox.pendingCount()).toBe(0);

    expect(receiver.received.map((r) => r.status)).toEqual([503, 503, 204]);
    const [first, ...again] = receiver.received;
    for (const retry of again) {
      expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(retry.body).toBe(first.body);
    }
    expect(sender.counts).toEqual({ delivered: 1, failedAttempts: 2, gaveUp: 0 });
  });

  it('gives up once the schedule is spent, and counts a timeout and a refused connection as failures', async () => {
    receiver.respond = () => 0; // never answers
    await registerWebhook('wh_a');
    await creditPoints(10);
    await dispatchAll();
    const sender = deliverer({ timeoutMs: 50 });
    await sender.runOnce(T0);
    expect(rows()[0]).toMatchObject({ attempts: 1, last_error: 'no answer within 50 ms' });
    await receiver.close();
    await sender.runOnce(T0 + 10_000);
    expect(rows()[0]).toMatchObject({ attempts: 2, last_error: 'ECONNREFUSED' });
    await sender.runOnce(T0 + 70_000);
    expect(rows()[0]).toMatchObject({ status: 'failed', attempts: 3, next_attempt_at: null });
    expect(sender.counts).toEqual({ delivered: 0, failedAttempts: 3, gaveUp: 1 });
    receiver = await WebhookReceiver.start(); // for afterEach
  });

  it('sends a finished delivery again on request, once: a failure leaves it failed, not rescheduled', async () => {
    receiver.respond = () => 500;
    await registerWebhook('wh_a');
    await creditPoints(10);
    await dispatchAll();
    const sender = deliverer();
    for (const at of [T0, T0 + 10_000, T0 + 70_000]) await sender.runOnce(at);
    const id = rows()[0].id;
    expect(rows()[0]).toMatchObject({ status: 'failed', attempts: 3, resend: 0 });

    await requestResend('wh_a', id);
    await requestResend('wh_a', `msg_${'0'.repeat(32)}`); // none such: nothing happens
    await dispatchAll();
    expect(rows()).toEqual([
      expect.objectContaining({ status: 'pending', next_attempt_at: T0, resend: 1 }),
    ]);
    await sender.runOnce(T0 + 100_000);
    expect(rows()[0]).toMatchObject({
      status: 'failed',
      attempts: 4,
      next_attempt_at: null,
      last_error: 'HTTP 500',
      resend: 0,
    });

    receiver.respond = () => 200;
    await requestResend('wh_a', id);
    await dispatchAll();
    await sender.runOnce(T0 + 200_000);
    expect(rows()[0]).toMatchObject({ status: 'delivered', attempts: 5, resend: 0 });
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual(Array(5).fill(id));
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
  });

  it('sends a finished delivery once however many resends ask for it before it goes', async () => {
    receiver.respond = (_request, index) => (index === 0 ? 200 : 500);
    await registerWebhook('wh_a');
    await creditPoints(10);
    await dispatchAll();
    const sender = deliverer();
    await sender.runOnce(T0);
    const id = rows()[0].id;
    expect(rows()[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    // A double click, or a client's retry under a new key: the second finds it pending already.
    await requestResend('wh_a', id);
    await requestResend('wh_a', id);
    await dispatchAll();
    expect(rows()[0]).toMatchObject({ status: 'pending', resend: 1 });
    await sender.runOnce(T0 + 1_000);
    expect(rows()[0]).toMatchObject({
      status: 'failed',
      attempts: 2,
      next_attempt_at: null,
      last_error: 'HTTP 500',
    });
  });

  it('waits the schedule from when an attempt ended: a timed-out one is not tried again at once', async () => {
    receiver.respond = () => 0; // never answers
    await registerWebhook('wh_a');
    await creditPoints(10);
    await dispatchAll();
    const sender = deliverer({ timeoutMs: 200, clock: Date.now });
    const started = Date.now();
    await sender.runOnce(started);
    const ended = Date.now();
    const [row] = rows();
    expect(row.updated_at).toBeGreaterThanOrEqual(started + 200);
    expect(row.next_attempt_at).toBeGreaterThanOrEqual(started + 200 + SCHEDULE[0]);
    expect(row.next_attempt_at).toBeLessThanOrEqual(ended + SCHEDULE[0]);
  });

  it('leaves a delivery whose webhook is deleted during its attempt canceled, with no next one', async () => {
    receiver.respond = () => 0; // never answers: the attempt is under way until its timeout
    await registerWebhook('wh_a');
    await creditPoints(10);
    await dispatchAll();
    const sender = deliverer({ timeoutMs: 200 });
    const attempt = sender.startDue(T0);
    await receiver.next();
    outbox.delete('sandbox.acme', 'wh_a', T0);
    await Promise.all(attempt);
    expect(rows()[0]).toMatchObject({
      status: 'canceled',
      attempts: 1,
      next_attempt_at: null,
      last_error: 'no answer within 200 ms',
    });
  });

  it('brings a pending delivery forward on request and keeps its schedule', async () => {
    receiver.respond = () => 503;
    await registerWebhook('wh_a');
    await creditPoints(10);
    await dispatchAll();
    const sender = deliverer();
    await sender.runOnce(T0);
    expect(rows()[0]).toMatchObject({ status: 'pending', next_attempt_at: T0 + 10_000 });
    await requestResend('wh_a', rows()[0].id);
    await dispatchAll();
    expect(rows()[0]).toMatchObject({ status: 'pending', next_attempt_at: T0, resend: 0 });
    await sender.runOnce(T0 + 1_000);
    expect(rows()[0]).toMatchObject({
      status: 'pending',
      attempts: 2,
      next_attempt_at: T0 + 61_000,
    });
  });

  it('signs with the new secret after a rotation, and with the previous one too for a day', async () => {
    await registerWebhook('wh_a');
    await rotateSecret('wh_a', 2, T0);
    await creditPoints(10);
    await creditPoints(20);
    await dispatchAll();
    const late = rows()[1].id;
    const secret = (version: number) => signingSecretOf(KEY, 'sandbox.acme', 'wh_a', version);
    const verifies = (version: number, r: { headers: Record<string, unknown>; body: string }) =>
      verifySignature(
        secret(version),
        r.headers['webhook-id'] as string,
        Number(r.headers['webhook-timestamp']),
        r.body,
        r.headers['webhook-signature'] as string,
      );

    const day = 24 * 3_600_000;
    await deliverer({ clock: () => T0 + day - 1_000 }).runOnce(T0);
    for (const within of [await receiver.next(), await receiver.next()]) {
      expect((within.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
      expect([verifies(2, within), verifies(1, within), verifies(3, within)]).toEqual([
        true,
        true,
        false,
      ]);
    }
    // The same delivery sent again once the day is over: the new secret's signature alone.
    outbox.resend('sandbox.acme', 'wh_a', late, T0 + day);
    await deliverer({ clock: () => T0 + day }).runOnce(T0 + day);
    const after = await receiver.next();
    expect(after.headers['webhook-id']).toBe(late);
    expect((after.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
    expect([verifies(2, after), verifies(1, after)]).toEqual([true, false]);
  });

  it('sends a test to the one webhook asked for, whatever events it listed, and none once deleted', async () => {
    await registerWebhook('wh_a', ['loyalty.redemption.created']);
    await registerWebhook('wh_b');
    await requestTest('wh_a');
    await deleteWebhook('wh_b');
    await requestTest('wh_b');
    await dispatchAll();
    expect(rows().map((r) => [r.webhook_id, r.event_type, r.status])).toEqual([
      ['wh_a', 'loyalty.webhook.test', 'pending'],
    ]);
    await deliverer().runOnce(T0);
    const { path, headers, body } = await receiver.next();
    expect(path).toBe('/wh_a');
    expect(JSON.parse(body)).toEqual({
      id: headers['webhook-id'],
      type: 'loyalty.webhook.test',
      createdAt: new Date(T0).toISOString(),
      environment: 'SANDBOX',
      data: { webhookId: 'wh_a', requestedAt: new Date(T0).toISOString() },
    });
  });

  describe('with public destinations only (WEBHOOK_PRIVATE_DESTINATIONS=deny)', () => {
    /** A name that resolves to the receiver's loopback address, as a rebinding name would. */
    const resolveToReceiver: Resolver = (_hostname, callback) =>
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    const viaName = () => receiver.url('/wh_a').replace('127.0.0.1', 'hooks.example.net');

    it('sends to a name through the resolver it is given when private destinations are allowed', async () => {
      await registerWebhook('wh_a', ['*'], 'sandbox.acme', viaName());
      await creditPoints(10);
      await dispatchAll();
      await deliverer({ resolve: resolveToReceiver }).runOnce(T0);
      expect((await receiver.next()).path).toBe('/wh_a');
      expect(rows()[0]).toMatchObject({ status: 'delivered' });
    });

    it('refuses a name that resolves to a loopback address when it connects, and sends nothing', async () => {
      await registerWebhook('wh_a', ['*'], 'sandbox.acme', viaName());
      await creditPoints(10);
      await dispatchAll();
      const sender = deliverer({ resolve: resolveToReceiver, publicOnly: true });
      await sender.runOnce(T0);
      expect(rows()[0]).toMatchObject({
        status: 'pending',
        attempts: 1,
        last_error: 'refused: hooks.example.net resolves to 127.0.0.1: not a public address',
      });
      expect(sender.counts).toEqual({ delivered: 0, failedAttempts: 1, gaveUp: 0 });
      expect(receiver.received).toEqual([]);
    });

    it('refuses an address in the URL without resolving or connecting', async () => {
      await registerWebhook('wh_a'); // http://127.0.0.1:<port>/wh_a, registered while allowed
      await creditPoints(10);
      await dispatchAll();
      const resolve = jest.fn(resolveToReceiver);
      await deliverer({ resolve, publicOnly: true }).runOnce(T0);
      expect(rows()[0].last_error).toBe('refused: 127.0.0.1 is not a public address');
      expect(resolve).not.toHaveBeenCalled();
      expect(receiver.received).toEqual([]);
    });
  });

  it('sends a deleted webhook nothing new, pending deliveries included, and a new one nothing before it', async () => {
    await registerWebhook('wh_a');
    await creditPoints(1);
    await dispatchAll();
    await deleteWebhook('wh_a');
    await creditPoints(2);
    await registerWebhook('wh_b');
    await creditPoints(3);
    await dispatchAll();
    expect(rows().map((r) => [r.webhook_id, r.status, JSON.parse(r.body).data.amount])).toEqual([
      ['wh_a', 'canceled', 1],
      ['wh_b', 'pending', 3],
    ]);
    expect(await deliverer().runOnce(T0)).toBe(1);
    expect(receiver.received.map((r) => r.path)).toEqual(['/wh_b']);
  });

  it('drops a delivery whose webhook was deleted after it was picked', async () => {
    await registerWebhook('wh_a');
    await creditPoints(1);
    await dispatchAll();
    outbox.delete('sandbox.acme', 'wh_a', T0);
    outbox.db.prepare("UPDATE wh_deliveries SET status = 'pending', next_attempt_at = ?").run(T0);
    expect(await deliverer().runOnce(T0)).toBe(1);
    expect(receiver.received).toEqual([]);
    expect(rows()[0].status).toBe('canceled');
  });

  it("keeps tenants apart: another organization's or environment's events never reach a webhook", async () => {
    await registerWebhook('wh_a', ['*'], 'sandbox.acme');
    await creditPoints(1, 'live.acme');
    await creditPoints(2, 'sandbox.globex');
    await creditPoints(3, 'sandbox.acme');
    await dispatchAll();
    expect(rows().map((r) => JSON.parse(r.body).data.amount)).toEqual([3]);
  });

  it('resumes after a restart: pending deliveries are sent, none lost and none made twice', async () => {
    receiver.respond = (_request, index) => (index === 0 ? 500 : 200);
    await registerWebhook('wh_a');
    await registerWebhook('wh_b', ['loyalty.points.refunded']);
    await creditPoints(1);
    await creditPoints(2);
    await dispatchAll();
    const sender = deliverer({ maxInFlight: 1 });
    await sender.runOnce(T0); // the first fails, the second waits its turn
    expect(rows().map((r) => [r.status, r.attempts])).toEqual([
      ['pending', 1],
      ['pending', 0],
    ]);

    outbox.close();
    outbox = WebhookOutbox.open(join(dir, 'webhooks.db'));
    expect(await dispatcher().runOnce()).toBe(0);
    // Even a checkpoint lost with the rest kept makes no delivery twice: the ids are the same.
    outbox.db.prepare('DELETE FROM wh_checkpoint').run();
    expect(await dispatcher().runOnce()).toBe(4);
    expect(rows()).toHaveLength(2);

    await creditPoints(3);
    expect(await dispatcher().runOnce()).toBe(1);
    const restarted = deliverer();
    expect(await restarted.runOnce(T0 + 10_000)).toBe(3);
    expect(rows().map((r) => [JSON.parse(r.body).data.amount, r.status])).toEqual([
      [1, 'delivered'],
      [2, 'delivered'],
      [3, 'delivered'],
    ]);
    const amounts = receiver.received.map((r) => JSON.parse(r.body).data.amount as number);
    expect(amounts.sort()).toEqual([1, 1, 2, 3]);
  });

  it('moves a checkpoint past the head of $all back to it (events.db restored), so new events are sent', async () => {
    await registerWebhook('wh_a');
    await creditPoints(1);
    await dispatchAll();
    outbox.setCheckpoint(50n);
    const warnings: string[] = [];
    const restored = new WebhookDispatcher(store, outbox, { warn: (m) => warnings.push(m) });
    expect(await restored.runOnce()).toBe(0);
    await creditPoints(2);
    expect(await restored.runOnce()).toBe(1);
    expect(warnings).toEqual([expect.stringContaining('past the head of $all (2)')]);
    expect(rows().map((r) => JSON.parse(r.body).data.amount)).toEqual([1, 2]);
  });

  it("keeps a hung receiver to maxPerWebhook requests: another tenant's deliveries go on", async () => {
    receiver.respond = (request) => (request.path === '/wh_hung' ? 0 : 200);
    await registerWebhook('wh_hung', ['*'], 'sandbox.globex');
    for (const amount of [1, 2, 3, 4, 5, 6]) await creditPoints(amount, 'sandbox.globex');
    await registerWebhook('wh_ok', ['*'], 'sandbox.acme');
    await creditPoints(7, 'sandbox.acme');
    await dispatchAll();
    const sender = deliverer({ maxInFlight: 3, maxPerWebhook: 2 });
    // wh_hung's six are due first, but it gets two slots, and wh_ok the third.
    const started = sender.startDue(T0);
    expect(started).toHaveLength(3);
    const received = await Promise.all([receiver.next(), receiver.next(), receiver.next()]);
    expect(received.map((r) => r.path).sort()).toEqual(['/wh_hung', '/wh_hung', '/wh_ok']);
    await Promise.race(started); // wh_ok's delivery, the one that is answered
    expect(rows().find((r) => r.webhook_id === 'wh_ok')).toMatchObject({ status: 'delivered' });
    // Its slot is free again, but wh_hung already has two under way: nothing more starts.
    expect(sender.startDue(T0)).toHaveLength(0);
    await sender.stop();
    await Promise.all(started);
  });

  it("keeps one tenant's hung receivers to maxPerTenant requests: the other tenants' go on", async () => {
    receiver.respond = (request) => (request.path.startsWith('/wh_hung') ? 0 : 200);
    for (const id of ['wh_hung1', 'wh_hung2']) await registerWebhook(id, ['*'], 'sandbox.globex');
    for (const amount of [1, 2, 3]) await creditPoints(amount, 'sandbox.globex');
    await registerWebhook('wh_ok', ['*'], 'sandbox.acme');
    await creditPoints(4, 'sandbox.acme');
    await dispatchAll();
    const sender = deliverer({ maxInFlight: 4, maxPerWebhook: 2, maxPerTenant: 3 });
    // Two webhooks of two each would fill the four slots; globex gets three, acme the fourth.
    const started = sender.startDue(T0);
    expect(started).toHaveLength(4);
    const paths = await Promise.all([1, 2, 3, 4].map(() => receiver.next()));
    expect(paths.filter((r) => r.path === '/wh_ok')).toHaveLength(1);
    await sender.stop();
    await Promise.all(started);
  });

  it('hands a freed slot to the webhook whose turn is oldest, not back to a backlog', async () => {
    receiver.respond = (request) => (request.path === '/wh_hung' ? 0 : 200);
    await registerWebhook('wh_hung');
    for (const amount of [1, 2, 3, 4]) await creditPoints(amount);
    await dispatchAll();
    await registerWebhook('wh_ok');
    await creditPoints(5); // due as early as wh_hung's backlog (one clock), but it never had a turn
    await dispatchAll();
    const sender = deliverer({ maxInFlight: 2, maxPerWebhook: 2, timeoutMs: 100 });
    await sender.runOnce(T0); // wh_hung's first two, both timing out
    expect(receiver.received.map((r) => r.path)).toEqual(['/wh_hung', '/wh_hung']);
    await sender.runOnce(T0); // wh_ok's turn first, then wh_hung's third
    expect(
      receiver.received
        .map((r) => r.path)
        .slice(2)
        .sort(),
    ).toEqual(['/wh_hung', '/wh_ok']);
    expect(rows().find((r) => r.webhook_id === 'wh_ok')).toMatchObject({ status: 'delivered' });
  });

  it('tries again a delivery whose attempt threw before it recorded anything', async () => {
    receiver.respond = (_request, index) => (index === 0 ? 500 : 200);
    await registerWebhook('wh_a');
    await creditPoints(1);
    await dispatchAll();
    const sender = deliverer();
    const retryAt = outbox.retryAt.bind(outbox);
    outbox.retryAt = () => {
      throw new Error('webhooks.db is locked'); // the failure could not be recorded
    };
    await expect(sender.runOnce(T0)).rejects.toThrow('webhooks.db is locked');
    outbox.retryAt = retryAt;
    expect(rows()[0]).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: T0 });
    expect(await sender.runOnce(T0)).toBe(1);
    expect(rows()[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('keeps at most maxInFlight requests under way, and stop() leaves the unanswered ones due', async () => {
    receiver.respond = () => 0;
    await registerWebhook('wh_a');
    for (const amount of [1, 2, 3]) await creditPoints(amount);
    await dispatchAll();
    const sender = deliverer({ maxInFlight: 2 });
    const started = sender.startDue(T0);
    expect(started).toHaveLength(2);
    await Promise.all([receiver.next(), receiver.next()]);
    expect(sender.busy).toBe(2);
    expect(sender.startDue(T0)).toHaveLength(0);
    await sender.stop();
    await Promise.all(started);
    expect(rows().map((r) => [r.status, r.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
    ]);
  });
});
