import { randomUUID } from 'node:crypto';
import { EventStore, ReadStreamOptions } from '../../event-store';
import { SqliteEventStore } from '../../infrastructure/sqlite/sqlite-event-store';
import { AggregateStore } from './aggregate-store';
import { CommandExecutor } from './command-executor';
import { StateCache } from './state-cache';

type Added = { type: 'Added'; data: { n: number } };
const added = (n: number) => ({ id: randomUUID(), type: 'Added', data: { n } });

describe('AggregateStore', () => {
  let sqlite: SqliteEventStore;
  /** The revision each read of the stream started from. */
  let readsFrom: Array<bigint | 'start' | 'end' | undefined>;
  let aggregates: AggregateStore<number, Added>;
  let executor: CommandExecutor;

  beforeEach(() => {
    sqlite = SqliteEventStore.open({ path: ':memory:' });
    readsFrom = [];
    const store: EventStore = {
      append: (...args) => sqlite.append(...args),
      readStream: (stream: string, options?: ReadStreamOptions) => {
        readsFrom.push(options?.fromRevision);
        return sqlite.readStream(stream, options);
      },
      readAll: (...args) => sqlite.readAll(...args),
      subscribeToAll: (...args) => sqlite.subscribeToAll(...args),
      headPosition: () => sqlite.headPosition(),
      close: () => sqlite.close(),
    };
    const cache = new StateCache();
    aggregates = new AggregateStore<number, Added>(store, cache, (sum, e) => sum + e.data.n, 0);
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

  it('after a conflict, reads only the events past the revision it holds, not the whole stream', async () => {
    await sqlite.append('s', [added(1), added(2), added(3)], 'no_stream');
    await aggregates.load('s');
    const result = await addOvertaken(4, { times: 1 });
    expect(result.outcome.body).toEqual({ sum: 110 }); // decided again on top of the 100
    expect(readsFrom).toEqual([0n, 3n]);
    expect(await aggregates.load('s')).toEqual({ state: 110, revision: 4n });
  });
});
