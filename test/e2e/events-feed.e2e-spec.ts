import { EVENT_STORE, EventStore, RecordedEvent } from '../../src/event-store';
import { EventsFeed } from '../../src/events-feed/events-feed';
import { createOffer, credit, memberToken } from '../support/fixtures';
import { api, KEYS, startTestApp, TestApp } from '../support/test-app';

type Client = ReturnType<typeof api>;

/** The feed's window in this suite: small, so that a few dozen events span several windows. */
const WINDOW = 40;

const TENANTS = {
  acmeSandbox: { key: KEYS.acmeSandbox, tenant: 'sandbox.acme' },
  acmeLive: { key: KEYS.acmeLive, tenant: 'live.acme' },
  globexSandbox: { key: KEYS.globexSandbox, tenant: 'sandbox.globex' },
};

/** The streams a tenant's subscriber may read, spelled out here, not taken from the code. */
const isSubscriberStream = (tenant: string, stream: string) =>
  stream.startsWith(`wallet-${tenant}.`) ||
  stream.startsWith(`offer-${tenant}.`) ||
  stream === `webhooks-${tenant}`;

const served = (e: RecordedEvent) => ({
  position: String(e.position),
  stream: e.stream,
  revision: String(e.revision),
  id: e.id,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
  createdAt: e.created.toISOString(),
});

interface Page {
  events: Array<ReturnType<typeof served>>;
  nextCursor: string | null;
  caughtUp: boolean;
}

/** GET /v1/events, expecting 200. */
async function feed(client: Client, query: string): Promise<Page> {
  const response = await client<Page>('GET', `/v1/events${query}`);
  expect({ query, status: response.status }).toEqual({ query, status: 200 });
  return response.body;
}

/** Every page from `after` until caught up; `between` runs after each page (to write meanwhile). */
async function pageAll(
  client: Client,
  query: string,
  after: string | null = null,
  between: (page: Page) => Promise<void> = async () => undefined,
): Promise<{ events: Page['events']; pages: Page[]; cursor: string | null }> {
  const pages: Page[] = [];
  let cursor = after;
  for (;;) {
    const page = await feed(client, `?${query}${cursor === null ? '' : `&after=${cursor}`}`);
    pages.push(page);
    if (page.nextCursor !== null) cursor = page.nextCursor;
    if (page.caughtUp) break;
    await between(page);
  }
  return { events: pages.flatMap((p) => p.events), pages, cursor };
}

describe('GET /v1/events, the events feed (e2e)', () => {
  let t: TestApp;
  let store: EventStore;
  const clients = {} as Record<keyof typeof TENANTS, Client>;

  /** What the feed must serve a tenant: its subscriber streams' events in $all order. */
  const truth = async (tenant: string) =>
    (await store.readAll()).filter((e) => isSubscriberStream(tenant, e.stream)).map(served);

  beforeAll(async () => {
    t = await startTestApp(undefined, {}, undefined, { EVENTS_FEED_WINDOW: String(WINDOW) });
    store = t.app.get<EventStore>(EVENT_STORE);
    for (const [name, { key }] of Object.entries(TENANTS)) {
      const org = api(t.baseUrl, key);
      clients[name as keyof typeof TENANTS] = org;
      const offerId = await createOffer(org, { title: `${name} offer`, pointsPrice: 10 });
      for (const member of ['ada', 'bob']) await credit(org, member, 100);
      const redeemed = await org(
        'POST',
        '/v1/redemptions',
        { offer: offerId, externalUserID: 'ada' },
        { 'Idempotency-Key': `${name}-redeem` },
      );
      expect(redeemed.status).toBe(201);
      expect((await org('POST', `/v1/redemptions/${redeemed.body.id}/cancel`)).status).toBe(200);
    }
    const hook = await clients.acmeSandbox(
      'POST',
      '/v1/webhooks',
      { url: 'http://127.0.0.1:9/hook', events: ['loyalty.redemption.created'] },
      { 'Idempotency-Key': 'feed-webhook' },
    );
    expect(hook.status).toBe(201);
  });
  afterAll(() => t.close());

  it("pages from the start through exactly the tenant's events, in $all order", async () => {
    const all = await store.readAll();
    expect(all.some((e) => e.stream.startsWith('idempotency-'))).toBe(true);
    for (const [name, { tenant }] of Object.entries(TENANTS)) {
      const client = clients[name as keyof typeof TENANTS];
      const { events, pages } = await pageAll(client, 'limit=3');
      expect(events).toEqual(await truth(tenant));
      expect(events.length).toBeGreaterThan(5);
      expect(pages.every((p) => p.events.length <= 3)).toBe(true);
      for (const e of events) expect(e.metadata).toMatchObject({ orgId: tenant.split('.')[1] });
    }
    const { events } = await pageAll(clients.acmeSandbox, 'limit=1000');
    expect(events.map((e) => e.type)).toContain('WebhookRegistered');
    expect(events.some((e) => e.stream.startsWith('idempotency-'))).toBe(false);
  });

  it('resumes from a nextCursor without skipping or repeating while events are written', async () => {
    let written = 0;
    const first = await pageAll(clients.acmeSandbox, 'limit=2', null, async () => {
      // Both tenants write between the first pages.
      if (written++ >= 6) return;
      await credit(clients.acmeSandbox, `resume-${written}`, written);
      await credit(clients.globexSandbox, `resume-${written}`, written);
    });
    expect(written).toBeGreaterThan(6);
    await credit(clients.acmeSandbox, 'resume-last', 1);
    const rest = await pageAll(clients.acmeSandbox, 'limit=2', first.cursor);
    expect(rest.events.map((e) => e.data)).toEqual([expect.objectContaining({ amount: 1 })]);
    expect([...first.events, ...rest.events]).toEqual(await truth('sandbox.acme'));
  });

  it('looks at no more than its window a request: far-apart events come after empty pages', async () => {
    const { cursor: start } = await pageAll(clients.acmeLive, 'limit=1000');
    await credit(clients.acmeLive, 'far-1', 5);
    // More than two windows of another tenant's events between the two.
    await Promise.all(
      Array.from({ length: 2 * WINDOW + 10 }, (_, i) => credit(clients.globexSandbox, `m${i}`, 1)),
    );
    await credit(clients.acmeLive, 'far-2', 6);
    const { events, pages } = await pageAll(clients.acmeLive, 'limit=100', start);
    expect(events).toEqual(
      (await truth('live.acme')).filter((e) => BigInt(e.position) > BigInt(start!)),
    );
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ amount: 5 }),
      expect.objectContaining({ amount: 6 }),
    ]);
    expect(pages.some((p) => p.events.length === 0 && !p.caughtUp)).toBe(true);
    let after = BigInt(start!);
    for (const page of pages) {
      const next = BigInt(page.nextCursor!);
      expect(next - after).toBeLessThanOrEqual(WINDOW);
      expect(next).toBeGreaterThan(after);
      after = next;
    }
  });

  it('keeps only the types asked for', async () => {
    const query = 'limit=4&types=PointsCredited,RedemptionCanceled';
    const { events } = await pageAll(clients.globexSandbox, query);
    const expected = (await truth('sandbox.globex')).filter((e) =>
      ['PointsCredited', 'RedemptionCanceled'].includes(e.type),
    );
    expect(events).toEqual(expected);
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set(['PointsCredited', 'RedemptionCanceled']),
    );
  });

  it('answers after the head as caught up, with the same cursor', async () => {
    const head = (await store.headPosition()) + 1000n;
    expect(await feed(clients.acmeSandbox, `?after=${head}`)).toEqual({
      events: [],
      nextCursor: String(head),
      caughtUp: true,
    });
  });

  it('long-polls: a request waiting at the head is answered by an append made after it', async () => {
    const { cursor } = await pageAll(clients.acmeSandbox, 'limit=1000');
    const waiting = t.app.get(EventsFeed).nextWait();
    const pending = feed(clients.acmeSandbox, `?after=${cursor}&wait=30`);
    await waiting;
    // Another tenant's event does not answer it; the tenant's own does.
    await credit(clients.globexSandbox, 'poll', 1);
    await credit(clients.acmeSandbox, 'poll', 7);
    const page = await pending;
    expect(page.events).toEqual([expect.objectContaining({ type: 'PointsCredited' })]);
    expect(page.events[0].data).toMatchObject({ amount: 7 });
    expect(page.caughtUp).toBe(true);
    expect(page.events).toEqual(
      (await truth('sandbox.acme')).filter((e) => BigInt(e.position) > BigInt(cursor!)),
    );
  });

  it('long-polls with a type filter past events of other types', async () => {
    const { cursor } = await pageAll(clients.acmeSandbox, 'limit=1000');
    const offerId = await createOffer(clients.acmeSandbox, { pointsPrice: 1 });
    const waiting = t.app.get(EventsFeed).nextWait();
    const pending = feed(clients.acmeSandbox, `?after=${cursor}&types=RedemptionCreated&wait=30`);
    await waiting;
    await credit(clients.acmeSandbox, 'typed', 5);
    const redeemed = await clients.acmeSandbox('POST', '/v1/redemptions', {
      offer: offerId,
      externalUserID: 'typed',
    });
    expect(redeemed.status).toBe(201);
    const page = await pending;
    expect(page.events.map((e) => e.type)).toEqual(['RedemptionCreated']);
    expect(page.events[0].data).toMatchObject({ redemptionId: redeemed.body.id });
  });

  it('answers a wait with nothing new as an empty page, caught up, once it runs out', async () => {
    const { cursor } = await pageAll(clients.acmeLive, 'limit=1000');
    const started = Date.now();
    expect(await feed(clients.acmeLive, `?after=${cursor}&wait=1`)).toEqual({
      events: [],
      nextCursor: cursor,
      caughtUp: true,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('refuses bad query parameters 400 VALIDATION_FAILED, naming the field', async () => {
    const cases: Array<[query: string, field: string, says?: string]> = [
      ['after=abc', 'after'],
      ['after=-1', 'after'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=2.5', 'limit'],
      ['types=PointsCredited,Nope', 'types', 'Nope'],
      ['types=IdempotentCommandDecided', 'types', 'not among them: IdempotentCommandDecided'],
      ['wait=31', 'wait'],
      ['wait=-1', 'wait'],
      ['cursor=x', 'cursor'],
    ];
    for (const [query, field, says] of cases) {
      const response = await clients.acmeSandbox('GET', `/v1/events?${query}`);
      expect({ query, status: response.status, code: response.body.error.code }).toEqual({
        query,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      const fields = response.body.error.details.fields as Array<{
        field: string;
        problems: string[];
      }>;
      expect(fields.map((f) => f.field)).toEqual([field]);
      if (says) expect(fields[0].problems.join(' ')).toContain(says);
    }
  });

  it('takes an org key only: no credential 401, a member token 403', async () => {
    const anonymous = await fetch(`${t.baseUrl}/v1/events`);
    expect(anonymous.status).toBe(401);
    const member = api(t.baseUrl, await memberToken(clients.acmeSandbox, 'ada'));
    const refused = await member('GET', '/v1/events');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });
});

describe('GET /v1/events at shutdown (e2e)', () => {
  it('answers a waiting request at once when the app closes', async () => {
    const t = await startTestApp();
    const org = api(t.baseUrl, KEYS.acmeSandbox);
    await credit(org, 'ada', 1);
    const { cursor } = await pageAll(org, 'limit=1000');
    const waiting = t.app.get(EventsFeed).nextWait();
    const pending = org<Page>('GET', `/v1/events?after=${cursor}&wait=30`);
    await waiting;
    const started = Date.now();
    await t.close();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ events: [], nextCursor: cursor, caughtUp: true });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
