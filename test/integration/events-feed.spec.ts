import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANY, EventStore, RecordedEvent } from '../../src/event-store';
import { EventsFeed, FeedRequest } from '../../src/events-feed/events-feed';
import { EventStoreDbEventStore } from '../../src/infrastructure/eventstoredb/eventstoredb-event-store';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { startEsdbStandIn } from '../support/esdb-standin';

interface Rig {
  store: EventStore;
  close(): Promise<void>;
}

/** The embedded store, whose positions are dense: the feed reads a window of positions. */
async function sqlite(): Promise<Rig> {
  const store = SqliteEventStore.open({ path: ':memory:' });
  return { store, close: () => store.close() };
}

/** The EventStoreDB adapter (through the gRPC stand-in): the feed reads a count of events. */
async function eventStoreDb(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'points-ledger-feed-'));
  const backing = SqliteEventStore.open({ path: join(dir, 'events.db') });
  const standIn = await startEsdbStandIn(backing);
  const store = new EventStoreDbEventStore(standIn.connectionString);
  return {
    store,
    close: async () => {
      await store.close();
      await standIn.stop();
      await backing.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The embedded store with EventStoreDB's kind of positions: ten apart, and a read from a position
 * no event has fails, as EventStoreDB fails a read from the middle of a record.
 */
async function sparse(): Promise<Rig> {
  const inner = SqliteEventStore.open({ path: ':memory:' });
  const out = (e: RecordedEvent): RecordedEvent => ({ ...e, position: e.position * 10n });
  const into = (position: bigint | 'start' | 'end' | undefined) => {
    if (typeof position !== 'bigint') return position;
    if (position % 10n !== 0n) throw new Error(`no event at position ${position}`);
    return position / 10n;
  };
  const store: EventStore = {
    append: async (stream, events, expected) => {
      const result = await inner.append(stream, events, expected);
      return { ...result, position: result.position * 10n };
    },
    readStream: async (stream, options) => (await inner.readStream(stream, options)).map(out),
    readAll: async (options = {}) => {
      if (options.toPosition !== undefined) throw new Error('toPosition on sparse positions');
      const read = await inner.readAll({ ...options, fromPosition: into(options.fromPosition) });
      return read.map(out);
    },
    subscribeToAll: (options = {}) => {
      const inside = inner.subscribeToAll({ ...options, fromPosition: into(options.fromPosition) });
      return {
        unsubscribe: () => inside.unsubscribe(),
        async *[Symbol.asyncIterator]() {
          for await (const e of inside) yield out(e);
        },
      };
    },
    headPosition: async () => {
      const head = await inner.headPosition();
      return head < 0n ? head : head * 10n;
    },
    close: () => inner.close(),
  };
  return { store, close: () => inner.close() };
}

const request = (over: Partial<FeedRequest> = {}): FeedRequest => ({
  tenantKey: 'sandbox.acme',
  limit: 100,
  waitMs: 0,
  ...over,
});

describe.each([
  ['the embedded store', sqlite],
  ['EventStoreDB', eventStoreDb],
  ['a store with sparse positions', sparse],
])('EventsFeed on %s', (_name, open) => {
  let rig: Rig;
  /** Positions of the seven events written before each test, in order. */
  let p: bigint[];
  const append = async (stream: string, type = 'PointsCredited') =>
    (await rig.store.append(stream, [{ id: randomUUID(), type, data: { stream } }], ANY)).position;

  beforeEach(async () => {
    rig = await open();
    p = [];
    p.push(await append('wallet-sandbox.acme.m1'));
    p.push(await append('webhooks-sandbox.acme-2', 'WebhookRegistered')); // a longer org id
    p.push(await append('idempotency-sandbox.acme.k1', 'IdempotentCommandDecided'));
    p.push(await append('wallet-sandbox.acme-2.m1'));
    p.push(await append('webhooks-sandbox.acme', 'WebhookRegistered'));
    p.push(await append('offer-sandbox.acme.o1', 'OfferCreated'));
    p.push(await append('wallet-live.acme.m1'));
  });
  afterEach(() => rig.close());

  it("serves the tenant's wallets, offers and webhook registrations only", async () => {
    const page = await new EventsFeed(rig.store, 1000).read(request());
    expect(page.events.map((e) => e.stream)).toEqual([
      'wallet-sandbox.acme.m1',
      'webhooks-sandbox.acme',
      'offer-sandbox.acme.o1',
    ]);
    expect(page.events.map((e) => e.position)).toEqual([p[0], p[4], p[5]].map(String));
    expect(page).toMatchObject({ nextCursor: String(p[6]), caughtUp: true });
  });

  it('reads no more than its window, and hands out positions the store has', async () => {
    const feed = new EventsFeed(rig.store, 2);
    const pages = [];
    let after = p[0];
    for (;;) {
      const page = await feed.read(request({ after }));
      pages.push(page);
      after = BigInt(page.nextCursor!);
      if (page.caughtUp) break;
    }
    expect(pages.map((page) => page.events.map((e) => e.position))).toEqual([
      [],
      [String(p[4])],
      [String(p[5])],
    ]);
    expect(pages.map((page) => page.nextCursor)).toEqual([p[2], p[4], p[6]].map(String));
    expect(pages.map((page) => page.caughtUp)).toEqual([false, false, true]);
  });

  it('cuts a page at the limit, and resumes after its last event', async () => {
    const feed = new EventsFeed(rig.store, 1000);
    const first = await feed.read(request({ limit: 2 }));
    expect(first.events.map((e) => e.position)).toEqual([p[0], p[4]].map(String));
    expect(first).toMatchObject({ nextCursor: String(p[4]), caughtUp: false });
    const second = await feed.read(request({ limit: 2, after: p[4] }));
    expect(second.events.map((e) => e.position)).toEqual([String(p[5])]);
    expect(second.caughtUp).toBe(true);
  });

  it('answers after the head as caught up, with the same cursor', async () => {
    const past = p[6] + 1000n;
    expect(await new EventsFeed(rig.store, 10).read(request({ after: past }))).toEqual({
      events: [],
      nextCursor: String(past),
      caughtUp: true,
    });
  });

  it("ends a wait at the tenant's next event, not another tenant's", async () => {
    const feed = new EventsFeed(rig.store, 10);
    const waiting = feed.nextWait();
    const pending = feed.read(request({ after: p[6], waitMs: 60_000 }));
    await waiting;
    await append('wallet-sandbox.acme-2.m2');
    const position = await append('offer-sandbox.acme.o2', 'OfferCreated');
    const page = await pending;
    expect(page.events.map((e) => e.position)).toEqual([String(position)]);
    expect(page.caughtUp).toBe(true);
  });

  it('ends a wait that no event answers once the client has gone', async () => {
    const feed = new EventsFeed(rig.store, 10);
    const left = new AbortController();
    const waiting = feed.nextWait();
    const pending = feed.read(request({ after: p[6], waitMs: 60_000, signal: left.signal }));
    await waiting;
    left.abort();
    expect(await pending).toEqual({ events: [], nextCursor: String(p[6]), caughtUp: true });
  });
});

describe('EventsFeed on the embedded store: reads cut short by the limit', () => {
  let store: SqliteEventStore;
  const append = (stream: string, type = 'PointsCredited') =>
    store.append(stream, [{ id: randomUUID(), type, data: { stream } }], ANY);

  beforeEach(async () => {
    store = SqliteEventStore.open({ path: ':memory:' });
    await append('wallet-sandbox.acme.m1'); // 1
    await append('webhooks-sandbox.acme-2', 'WebhookRegistered'); // 2: another org, a longer id
    await append('webhooks-sandbox.acme', 'WebhookRegistered'); // 3
    await append('offer-sandbox.acme.o1', 'OfferCreated'); // 4
  });
  afterEach(() => store.close());

  it('moves past the rows it read when none of them is served', async () => {
    const feed = new EventsFeed(store, 1000);
    const types = new Set(['OfferCreated']);
    // limit 1: the store reads 2 rows of the prefixes (1 and 2), no OfferCreated of the tenant's.
    const first = await feed.read(request({ limit: 1, types }));
    expect(first).toEqual({ events: [], nextCursor: '2', caughtUp: false });
    // The read is inclusive of the cursor (a position the store surely has): 2 and 3.
    const second = await feed.read(request({ limit: 1, types, after: 2n }));
    expect(second).toEqual({ events: [], nextCursor: '3', caughtUp: false });
    const third = await feed.read(request({ limit: 1, types, after: 3n }));
    expect(third.events.map((e) => e.position)).toEqual(['4']);
    expect(third).toMatchObject({ nextCursor: '4', caughtUp: true });
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
});
