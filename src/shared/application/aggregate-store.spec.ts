import { randomUUID } from 'node:crypto';
import { EventStore, ReadStreamOptions, StreamUnreadableError } from '../../event-store';
import { SqliteEventStore } from '../../infrastructure/sqlite/sqlite-event-store';
import { AggregateStore, CATCH_UP_PAGE } from './aggregate-store';
import { CommandExecutor } from './command-executor';
import { StateCache } from './state-cache';

type Added = { type: 'Added'; data: { n: number } };
/** An event as a command writes it; `n` may be anything, as another tool might write it. */
const added = (n: unknown, type = 'Added', schemaVersion = 1) => ({
  id: randomUUID(),
  type,
  data: { n } as { n: number },
  metadata: { schemaVersion },
});
/** The rules of the one event type of these tests: an Added of an integer n. */
const addedProblem = (e: { type: string; data: unknown }) =>
  e.type !== 'Added'
    ? `${e.type} is not an event type this aggregate knows`
    : Number.isSafeInteger((e.data as { n: unknown }).n)
      ? null
      : 'Added: n is not an integer';

describe('AggregateStore', () => {
  let sqlite: SqliteEventStore;
  /** The revision each read of the stream started from. */
  let readsFrom: Array<bigint | 'start' | 'end' | undefined>;
  let aggregates: AggregateStore<number, Added>;
  let executor: CommandExecutor;
  /** A revision the store's reads leave out, as if its row were deleted from the file. */
  let lostRevision: bigint | undefined;

  beforeEach(() => {
    sqlite = SqliteEventStore.open({ path: ':memory:' });
    readsFrom = [];
    lostRevision = undefined;
    const store: EventStore = {
      append: (...args) => sqlite.append(...args),
      readStream: async (stream: string, options?: ReadStreamOptions) => {
        readsFrom.push(options?.fromRevision);
        const events = await sqlite.readStream(stream, options);
        return events.filter((e) => e.revision !== lostRevision);
      },
      readAll: (...args) => sqlite.readAll(...args),
      subscribeToAll: (...args) => sqlite.subscribeToAll(...args),
      headPosition: () => sqlite.headPosition(),
      close: () => sqlite.close(),
    };
    const cache = new StateCache();
    aggregates = new AggregateStore<number, Added>(
      store,
      cache,
      (sum, e) => sum + e.data.n,
      0,
      addedProblem,
    );
    executor = new CommandExecutor(store, cache);
  });
  afterEach(() => sqlite.close());

  /** Adds `n` on top of the loaded sum; the first attempt is overtaken by another writer's append. */
  const addOvertaken = (n: number, overtake: { times: number }) =>
    executor.run(['s'], async () => {
      const loaded = await aggregates.load('s');
      if (overtake.times-- > 0) await sqlite.append('s', [added(100)], 'any');
      const planned = aggregates.plan('s', loaded, [{ type: 'Added', data: { n } }], {});
      return { appends: [planned], outcome: { status: 201, body: { sum: planned.state } } };
    });

  it('reads a stream once, then trusts its cache and folds its own appends without reading', async () => {
    await sqlite.append('s', [added(1), added(2), added(3)], 'no_stream');
    expect((await aggregates.load('s')).state).toBe(6);
    await addOvertaken(4, { times: 0 });
    expect(await aggregates.load('s')).toEqual({ state: 10, revision: 3n });
    expect(readsFrom).toEqual([0n]);
  });

  it('folds a long stream a page at a time, letting other work run between pages', async () => {
    const length = 2 * CATCH_UP_PAGE + 3;
    await sqlite.append(
      's',
      Array.from({ length }, () => added(1)),
      'no_stream',
    );
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    const loading = aggregates.load('s');
    expect(await loading).toEqual({ state: length, revision: BigInt(length - 1) });
    expect(otherWorkRan).toBe(true);
    expect(readsFrom).toEqual([0n, BigInt(CATCH_UP_PAGE), BigInt(2 * CATCH_UP_PAGE)]);
  });

  it('after a conflict, reads only the events past the revision it holds, not the whole stream', async () => {
    await sqlite.append('s', [added(1), added(2), added(3)], 'no_stream');
    await aggregates.load('s');
    const result = await addOvertaken(4, { times: 1 });
    expect(result.outcome.body).toEqual({ sum: 110 }); // decided again on top of the 100
    expect(readsFrom).toEqual([0n, 3n]);
    expect(await aggregates.load('s')).toEqual({ state: 110, revision: 4n });
  });

  describe('an event it cannot fold', () => {
    it.each([
      ['a type it does not know', added(5, 'Multiplied'), 'Multiplied is not an event type'],
      ['data its evolve would misread', added('abc'), 'Added: n is not an integer'],
      ['another schema version', added(5, 'Added', 2), 'its schemaVersion is 2, and this'],
      ['no schema version', { ...added(5), metadata: {} }, 'its schemaVersion is missing'],
    ])('fails the load on %s, naming the event, and caches nothing', async (_, odd, reason) => {
      await sqlite.append('s', [added(1), odd, added(2)], 'no_stream');
      const error = await aggregates.load('s').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamUnreadableError);
      expect(error).toMatchObject({ stream: 's', revision: 1n, position: 2n });
      expect((error as Error).message).toContain(
        `The event at revision 1 (position 2) of stream s cannot be read: ${reason}`,
      );
      await expect(aggregates.load('s')).rejects.toThrow(StreamUnreadableError);
      expect(readsFrom).toEqual([0n, 0n]); // no state of the stream was kept
    });

    it('fails the load on a revision missing from the stream (an event lost from the file)', async () => {
      await sqlite.append('s', [added(1), added(2), added(3)], 'no_stream');
      lostRevision = 1n;
      const error = await aggregates.load('s').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamUnreadableError);
      expect((error as Error).message).toBe(
        'The event at revision 2 (position 3) of stream s cannot be read: revision 1 before it is missing from the store',
      );
    });

    it('after a conflict with a writer of such an event, keeps its state and fails each load', async () => {
      await sqlite.append('s', [added(1)], 'no_stream');
      await aggregates.load('s');
      const overtaken = executor.run(['s'], async () => {
        const loaded = await aggregates.load('s');
        await sqlite.append('s', [added(7, 'Multiplied')], 'any');
        const planned = aggregates.plan('s', loaded, [{ type: 'Added', data: { n: 1 } }], {});
        return { appends: [planned], outcome: { status: 201, body: null } };
      });
      await expect(overtaken).rejects.toThrow(StreamUnreadableError);
      expect((await sqlite.readStream('s')).map((e) => e.type)).toEqual(['Added', 'Multiplied']);
      await expect(aggregates.load('s')).rejects.toThrow(/revision 1 \(position 2\) of stream s/);
      // Each load reads on from the state it held, at revision 0: never a half-folded one.
      expect(readsFrom).toEqual([0n, 1n, 1n]);
    });
  });
});
