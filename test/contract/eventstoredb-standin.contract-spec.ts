import { EventStoreDBClient } from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventData,
  EventStore,
  EventStoreLostEventsError,
  NO_STREAM,
  RecordedEvent,
  WrongExpectedVersionError,
} from '../../src/event-store';
import { EventStoreDbEventStore } from '../../src/infrastructure/eventstoredb/eventstoredb-event-store';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { EsdbStandIn, EsdbStandInOptions, startEsdbStandIn } from '../support/esdb-standin';
import { delegatingStore } from '../support/delegating-store';
import { describeEventStoreContract } from './event-store.contract';

interface Rig {
  adapter: EventStoreDbEventStore;
  backing: SqliteEventStore;
  standIn: EsdbStandIn;
  teardown: () => Promise<void>;
}

/** SQLite in a fresh temp dir, the stand-in in front of it, the EventStoreDB adapter in front of that. */
async function startRig(options: EsdbStandInOptions = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'points-ledger-esdb-standin-'));
  const backing = SqliteEventStore.open({ path: join(dir, 'events.db') });
  const standIn = await startEsdbStandIn(backing, options);
  const adapter = new EventStoreDbEventStore(standIn.connectionString, {
    resume: { initialDelayMs: 10, maxDelayMs: 200 },
  });
  return {
    adapter,
    backing,
    standIn,
    teardown: async () => {
      await adapter.close();
      await standIn.stop();
      await backing.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const event = (type: string, data: EventData['data'] = {}): EventData => ({
  id: randomUUID(),
  type,
  data,
});

describeEventStoreContract('EventStoreDB adapter via gRPC stand-in', async () => {
  const { adapter, teardown } = await startRig();
  return { store: adapter, teardown };
});

describe('EventStoreDB adapter via gRPC stand-in: connection drops', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig.teardown();
  });

  it('resumes a subscription after dropped connections, with no gap and no duplicate', async () => {
    const prefix = `drop${randomUUID().slice(0, 8)}`;
    const stream = (n: number) => `${prefix}-${n % 3}`;
    // Written straight to the backing store: an append through the adapter that races a drop may
    // fail with EventStoreUnavailableError, which is the next test's subject, not this one's.
    const appendRound = async (round: number) => {
      for (let i = 0; i < 10; i++)
        await rig.backing.append(stream(i), [event('Tick', { round, i })], 'any');
    };
    await appendRound(0);
    const subscription = rig.adapter.subscribeToAll({
      filter: { streamNamePrefixes: [`${prefix}-`] },
    });
    const received: RecordedEvent[] = [];
    const iterator = subscription[Symbol.asyncIterator]();
    const takeNext = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const next = await iterator.next();
        if (next.done) throw new Error('subscription ended early');
        received.push(next.value);
      }
    };

    await takeNext(5); // mid catch-up
    rig.standIn.dropConnections();
    await takeNext(5); // rest of catch-up, over a new connection
    await appendRound(1);
    await takeNext(4); // live
    rig.standIn.dropConnections();
    await appendRound(2); // appended while the subscription is reconnecting
    rig.standIn.dropConnections();
    await takeNext(16);
    await subscription.unsubscribe();

    // The first call, and a new one after each of the first two drops (the third may hit no connection).
    expect(rig.standIn.stats.subscriptions).toBeGreaterThanOrEqual(3);
    const expected = await rig.backing.readAll({ filter: { streamNamePrefixes: [`${prefix}-`] } });
    expect(expected).toHaveLength(30);
    expect(received.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(received.map((e) => e.position)).toEqual(expected.map((e) => e.position));
  });

  it('ends the iteration when unsubscribed while reconnecting', async () => {
    const subscription = rig.adapter.subscribeToAll({
      fromPosition: 'end',
      filter: { streamNamePrefixes: [`quiet${randomUUID().slice(0, 8)}-`] },
    });
    const next = subscription[Symbol.asyncIterator]().next();
    rig.standIn.dropConnections();
    await subscription.unsubscribe();
    await expect(next).resolves.toEqual({ done: true, value: undefined });
  });

  it('fails an append cut off by a drop with EventStoreUnavailableError or completes it, and keeps working', async () => {
    const stream = `cut${randomUUID().slice(0, 8)}`;
    const pending = rig.adapter.append(stream, [event('A')], NO_STREAM);
    rig.standIn.dropConnections();
    const outcome = await pending.then(
      () => 'written',
      (error: unknown) => (error as Error).name,
    );
    expect(['written', 'EventStoreUnavailableError']).toContain(outcome);
    // Retrying with the same expected revision either writes it or finds it already written.
    const written = await rig.backing.readStream(stream);
    const next = await rig.adapter.append(
      stream,
      [event('B')],
      written.length === 0 ? NO_STREAM : 0n,
    );
    expect(next.nextExpectedRevision).toBe(BigInt(written.length));
  });
});

describe('EventStoreDB adapter via gRPC stand-in: a store behind what was read', () => {
  let dir: string;
  let kept: SqliteEventStore;
  let empty: SqliteEventStore;
  /** What the server serves, swapped as a restore or a failover to the wrong cluster would. */
  let served: EventStore;
  /** Head reads (backwards from the end) still to answer with nothing, as a lagging node. */
  let laggingHeadReads: number;
  let standIn: EsdbStandIn;
  let adapter: EventStoreDbEventStore | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'points-ledger-esdb-behind-'));
    kept = SqliteEventStore.open({ path: join(dir, 'kept.db') });
    empty = SqliteEventStore.open({ path: join(dir, 'empty.db') });
    served = kept;
    laggingHeadReads = 0;
    const swappable: EventStore = {
      ...delegatingStore(() => served),
      readAll: async (options) => {
        if (options?.direction === 'backwards' && laggingHeadReads > 0) {
          laggingHeadReads--;
          return [];
        }
        return served.readAll(options);
      },
      close: async () => undefined,
    };
    standIn = await startEsdbStandIn(swappable);
  });
  afterEach(async () => {
    await adapter?.close();
    await standIn.stop();
    await kept.close();
    await empty.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An adapter that has written and read three events through a subscription. */
  const readThree = async (lostAfterMs: number) => {
    adapter = new EventStoreDbEventStore(standIn.connectionString, {
      resume: { initialDelayMs: 10, maxDelayMs: 50, maxAttempts: 50, lostAfterMs },
    });
    for (let i = 0; i < 3; i++) await adapter.append(`kept-${i}`, [event('Tick')], NO_STREAM);
    const iterator = adapter.subscribeToAll()[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) expect((await iterator.next()).done).toBe(false);
    return { adapter, iterator };
  };

  it('refuses everything once the head stays before what a subscription read', async () => {
    const { adapter, iterator } = await readThree(200);
    served = empty;
    standIn.dropConnections();
    await expect(iterator.next()).rejects.toThrow(EventStoreLostEventsError);
    // The command side is refused too: a write here would start a second history.
    await expect(adapter.append('kept-0', [event('Tick')], NO_STREAM)).rejects.toThrow(
      /The event store lost events: its head is at position -1, before position 3/,
    );
    // Latched until a restart, also once the events are served again.
    served = kept;
    await expect(adapter.headPosition()).rejects.toThrow(EventStoreLostEventsError);
    await expect(adapter.readStream('kept-0')).rejects.toThrow(EventStoreLostEventsError);
    expect(await empty.headPosition()).toBe(-1n);
  });

  it('waits for a node that lags behind what it read, then follows it again', async () => {
    const { adapter, iterator } = await readThree(60_000);
    laggingHeadReads = 3;
    standIn.dropConnections();
    await kept.append('kept-3', [event('Tick')], NO_STREAM);
    const next = await iterator.next();
    expect(next.value?.stream).toBe('kept-3');
    expect(laggingHeadReads).toBe(0); // the lag was seen, and waited out
    await adapter.append('kept-4', [event('Tick')], NO_STREAM);
    expect((await iterator.next()).value?.stream).toBe('kept-4');
  });
});

describe('EventStoreDB adapter via gRPC stand-in: system events and paging', () => {
  let rig: Rig;
  let paged: EventStoreDbEventStore;
  beforeAll(async () => {
    rig = await startRig();
    paged = new EventStoreDbEventStore(rig.standIn.connectionString, { readAllPageSize: 2 });
  });
  afterAll(async () => {
    await paged.close();
    await rig.teardown();
  });

  it('skips system events in readAll, headPosition and subscriptions, across page boundaries', async () => {
    const system = () => rig.backing.append('$stats-standin', [event('$statsCollected')], 'any');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      await system();
      await system();
      const e = event('Tick', { i });
      ids.push(e.id);
      await paged.append(`tick-${i % 2}`, [e], 'any');
    }
    await system();
    await system();
    await system();
    // The stand-in serves whatever the backing store holds, system events included, as EventStoreDB does.
    const [rawHead] = await rig.backing.readAll({ direction: 'backwards', maxCount: 1 });
    expect(rawHead.stream).toBe('$stats-standin');

    const forwards = await paged.readAll();
    expect(forwards.map((e) => e.id)).toEqual(ids);
    const backwards = await paged.readAll({ direction: 'backwards' });
    expect(backwards.map((e) => e.id)).toEqual([...ids].reverse());
    const from1 = await paged.readAll({ fromPosition: forwards[1].position, maxCount: 3 });
    expect(from1.map((e) => e.id)).toEqual(ids.slice(1, 4));
    const backFrom3 = await paged.readAll({
      direction: 'backwards',
      fromPosition: forwards[3].position,
      maxCount: 3,
    });
    expect(backFrom3.map((e) => e.id)).toEqual(ids.slice(1, 4).reverse());
    const odd = await paged.readAll({ filter: { streamNamePrefixes: ['tick-1'] } });
    expect(odd.map((e) => e.id)).toEqual([ids[1], ids[3]]);
    expect(await paged.headPosition()).toBe(forwards[4].position);

    const subscription = paged.subscribeToAll();
    const received: string[] = [];
    for await (const e of subscription) {
      received.push(e.id);
      if (received.length === ids.length) break;
    }
    await subscription.unsubscribe();
    expect(received).toEqual(ids);
  });
});

/** Every $all read the adapter's client makes: what it asked for and how many records came. */
function watchReadsOfAll(adapter: EventStoreDbEventStore) {
  const client = (adapter as unknown as { client: EventStoreDBClient }).client;
  const readAll = client.readAll.bind(client);
  const reads: { maxCount: number; received: number }[] = [];
  const spy = jest.spyOn(client, 'readAll').mockImplementation(((
    options: Parameters<typeof readAll>[0],
  ) => {
    const read = { maxCount: Number(options?.maxCount), received: 0 };
    reads.push(read);
    const inner = readAll(options);
    return (async function* () {
      for await (const resolved of inner) {
        read.received += 1;
        yield resolved;
      }
    })();
  }) as unknown as typeof client.readAll);
  return { reads, stop: () => spy.mockRestore() };
}

describe('EventStoreDB adapter via gRPC stand-in: the head position', () => {
  let rig: Rig;
  let watch: ReturnType<typeof watchReadsOfAll>;
  beforeAll(async () => {
    rig = await startRig();
  });
  beforeEach(() => {
    watch = watchReadsOfAll(rig.adapter);
  });
  afterEach(() => watch.stop());
  afterAll(async () => {
    await rig.teardown();
  });
  const system = (count: number) =>
    rig.backing.append(
      '$stats-standin',
      Array.from({ length: count }, () => event('$statsCollected')),
      'any',
    );
  const tick = () => rig.adapter.append('tick-1', [event('Tick')], 'any');

  // The tests build on each other's store, in order.
  it('is -1 for an empty store, after asking for one record', async () => {
    expect(await rig.adapter.headPosition()).toBe(-1n);
    expect(watch.reads).toEqual([{ maxCount: 1, received: 0 }]);
  });

  it('is -1 for a store of system events only', async () => {
    await system(3);
    expect(await rig.adapter.headPosition()).toBe(-1n);
    expect(watch.reads).toEqual([
      { maxCount: 1, received: 1 },
      { maxCount: 8, received: 2 },
    ]);
  });

  it('is the last event, read alone, when the last record is an event', async () => {
    for (let i = 0; i < 20; i++) await tick();
    const last = await tick();
    expect(await rig.adapter.headPosition()).toBe(last.position);
    expect(watch.reads).toEqual([{ maxCount: 1, received: 1 }]);
  });

  it('reads past system events after the last event in ever wider reads', async () => {
    const last = await tick();
    await system(12);
    expect(await rig.adapter.headPosition()).toBe(last.position);
    // The first 1 + 8 records back are system events; the third read finds the event (13th back)
    // and, asking for 64, gets the 28 records left in the store.
    expect(watch.reads).toEqual([
      { maxCount: 1, received: 1 },
      { maxCount: 8, received: 8 },
      { maxCount: 64, received: 28 },
    ]);
  });
});

describe('EventStoreDB adapter via gRPC stand-in: streaming Append RPC (server without BatchAppend)', () => {
  let rig: Rig;
  let store: EventStore;
  beforeAll(async () => {
    rig = await startRig({ batchAppend: false });
    store = rig.adapter;
  });
  afterAll(async () => {
    await rig.teardown();
  });

  it('appends, maps wrong expected versions, and repeats idempotently', async () => {
    const stream = `legacy${randomUUID().slice(0, 8)}`;
    const batch = [event('A'), event('B')];
    const first = await store.append(stream, batch, NO_STREAM);
    expect(first.nextExpectedRevision).toBe(1n);
    const [, last] = await store.readStream(stream);
    expect(first.position).toBe(last.position);

    const again = await store.append(stream, batch, NO_STREAM);
    expect(again).toEqual(first);

    const conflict = await store.append(stream, [event('C')], 0n).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(WrongExpectedVersionError);
    expect((conflict as WrongExpectedVersionError).actual).toBe(1n);
    expect((conflict as WrongExpectedVersionError).expected).toBe(0n);
    const missing = await store
      .append(`${stream}-new`, [event('C')], 'stream_exists')
      .catch((e: unknown) => e);
    expect((missing as WrongExpectedVersionError).actual).toBe('no_stream');
  });
});
