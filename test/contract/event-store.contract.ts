import { randomUUID } from 'node:crypto';
import {
  ANY,
  EventData,
  EventStore,
  NO_STREAM,
  RecordedEvent,
  STREAM_EXISTS,
  Subscription,
  WrongExpectedVersionError,
} from '../../src/event-store';

export interface ContractSetup {
  store: EventStore;
  teardown: () => Promise<void>;
}

const event = (type: string, data: EventData['data'] = {}, metadata = {}): EventData => ({
  id: randomUUID(),
  type,
  data,
  metadata,
});

/** Collects `count` events from a subscription, then unsubscribes. */
async function take(subscription: Subscription, count: number): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  if (count === 0) return seen;
  for await (const e of subscription) {
    seen.push(e);
    if (seen.length === count) break;
  }
  await subscription.unsubscribe();
  return seen;
}

/** Matched by name, not class, so the suite also runs a compiled copy of an adapter. */
const wrongVersion = { name: new WrongExpectedVersionError('', 'any', 'no_stream').name };

async function expectWrongVersion(
  promise: Promise<unknown>,
  actual: bigint | 'no_stream',
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject(wrongVersion);
  expect((error as WrongExpectedVersionError).actual).toBe(actual);
}

/**
 * One suite for every adapter of the event-store port. Streams get a unique prefix per test so the
 * suite also runs against a real server that holds other data.
 */
export interface ContractOptions {
  /** The adapter offers appendAtomically (multi-stream transactions). */
  atomicAppends?: boolean;
  /** The adapter leaves the bodies outside a read's `bodies` filter empty (else it returns them). */
  skipsBodies?: boolean;
  /** The adapter offers readAllLean. */
  leanReads?: boolean;
}

export function describeEventStoreContract(
  name: string,
  setup: () => Promise<ContractSetup>,
  options: ContractOptions = {},
): void {
  describe(`event-store contract: ${name}`, () => {
    let store: EventStore;
    let teardown: () => Promise<void>;
    let prefix: string;
    const streamName = (id: string) => `${prefix}-${id}`;

    beforeAll(async () => {
      ({ store, teardown } = await setup());
    });
    afterAll(async () => {
      await teardown();
    });
    beforeEach(() => {
      prefix = `ct${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    });

    describe('append and readStream', () => {
      it('appends events and reads them back in order with their envelope', async () => {
        const stream = streamName('a');
        const events = [
          event('A', { n: 1 }, { requestId: 'r1' }),
          event('B', { n: 2 }),
          event('C'),
        ];
        const result = await store.append(stream, events, NO_STREAM);
        expect(result.nextExpectedRevision).toBe(2n);

        const read = await store.readStream(stream);
        expect(read.map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(read.map((e) => e.type)).toEqual(['A', 'B', 'C']);
        expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(read[0].data).toEqual({ n: 1 });
        expect(read[0].metadata).toEqual({ requestId: 'r1' });
        expect(read.every((e) => e.stream === stream)).toBe(true);
        expect(read[0].created).toBeInstanceOf(Date);
        expect(read[1].position).toBeGreaterThan(read[0].position);
        expect(read[2].position).toBeGreaterThan(read[1].position);
        expect(result.position).toBe(read[2].position);
      });

      it('reads from a revision, backwards, and at most maxCount', async () => {
        const stream = streamName('r');
        await store.append(
          stream,
          [1, 2, 3, 4, 5].map((n) => event('N', { n })),
          NO_STREAM,
        );
        const from2 = await store.readStream(stream, { fromRevision: 2n, maxCount: 2 });
        expect(from2.map((e) => e.data)).toEqual([{ n: 3 }, { n: 4 }]);
        const backwards = await store.readStream(stream, { direction: 'backwards', maxCount: 2 });
        expect(backwards.map((e) => e.revision)).toEqual([4n, 3n]);
        const backFrom1 = await store.readStream(stream, {
          direction: 'backwards',
          fromRevision: 1n,
        });
        expect(backFrom1.map((e) => e.revision)).toEqual([1n, 0n]);
      });

      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(streamName('missing'))).toEqual([]);
      });

      it('keeps streams apart', async () => {
        await store.append(streamName('x'), [event('X')], NO_STREAM);
        await store.append(streamName('y'), [event('Y'), event('Y')], NO_STREAM);
        expect((await store.readStream(streamName('x'))).map((e) => e.type)).toEqual(['X']);
        expect((await store.readStream(streamName('y'))).map((e) => e.revision)).toEqual([0n, 1n]);
      });
    });

    describe('expected revision', () => {
      it('no_stream: succeeds on a new stream, fails on an existing one with its revision', async () => {
        const stream = streamName('ns');
        await store.append(stream, [event('A'), event('B')], NO_STREAM);
        await expectWrongVersion(store.append(stream, [event('C')], NO_STREAM), 1n);
      });

      it('exact: succeeds at the last revision, fails otherwise with the actual revision', async () => {
        const stream = streamName('ex');
        await store.append(stream, [event('A')], NO_STREAM);
        const next = await store.append(stream, [event('B')], 0n);
        expect(next.nextExpectedRevision).toBe(1n);
        await expectWrongVersion(store.append(stream, [event('C')], 0n), 1n);
        await expectWrongVersion(store.append(stream, [event('C')], 5n), 1n);
        await expectWrongVersion(store.append(streamName('ex-new'), [event('C')], 0n), 'no_stream');
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('stream_exists: fails on a new stream, succeeds on an existing one', async () => {
        const stream = streamName('se');
        await expectWrongVersion(store.append(stream, [event('A')], STREAM_EXISTS), 'no_stream');
        await store.append(stream, [event('A')], ANY);
        const r = await store.append(stream, [event('B')], STREAM_EXISTS);
        expect(r.nextExpectedRevision).toBe(1n);
      });

      it('any: always appends', async () => {
        const stream = streamName('any');
        expect((await store.append(stream, [event('A')], ANY)).nextExpectedRevision).toBe(0n);
        expect((await store.append(stream, [event('B')], ANY)).nextExpectedRevision).toBe(1n);
      });

      it('lets exactly one of N racing writers with the same expected revision win', async () => {
        const stream = streamName('race');
        await store.append(stream, [event('Start')], NO_STREAM);
        const writers = 25;
        const outcomes = await Promise.allSettled(
          Array.from({ length: writers }, (_, i) => store.append(stream, [event('W', { i })], 0n)),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o) => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(writers - 1);
        for (const o of lost) {
          expect((o as PromiseRejectedResult).reason).toMatchObject(wrongVersion);
          expect(((o as PromiseRejectedResult).reason as WrongExpectedVersionError).actual).toBe(
            1n,
          );
        }
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('lets exactly one of N racing creators of a new stream win', async () => {
        const stream = streamName('race-new');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.append(stream, [event('Created')], NO_STREAM)),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('idempotent append', () => {
      it('re-appending the same events at the same expected revision writes nothing', async () => {
        const stream = streamName('idem');
        await store.append(stream, [event('Start')], NO_STREAM);
        const batch = [event('A'), event('B')];
        const first = await store.append(stream, batch, 0n);
        const again = await store.append(stream, batch, 0n);
        expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(again.position).toBe(first.position);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('re-appending a stream-creating batch with no_stream writes nothing', async () => {
        const stream = streamName('idem-new');
        const batch = [event('A')];
        await store.append(stream, batch, NO_STREAM);
        const again = await store.append(stream, batch, NO_STREAM);
        expect(again.nextExpectedRevision).toBe(0n);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('other events at an old expected revision are still a conflict', async () => {
        const stream = streamName('idem-other');
        await store.append(stream, [event('A')], NO_STREAM);
        await store.append(stream, [event('B')], 0n);
        await expectWrongVersion(store.append(stream, [event('C')], 0n), 1n);
      });
    });

    (options.atomicAppends ? describe : describe.skip)('appendAtomically', () => {
      it('writes to several streams in one transaction', async () => {
        const [a, b] = await store.appendAtomically!([
          { stream: streamName('a'), events: [event('A')], expectedRevision: NO_STREAM },
          { stream: streamName('b'), events: [event('B'), event('B')], expectedRevision: ANY },
        ]);
        expect([a.nextExpectedRevision, b.nextExpectedRevision]).toEqual([0n, 1n]);
        expect(b.position).toBeGreaterThan(a.position);
        expect(await store.readStream(streamName('b'))).toHaveLength(2);
      });

      it('writes nothing when any stream conflicts, and names that stream', async () => {
        await store.append(streamName('taken'), [event('X')], NO_STREAM);
        const error = await store.appendAtomically!([
          { stream: streamName('free'), events: [event('A')], expectedRevision: NO_STREAM },
          { stream: streamName('taken'), events: [event('B')], expectedRevision: NO_STREAM },
        ]).catch((e: unknown) => e);
        expect(error).toMatchObject(wrongVersion);
        expect((error as WrongExpectedVersionError).stream).toBe(streamName('taken'));
        expect(await store.readStream(streamName('free'))).toEqual([]);
        const retry = await store.append(streamName('free'), [event('A')], NO_STREAM);
        expect(retry.nextExpectedRevision).toBe(0n);
      });

      it('checks a later append to the same stream against the earlier one of the same call', async () => {
        const [first, second] = await store.appendAtomically!([
          { stream: streamName('twice'), events: [event('A')], expectedRevision: NO_STREAM },
          { stream: streamName('twice'), events: [event('B')], expectedRevision: 0n },
        ]);
        expect([first.nextExpectedRevision, second.nextExpectedRevision]).toEqual([0n, 1n]);
        const error = await store.appendAtomically!([
          { stream: streamName('twice'), events: [event('C')], expectedRevision: 1n },
          { stream: streamName('twice'), events: [event('D')], expectedRevision: 1n },
        ]).catch((e: unknown) => e);
        expect(error).toMatchObject(wrongVersion);
        expect((error as WrongExpectedVersionError).actual).toBe(2n);
        expect(await store.readStream(streamName('twice'))).toHaveLength(2);
        const next = await store.append(streamName('twice'), [event('C')], 1n);
        expect(next.nextExpectedRevision).toBe(2n);
      });

      it('keeps concurrent atomic writers apart: one conflicting writer does not undo the others', async () => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            store.appendAtomically!([
              {
                stream: streamName(`own-${i}`),
                events: [event('Own')],
                expectedRevision: NO_STREAM,
              },
              {
                stream: streamName('shared'),
                events: [event('Shared')],
                expectedRevision: NO_STREAM,
              },
            ]),
          ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const written = await store.readAll({ filter: { streamNamePrefixes: [`${prefix}-own-`] } });
        expect(written).toHaveLength(1);
      });
    });

    describe('readAll', () => {
      it('returns events of all streams in global order, forwards and backwards', async () => {
        const order: string[] = [];
        for (const s of ['one', 'two', 'one', 'three', 'two']) {
          const e = event('T', { s });
          order.push(e.id);
          await store.append(streamName(s), [e], ANY);
        }
        const filter = { streamNamePrefixes: [`${prefix}-`] };
        const forwards = await store.readAll({ filter });
        expect(forwards.map((e) => e.id)).toEqual(order);
        for (let i = 1; i < forwards.length; i++) {
          expect(forwards[i].position).toBeGreaterThan(forwards[i - 1].position);
        }
        const backwards = await store.readAll({ filter, direction: 'backwards', maxCount: 3 });
        expect(backwards.map((e) => e.id)).toEqual(order.slice(-3).reverse());

        const fromThird = await store.readAll({
          filter,
          fromPosition: forwards[2].position,
          maxCount: 2,
        });
        expect(fromThird.map((e) => e.id)).toEqual(order.slice(2, 4));
        const backFromThird = await store.readAll({
          filter,
          direction: 'backwards',
          fromPosition: forwards[2].position,
        });
        expect(backFromThird.map((e) => e.id)).toEqual(order.slice(0, 3).reverse());
      });

      it('filters by stream-name prefix', async () => {
        await store.append(streamName('wallet-1'), [event('X')], ANY);
        await store.append(streamName('offer-1'), [event('X')], ANY);
        await store.append(streamName('wallet-2'), [event('X')], ANY);
        const wallets = await store.readAll({
          filter: { streamNamePrefixes: [`${prefix}-wallet-`] },
        });
        expect(wallets.map((e) => e.stream)).toEqual([
          streamName('wallet-1'),
          streamName('wallet-2'),
        ]);
        const both = await store.readAll({
          filter: { streamNamePrefixes: [`${prefix}-offer-`, `${prefix}-wallet-2`] },
        });
        expect(both.map((e) => e.stream)).toEqual([streamName('offer-1'), streamName('wallet-2')]);
      });

      it('stops at toPosition, forwards and backwards, with a filter', async () => {
        const ids: string[] = [];
        for (const s of ['a', 'other', 'a', 'a', 'other', 'a']) {
          const e = event('T', { s });
          ids.push(e.id);
          await store.append(streamName(s), [e], ANY);
        }
        const all = await store.readAll({ filter: { streamNamePrefixes: [`${prefix}-`] } });
        const filter = { streamNamePrefixes: [`${prefix}-a`] };
        const to = all[3].position;
        const forwards = await store.readAll({
          filter,
          fromPosition: all[1].position,
          toPosition: to,
        });
        expect(forwards.map((e) => e.id)).toEqual([ids[2], ids[3]]);
        const limited = await store.readAll({ filter, toPosition: to, maxCount: 1 });
        expect(limited.map((e) => e.id)).toEqual([ids[0]]);
        const backwards = await store.readAll({
          filter,
          direction: 'backwards',
          toPosition: all[2].position,
        });
        expect(backwards.map((e) => e.id)).toEqual([ids[5], ids[3], ids[2]]);
        const beforeStart = await store.readAll({
          filter,
          fromPosition: all[4].position,
          toPosition: all[3].position,
        });
        expect(beforeStart).toEqual([]);
      });

      it('filters by event type', async () => {
        const typeA = `${prefix}Credited`;
        const typeB = `${prefix}Debited`;
        const first = await store.append(
          streamName('t'),
          [event(typeA), event(typeB), event(`${typeA}V2`)],
          ANY,
        );
        await store.append(streamName('u'), [event(typeB), event(typeA)], ANY);
        const onlyA = await store.readAll({ filter: { eventTypes: [typeA] } });
        expect(onlyA.map((e) => `${e.stream}:${e.revision}`)).toEqual([
          `${streamName('t')}:0`,
          `${streamName('u')}:1`,
        ]);
        const aAndB = await store.readAll({
          filter: { eventTypes: [typeA, typeB] },
          fromPosition: first.position,
        });
        expect(aAndB.map((e) => e.type)).toEqual([typeB, typeA]);
      });
    });

    describe('reads with a bodies filter', () => {
      // Every event comes, in order; those outside the filter may come without data and metadata.
      const appendMixed = async () => {
        await store.append(streamName('keep-1'), [event('Kept', { n: 1 }, { m: 1 })], ANY);
        await store.append(streamName('skip-1'), [event('Skipped', { n: 2 }, { m: 2 })], ANY);
        await store.append(streamName('keep-2'), [event('Kept', { n: 3 }, { m: 3 })], ANY);
      };
      const skipped = {
        data: options.skipsBodies ? {} : { n: 2 },
        meta: options.skipsBodies ? {} : { m: 2 },
      };
      const expectMixed = (events: RecordedEvent[]) => {
        expect(events.map((e) => [e.stream, e.revision, e.type, e.data, e.metadata])).toEqual([
          [streamName('keep-1'), 0n, 'Kept', { n: 1 }, { m: 1 }],
          [streamName('skip-1'), 0n, 'Skipped', skipped.data, skipped.meta],
          [streamName('keep-2'), 0n, 'Kept', { n: 3 }, { m: 3 }],
        ]);
      };

      it('readAll, with bodies chosen by stream-name prefix', async () => {
        await appendMixed();
        const selection = {
          filter: { streamNamePrefixes: [`${prefix}-`] },
          bodies: { streamNamePrefixes: [`${prefix}-keep-`] },
        };
        expectMixed(await store.readAll(selection));
        const backwards = await store.readAll({ ...selection, direction: 'backwards' });
        expectMixed(backwards.reverse());
      });

      it('subscribeToAll, with bodies chosen by event type', async () => {
        await appendMixed();
        const subscription = store.subscribeToAll({
          filter: { streamNamePrefixes: [`${prefix}-`] },
          bodies: { eventTypes: ['Kept'] },
        });
        expectMixed(await take(subscription, 3));
      });
    });

    (options.leanReads ? describe : describe.skip)('readAllLean', () => {
      // What readAll returns, less the id, revision and created time, with the position a number.
      const lean = (events: RecordedEvent[]) =>
        events.map(({ position, stream, type, data, metadata }) => ({
          position: Number(position),
          stream,
          type,
          data,
          metadata,
        }));

      it('reads $all forwards after a position, as readAll does, bodies hint included', async () => {
        await store.append(streamName('keep-1'), [event('A', { n: 1 }, { m: 1 })], ANY);
        await store.append(streamName('skip-1'), [event('B', { n: 2 }, { m: 2 })], ANY);
        await store.append(streamName('keep-1'), [event('C', { n: 3 }, { m: 3 })], ANY);
        await store.append(streamName('keep-2'), [event('D', [4], { m: 4 })], ANY);
        const bodies = { streamNamePrefixes: [`${prefix}-keep-`] };
        const all = await store.readAll({ bodies });
        expect(await store.readAllLean!(-1, all.length + 1, bodies)).toEqual(lean(all));
        const ours = all.slice(-4);
        expect(ours.map((e) => [e.type, e.data])).toEqual([
          ['A', { n: 1 }],
          ['B', options.skipsBodies ? {} : { n: 2 }],
          ['C', { n: 3 }],
          ['D', [4]],
        ]);
        const afterFirst = Number(ours[0].position);
        expect(await store.readAllLean!(afterFirst, 2, bodies)).toEqual(lean(ours.slice(1, 3)));
        expect(await store.readAllLean!(Number(ours[3].position), 10, bodies)).toEqual([]);
        expect(await store.readAllLean!(afterFirst, 10)).toEqual(
          lean(await store.readAll({ fromPosition: ours[1].position })),
        );
      });
    });

    describe('subscribeToAll', () => {
      it('catches up, then goes live under concurrent appends with no gap or duplicate', async () => {
        const filter = { streamNamePrefixes: [`${prefix}-`] };
        const expected: string[] = [];
        const appendSome = async (round: number, streams: number) => {
          await Promise.all(
            Array.from({ length: streams }, async (_, s) => {
              const batch = [
                event('Live', { round, s }),
                event('Live', { round, s, second: true }),
              ];
              await store.append(streamName(`s${s}`), batch, ANY);
            }),
          );
        };
        for (let round = 0; round < 3; round++) await appendSome(round, 5);
        const total = 3 * 5 * 2 + 10 * 4 * 2;
        const subscription = store.subscribeToAll({ fromPosition: 'start', filter });
        const received = take(subscription, total);
        for (let round = 3; round < 13; round++) await appendSome(round, 4);
        const all = await store.readAll({ filter });
        expected.push(...all.map((e) => e.id));
        const got = await received;
        expect(got.map((e) => e.id)).toEqual(expected);
        expect(new Set(got.map((e) => e.id)).size).toBe(total);
        for (let i = 1; i < got.length; i++)
          expect(got[i].position).toBeGreaterThan(got[i - 1].position);
      });

      it('starts after the given position (exclusive) and honours an event-type filter', async () => {
        const typeA = `${prefix}Wanted`;
        const first = await store.append(streamName('p'), [event(typeA, { n: 0 })], ANY);
        await store.append(streamName('p'), [event('Other'), event(typeA, { n: 1 })], ANY);
        const subscription = store.subscribeToAll({
          fromPosition: first.position,
          filter: { eventTypes: [typeA] },
        });
        const received = take(subscription, 2);
        await store.append(streamName('q'), [event('Other'), event(typeA, { n: 2 })], ANY);
        expect((await received).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
      });

      it('ends iteration when unsubscribed while waiting for live events', async () => {
        const subscription = store.subscribeToAll({
          fromPosition: 'end',
          filter: { streamNamePrefixes: [`${prefix}-`] },
        });
        const iterated = (async () => {
          const seen: RecordedEvent[] = [];
          for await (const e of subscription) seen.push(e);
          return seen;
        })();
        await store.append(streamName('u'), [event('One')], ANY);
        await subscription.unsubscribe();
        const seen = await iterated;
        expect(seen.length).toBeLessThanOrEqual(1);
      });
    });

    describe('payloads', () => {
      it('stores large events intact', async () => {
        const big = 'x'.repeat(700 * 1024);
        const stream = streamName('big');
        await store.append(stream, [event('Big', { big, tail: 'end' })], NO_STREAM);
        const [read] = await store.readStream(stream);
        expect((read.data as { big: string }).big).toHaveLength(big.length);
        expect((read.data as { tail: string }).tail).toBe('end');
      });

      it('keeps unicode in stream names, data and metadata', async () => {
        const stream = `${prefix}-ünïcødé-会员-🎁`;
        const data = {
          name: 'Zoë Ångström',
          city: '東京',
          emoji: '🏖️👨‍👩‍👧',
          rtl: 'مرحبا',
          nul: 'a\u0000b',
        };
        await store.append(stream, [event('Ünicode', data, { actor: 'ß' })], NO_STREAM);
        const [read] = await store.readStream(stream);
        expect(read.stream).toBe(stream);
        expect(read.type).toBe('Ünicode');
        expect(read.data).toEqual(data);
        expect(read.metadata).toEqual({ actor: 'ß' });
        const viaAll = await store.readAll({ filter: { streamNamePrefixes: [`${prefix}-ünï`] } });
        expect(viaAll.map((e) => e.id)).toEqual([read.id]);
      });
    });

    it('gives consecutive positions where it declares densePositions', async () => {
      const before = await store.headPosition();
      await store.append(streamName('d1'), [event('D'), event('D')], ANY);
      await store.append(streamName('d2'), [event('D')], ANY);
      const written = await store.readAll({ fromPosition: before < 0n ? 'start' : before });
      const positions = written.filter((e) => e.position > before).map((e) => e.position);
      expect(positions).toHaveLength(3);
      if (!store.densePositions) return;
      const first = before < 0n ? 1n : before + 1n;
      expect(positions).toEqual([first, first + 1n, first + 2n]);
    });

    it('reports the head position of $all', async () => {
      const r = await store.append(streamName('h'), [event('H')], ANY);
      expect(await store.headPosition()).toBeGreaterThanOrEqual(r.position);
    });
  });
}
