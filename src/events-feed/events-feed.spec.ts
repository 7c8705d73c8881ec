import { randomUUID } from 'node:crypto';
import { ANY } from '../event-store/event-store.port';
import { SqliteEventStore } from '../infrastructure/sqlite/sqlite-event-store';
import { EventsFeed, FeedRequest } from './events-feed';

describe('EventsFeed', () => {
  let store: SqliteEventStore;
  const append = (stream: string, type = 'PointsCredited') =>
    store.append(stream, [{ id: randomUUID(), type, data: { stream } }], ANY);
  const request = (over: Partial<FeedRequest> = {}): FeedRequest => ({
    tenantKey: 'sandbox.acme',
    limit: 100,
    waitMs: 0,
    ...over,
  });

  beforeEach(async () => {
    store = SqliteEventStore.open({ path: ':memory:' });
    await append('wallet-sandbox.acme.m1'); // 1
    await append('webhooks-sandbox.acme-2', 'WebhookRegistered'); // 2: another org, a longer id
    await append('idempotency-sandbox.acme.k1', 'IdempotentCommandDecided'); // 3
    await append('wallet-sandbox.acme-2.m1'); // 4
    await append('webhooks-sandbox.acme', 'WebhookRegistered'); // 5
    await append('offer-sandbox.acme.o1', 'OfferCreated'); // 6
    await append('wallet-live.acme.m1'); // 7
  });
  afterEach(() => store.close());

  it("serves the tenant's wallets, offers and webhook registrations only", async () => {
    const page = await new EventsFeed(store, 1000).read(request());
    expect(page.events.map((e) => e.stream)).toEqual([
      'wallet-sandbox.acme.m1',
      'webhooks-sandbox.acme',
      'offer-sandbox.acme.o1',
    ]);
    expect(page).toMatchObject({ nextCursor: '7', caughtUp: true });
  });

  it('resumes after the last event served when the limit cuts the page', async () => {
    const feed = new EventsFeed(store, 1000);
    // The store's read of 2 rows (1, and 2 whose name only starts like the tenant's) ends at 2.
    const first = await feed.read(request({ limit: 1 }));
    expect(first.events.map((e) => e.position)).toEqual(['1']);
    expect(first).toMatchObject({ nextCursor: '2', caughtUp: false });
    const second = await feed.read(request({ limit: 1, after: 2n }));
    expect(second.events.map((e) => e.position)).toEqual(['5']);
    expect(second).toMatchObject({ nextCursor: '5', caughtUp: false });
  });

  it('moves past rows of other types it read, when the store cut its read short', async () => {
    const feed = new EventsFeed(store, 1000);
    const types = new Set(['OfferCreated']);
    // limit 1: the store reads 2 rows (1 and 2), neither an OfferCreated of the tenant's.
    const first = await feed.read(request({ limit: 1, types }));
    expect(first).toEqual({ events: [], nextCursor: '2', caughtUp: false });
    // The read is inclusive of the cursor (a position the store surely has): 2 and 5.
    const second = await feed.read(request({ limit: 1, types, after: 2n }));
    expect(second).toEqual({ events: [], nextCursor: '5', caughtUp: false });
    const third = await feed.read(request({ limit: 1, types, after: 5n }));
    expect(third.events.map((e) => e.position)).toEqual(['6']);
    expect(third).toMatchObject({ nextCursor: '6', caughtUp: false });
  });

  it('reads no more than its window, and says where it stopped', async () => {
    const feed = new EventsFeed(store, 2);
    expect(await feed.read(request({ after: 1n }))).toEqual({
      events: [],
      nextCursor: '3',
      caughtUp: false,
    });
    const next = await feed.read(request({ after: 3n }));
    expect(next.events.map((e) => e.position)).toEqual(['5']);
    expect(next).toMatchObject({ nextCursor: '5', caughtUp: false });
  });

  it('has no cursor to give while $all is empty and no after was given', async () => {
    const empty = SqliteEventStore.open({ path: ':memory:' });
    try {
      expect(await new EventsFeed(empty, 10).read(request())).toEqual({
        events: [],
        nextCursor: null,
        caughtUp: true,
      });
    } finally {
      await empty.close();
    }
  });

  it('ends a wait that no event answers once the client has gone', async () => {
    const feed = new EventsFeed(store, 10);
    const left = new AbortController();
    const waiting = feed.nextWait();
    const pending = feed.read(request({ after: 7n, waitMs: 60_000, signal: left.signal }));
    await waiting;
    await append('wallet-sandbox.acme-2.m2'); // another tenant's: no answer
    left.abort();
    expect(await pending).toEqual({ events: [], nextCursor: '7', caughtUp: true });
  });
});
