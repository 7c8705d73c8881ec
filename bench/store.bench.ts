/**
 * npm run bench:store: throughput of the embedded SQLite event store, against a bare
 * better-sqlite3 loop that stores the very same rows, in the same order, with the same durability.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EventData, RecordedEvent } from '../src/event-store';
import { EVENT_STORE_MIGRATIONS, migrate } from '../src/infrastructure/sqlite/migrations';
import { SqliteEventStore } from '../src/infrastructure/sqlite/sqlite-event-store';
import { atLeast, fmt, rate, ratio, row, scratchDir, timed } from './bench-util';
import { eventsPathIn } from '../src/config/data-dir-files';

const STREAMS = 10_000;
const SINGLE_EVENTS = Number(process.env.BENCH_SINGLE_EVENTS ?? 64_000);
const APPENDERS = 64;
const BATCH = 100;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 1_000);

const makeEvent = (i: number): EventData => ({
  id: randomUUID(),
  type: 'PointsCredited',
  data: { transactionId: randomUUID(), amount: 100 + (i % 900), reason: 'purchase' },
  metadata: {
    requestId: randomUUID(),
    actor: 'org:bench',
    environment: 'sandbox',
    schemaVersion: 1,
  },
});

/** (a) single-event appends with an exact expected revision; each appender owns its own streams. */
async function singleAppends(store: SqliteEventStore): Promise<number> {
  const perAppender = Math.ceil(SINGLE_EVENTS / APPENDERS);
  const streamsPerAppender = Math.ceil(STREAMS / APPENDERS);
  const events = Array.from({ length: APPENDERS }, () =>
    Array.from({ length: perAppender }, (_, i) => makeEvent(i)),
  );
  const { seconds } = await timed(() =>
    Promise.all(
      events.map(async (own, a) => {
        const revisions = new Map<string, bigint>();
        for (let i = 0; i < perAppender; i++) {
          const stream = `wallet-a${a}s${i % streamsPerAppender}`;
          const result = await store.append(stream, [own[i]], revisions.get(stream) ?? 'no_stream');
          revisions.set(stream, result.nextExpectedRevision);
        }
      }),
    ),
  );
  return rate(perAppender * APPENDERS, seconds);
}

/** (b) 100-event batch appends, each to a new stream, from the same 64 appenders as (a). */
async function batchAppends(
  store: SqliteEventStore,
  appenders: number,
  prefix: string,
): Promise<number> {
  const perAppender = Math.ceil(BATCHES / appenders);
  const batches = Array.from({ length: appenders * perAppender }, () =>
    Array.from({ length: BATCH }, (_, i) => makeEvent(i)),
  );
  const { seconds } = await timed(() =>
    Promise.all(
      Array.from({ length: appenders }, async (_, a) => {
        for (let b = 0; b < perAppender; b++) {
          await store.append(`${prefix}-a${a}b${b}`, batches[a * perAppender + b], 'no_stream');
        }
      }),
    ),
  );
  return rate(perAppender * appenders * BATCH, seconds);
}

/**
 * The simplest code that stores the same events: serialize, insert, one transaction per 100 rows,
 * WAL and synchronous=FULL. No revision checks, no promises, no queue.
 */
function bareInserts(path: string, events: RecordedEvent[]): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db, EVENT_STORE_MIGRATIONS);
  const insert = db.prepare(
    'INSERT INTO events (stream, revision, id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertHundred = db.transaction((from: number) => {
    const created = Date.now();
    for (const e of events.slice(from, from + BATCH)) {
      insert.run(
        e.stream,
        Number(e.revision),
        e.id,
        e.type,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
        created,
      );
    }
  });
  const start = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += BATCH) insertHundred(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  db.close();
  return rate(events.length, seconds);
}

async function main(): Promise<void> {
  const dir = scratchDir('bench-store');
  const store = SqliteEventStore.open({ path: eventsPathIn(dir), synchronous: 'FULL' });

  const single = await singleAppends(store);
  const perCommit = store.stats.appends / store.stats.commits;
  const afterSingle = await store.headPosition();
  const batched = await batchAppends(store, APPENDERS, 'batch');
  const afterBatched = await store.headPosition();
  const batchedAlone = await batchAppends(store, 1, 'alone');

  const { seconds: readSeconds, result: all } = await timed(() => store.readAll());
  await store.close();
  const singleRows = all.filter((e) => e.position <= afterSingle);
  const batchRows = all.filter((e) => e.position > afterSingle && e.position <= afterBatched);
  const bareSingle = bareInserts(join(dir, 'bare-a.db'), singleRows);
  const bareBatch = bareInserts(join(dir, 'bare-b.db'), batchRows);

  const readRate = rate(all.length, readSeconds);
  console.log(`bench:store: embedded SQLite, WAL, synchronous=FULL, ${fmt(all.length)} events`);
  row(`(a) single-event appends, exact revision, ${APPENDERS} appenders`, `${fmt(single)} ev/s`);
  row('    bare loop over the same rows, 100 per transaction', `${fmt(bareSingle)} ev/s`);
  row('    appends per group commit (mean)', perCommit.toFixed(1));
  row(`(b) 100-event batch appends, ${APPENDERS} appenders`, `${fmt(batched)} ev/s`);
  row('    bare loop over the same rows, 100 per transaction', `${fmt(bareBatch)} ev/s`);
  row('    100-event batch appends, 1 appender, each waiting', `${fmt(batchedAlone)} ev/s`);
  row(
    `(c) readAll of everything (${fmt(all.length)} events)`,
    `${fmt(readRate)} ev/s`,
    atLeast(readRate, 200_000, '>= 200,000'),
  );
  row('(a)/bare', ratio(single / bareSingle), atLeast(single / bareSingle, 0.5));
  row('(b)/bare', ratio(batched / bareBatch), atLeast(batched / bareBatch, 0.8));
}

void main();
