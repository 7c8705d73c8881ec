import { randomUUID } from 'node:crypto';
import { EventStore, WrongExpectedVersionError } from '../../event-store';
import { SqliteEventStore } from '../../infrastructure/sqlite/sqlite-event-store';
import {
  CommandExecutor,
  ContentionError,
  Decision,
  IdempotencyKeyReusedError,
  IdempotencyScope,
  idempotencyStream,
  LocksNeeded,
} from './command-executor';
import { StateCache } from './state-cache';

/** A counter aggregate: the decision appends one event on top of whatever the stream holds. */
function counterDecision(store: EventStore, stream: string, calls: { count: number }) {
  return async (): Promise<Decision> => {
    calls.count++;
    const existing = await store.readStream(stream);
    const last = existing.at(-1);
    return {
      appends: [
        {
          stream,
          expectedRevision: last ? last.revision : 'no_stream',
          events: [{ id: randomUUID(), type: 'Incremented', data: { n: existing.length + 1 } }],
        },
      ],
      outcome: { status: 201, body: { n: existing.length + 1 } },
    };
  };
}

const scope = (key: string, fingerprint = 'f1'): IdempotencyScope => ({
  tenantKey: 'sandbox.org',
  key,
  fingerprint,
  context: {},
});

/** The same store seen through a port without multi-stream transactions, as EventStoreDB's is. */
function withoutAtomicAppends(sqlite: SqliteEventStore): EventStore {
  return {
    append: (...args) => sqlite.append(...args),
    readStream: (...args) => sqlite.readStream(...args),
    readAll: (...args) => sqlite.readAll(...args),
    subscribeToAll: (...args) => sqlite.subscribeToAll(...args),
    headPosition: () => sqlite.headPosition(),
    close: () => sqlite.close(),
  };
}

describe.each([
  ['with atomic multi-stream appends (SQLite)', (s: SqliteEventStore): EventStore => s],
  ['recording before appending (as on EventStoreDB)', withoutAtomicAppends],
])('CommandExecutor %s', (_name, portOf) => {
  let sqlite: SqliteEventStore;
  let store: EventStore;
  beforeEach(() => {
    sqlite = SqliteEventStore.open({ path: ':memory:' });
    store = portOf(sqlite);
  });
  afterEach(() => sqlite.close());

  const newExecutor = () => new CommandExecutor(store, new StateCache());

  it('writes once for concurrent requests with one key and gives them all the same answer', async () => {
    const executor = newExecutor();
    const calls = { count: 0 };
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        executor.run(['c'], counterDecision(store, 'c-1', calls), scope('k1')),
      ),
    );
    expect(await store.readStream('c-1')).toHaveLength(1);
    expect(new Set(results.map((r) => JSON.stringify(r.outcome)))).toEqual(
      new Set(['{"status":201,"body":{"n":1}}']),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
  });

  it('rejects a key reused for another request, concurrently or later', async () => {
    const executor = newExecutor();
    const calls = { count: 0 };
    const first = executor.run(['c'], counterDecision(store, 'c-2', calls), scope('k2', 'a'));
    await expect(
      executor.run(['c'], counterDecision(store, 'c-2', calls), scope('k2', 'b')),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await first;
    await expect(
      executor.run(['c'], counterDecision(store, 'c-2', calls), scope('k2', 'b')),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await store.readStream('c-2')).toHaveLength(1);
  });

  it('replays after a restart without writing again, and still refuses another request', async () => {
    const calls = { count: 0 };
    await newExecutor().run(['c'], counterDecision(store, 'c-3', calls), scope('k3'));
    await store.append('c-3', [{ id: randomUUID(), type: 'Incremented', data: { n: 2 } }], 0n);

    const restarted = newExecutor();
    const replay = await restarted.run(['c'], counterDecision(store, 'c-3', calls), scope('k3'));
    expect(replay).toMatchObject({ replayed: true, outcome: { status: 201, body: { n: 1 } } });
    expect(await store.readStream('c-3')).toHaveLength(2);
    await expect(
      newExecutor().run(['c'], counterDecision(store, 'c-3', calls), scope('k3', 'other')),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('finishes a decision that was recorded but never applied (a crash in between)', async () => {
    const calls = { count: 0 };
    const decision = await counterDecision(store, 'c-4', calls)();
    await store.append(
      idempotencyStream('sandbox.org', 'k4'),
      [
        {
          id: randomUUID(),
          type: 'IdempotentCommandDecided',
          data: {
            fingerprint: 'f1',
            atomic: false,
            appends: decision.appends.map((a) => ({
              ...a,
              expectedRevision: String(a.expectedRevision),
            })),
            outcome: decision.outcome,
          } as never,
        },
      ],
      'no_stream',
    );
    const result = await newExecutor().run(
      ['c'],
      counterDecision(store, 'c-4', calls),
      scope('k4'),
    );
    expect(result).toMatchObject({ replayed: true, outcome: { body: { n: 1 } } });
    expect(await store.readStream('c-4')).toHaveLength(1);
  });

  it('two replicas racing on one key write once', async () => {
    const calls = { count: 0 };
    const [a, b] = [newExecutor(), newExecutor()];
    const results = await Promise.all([
      a.run(['c'], counterDecision(store, 'c-5', calls), scope('k5')),
      b.run(['c'], counterDecision(store, 'c-5', calls), scope('k5')),
    ]);
    expect(await store.readStream('c-5')).toHaveLength(1);
    expect(results[0].outcome).toEqual(results[1].outcome);
  });

  it('decides again when the stream moved under a stale decision', async () => {
    const calls = { count: 0 };
    const executor = newExecutor();
    let first = true;
    const decide = async (): Promise<Decision> => {
      const decision = await counterDecision(store, 'c-6', calls)();
      if (first) {
        first = false;
        await store.append(
          'c-6',
          [{ id: randomUUID(), type: 'Incremented', data: { n: 1 } }],
          'no_stream',
        );
      }
      return decision;
    };
    const result = await executor.run(['c'], decide, scope('k6'));
    expect(result.outcome.body).toEqual({ n: 2 });
    expect(calls.count).toBe(2);
    expect((await store.readStream('c-6')).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  /** A decision on the stream as read, after which another writer appends to it through the store. */
  function overtaken(stream: string, calls: { count: number }, times: number) {
    return async (): Promise<Decision> => {
      const decision = await counterDecision(store, stream, calls)();
      if (calls.count > times) return decision;
      const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      await store.append(
        stream,
        [{ id: randomUUID(), type: 'Incremented', data: { n: 0 } }],
        last ? last.revision : 'no_stream',
      );
      return decision;
    };
  }

  it('decides again when the stream moved under a stale decision, without a key too', async () => {
    const calls = { count: 0 };
    const result = await newExecutor().run(['c'], overtaken('c-7', calls, 1));
    expect(result).toMatchObject({ replayed: false, outcome: { body: { n: 2 } } });
    expect(calls.count).toBe(2);
    expect((await store.readStream('c-7')).map((e) => e.data)).toEqual([{ n: 0 }, { n: 2 }]);
  });

  it('decides once more, not twice, when a decision asks for more locks after a conflict', async () => {
    const calls = { count: 0 };
    const conflicted = overtaken('c-11', calls, 1);
    let decisions = 0;
    const result = await newExecutor().run(
      ['c'],
      async ({ held }) => {
        decisions++;
        if (decisions === 2 && !held.includes('o')) throw new LocksNeeded(['o']);
        return conflicted();
      },
      scope('k11'),
    );
    expect(result).toMatchObject({ replayed: false, outcome: { body: { n: 2 } } });
    // The first conflicted, the second asked for the lock of 'o', the third was written. (On the
    // record-first path a lost record revision made a fourth.)
    expect(decisions).toBe(3);
    expect((await store.readStream('c-11')).map((e) => e.data)).toEqual([{ n: 0 }, { n: 2 }]);
  });

  it.each([
    ['without a key', undefined],
    ['with a key', 'k10'],
  ])(
    'reads the clock for each attempt, under its locks: stamps follow the writes (%s)',
    async (_how, key) => {
      let tick = 0;
      const executor = new CommandExecutor(store, new StateCache(), 8, () => `t${++tick}`);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let holding!: () => void;
      const holds = new Promise<void>((resolve) => (holding = resolve));
      const first = executor.run(['c'], async ({ now }) => {
        holding();
        await held;
        return { appends: [], outcome: { status: 200, body: now } };
      });
      await holds;
      // Arrives while the lock is held; its first decision then conflicts and is made again.
      const stamps: string[] = [];
      const calls = { count: 0 };
      const conflicted = overtaken('c-10', calls, 1);
      const second = executor.run(
        ['c'],
        async ({ now }) => {
          stamps.push(now);
          return conflicted();
        },
        key === undefined ? undefined : scope(key),
      );
      tick = 10; // time passes while the first holds the lock
      release();
      expect((await first).outcome.body).toBe('t1');
      await second;
      expect(stamps).toEqual(['t11', 't12']);
    },
  );

  it.each([
    ['without a key', undefined],
    ['with a key', 'k9'],
  ])(
    'runs a decision again holding the locks it asks for, queued behind their holders (%s)',
    async (_how, key) => {
      const executor = newExecutor();
      const order: string[] = [];
      let releaseOther!: () => void;
      const otherHolds = new Promise<void>((resolve) => (releaseOther = resolve));
      let otherStarted!: () => void;
      const started = new Promise<void>((resolve) => (otherStarted = resolve));
      // Another command holds the lock of 'o' until released.
      const other = executor.run(['o'], async () => {
        otherStarted();
        await otherHolds;
        order.push('other');
        return { appends: [], outcome: { status: 200, body: null } };
      });
      await started;
      const helds: string[][] = [];
      const calls = { count: 0 };
      const counter = counterDecision(store, 'c-9', calls);
      const run = executor.run(
        ['c'],
        async ({ held }) => {
          helds.push([...held]);
          if (!held.includes('o')) throw new LocksNeeded(['o']);
          order.push('ours');
          return counter();
        },
        key === undefined ? undefined : scope(key),
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(order).toEqual([]); // ours waits for the lock of 'o'
      releaseOther();
      await other;
      await expect(run).resolves.toMatchObject({ replayed: false, outcome: { body: { n: 1 } } });
      expect(helds).toEqual([['c'], ['c', 'o']]);
      expect(order).toEqual(['other', 'ours']);
      expect(await store.readStream('c-9')).toHaveLength(1);
    },
  );

  describe.each([
    ['without a key', undefined],
    ['with a key', 'k8'],
  ])('when every attempt conflicts (%s)', (_how, key) => {
    const maxAttempts = 3;

    it(`gives up with ContentionError after exactly ${maxAttempts} attempts, none of its events written`, async () => {
      const executor = new CommandExecutor(store, new StateCache(), maxAttempts);
      const calls = { count: 0 };
      const decide = overtaken('c-8', calls, Infinity);
      const bounded = async (): Promise<Decision> => {
        if (calls.count === maxAttempts) throw new Error('decided more often than allowed');
        return decide();
      };
      const run = executor.run(['c'], bounded, key === undefined ? undefined : scope(key));

      await expect(run).rejects.toBeInstanceOf(ContentionError);
      await expect(run).rejects.toThrow('The command kept conflicting with concurrent writes');
      expect(calls.count).toBe(maxAttempts);
      // Only the other writer's events: none of the command's decisions got in.
      expect((await store.readStream('c-8')).map((e) => e.data)).toEqual(
        Array(maxAttempts).fill({ n: 0 }),
      );

      // Retryable: once the other writer is done, the same request (and key) goes through.
      const retried = await executor.run(
        ['c'],
        counterDecision(store, 'c-8', calls),
        key === undefined ? undefined : scope(key),
      );
      expect(retried).toMatchObject({ replayed: false, outcome: { body: { n: maxAttempts + 1 } } });
      expect(await store.readStream('c-8')).toHaveLength(maxAttempts + 1);
    });
  });
});

describe.each([
  ['without a key', undefined],
  ['with a key', 'k-follow'],
])('CommandExecutor appending one by one, a follow-up that conflicts (%s)', (_how, key) => {
  let sqlite: SqliteEventStore;
  beforeEach(() => (sqlite = SqliteEventStore.open({ path: ':memory:' })));
  afterEach(() => sqlite.close());

  /** Appends one by one; the first append to `stream` conflicts: another writer got there first. */
  function withOneConflictOn(stream: string): EventStore {
    let conflicted = false;
    return {
      ...withoutAtomicAppends(sqlite),
      append: (name, events, expected) => {
        if (name !== stream || conflicted) return sqlite.append(name, events, expected);
        conflicted = true;
        return Promise.reject(new WrongExpectedVersionError(name, expected, 0n));
      },
    };
  }

  /** The counter's decision on 'c-1', then one append on `second`, a follow-up or not. */
  function withSecondAppend(store: EventStore, second: string, followUp: boolean) {
    const calls = { count: 0 };
    const counter = counterDecision(store, 'c-1', calls);
    const decide = async (): Promise<Decision> => {
      const decision = await counter();
      const events = [{ id: randomUUID(), type: 'Released', data: {} }];
      const append = { stream: second, expectedRevision: 'any' as const, events, followUp };
      return { ...decision, appends: [...decision.appends, append] };
    };
    return { calls, decide };
  }

  it('keeps the decision whose first append landed: it is not decided and written twice', async () => {
    const store = withOneConflictOn('o-1');
    const { calls, decide } = withSecondAppend(store, 'o-1', true);
    const executor = new CommandExecutor(store, new StateCache());
    const result = await executor.run(['c'], decide, key === undefined ? undefined : scope(key));
    expect(result).toMatchObject({ replayed: false, outcome: { body: { n: 1 } } });
    expect(calls.count).toBe(1);
    expect(await sqlite.readStream('c-1')).toHaveLength(1);
    expect(await sqlite.readStream('o-1')).toHaveLength(0); // left to its repair
  });

  it.each([
    ['an append that is no follow-up conflicts', 'o-2', false],
    ['its first append conflicts', 'c-1', true],
  ])('decides again when %s', async (_what, conflicting, followUp) => {
    const store = withOneConflictOn(conflicting);
    const { calls, decide } = withSecondAppend(store, 'o-2', followUp);
    const executor = new CommandExecutor(store, new StateCache());
    await executor.run(['c'], decide, key === undefined ? undefined : scope(key));
    expect(calls.count).toBe(2);
  });
});
