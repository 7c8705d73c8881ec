import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { INTERVALS, bucketStart, nextBucket } from '../../src/projections/analytics/buckets';
import { ReadModelDb } from '../../src/projections/read-model-db';
import { rebuildReadModels } from '../../src/projections/rebuild';
import { AnalyticsQueries } from '../../src/read-models/analytics/analytics.queries';
import { dumpTables, projectToHead } from '../support/read-models';
import { credited } from '../support/wallet-events';

const MAX = Number.MAX_SAFE_INTEGER;
const TENANT_KEY = 'sandbox.acme';
const IN_0050 = '0050-03-15T10:00:00.000Z';

/** A credit of `amount` to `member` that occurred at `occurredAt`. */
function creditAt(member: string, amount: number, occurredAt: string, environment = 'sandbox') {
  const event = credited(member, amount);
  return { ...event, metadata: { ...(event.metadata as object), occurredAt, environment } };
}

describe('Analytics sums (integration)', () => {
  let store: SqliteEventStore;
  let readModels: ReadModelDb;

  beforeEach(() => {
    store = SqliteEventStore.open({ path: ':memory:' });
    readModels = ReadModelDb.open({ path: ':memory:' });
  });
  afterEach(async () => {
    readModels.close();
    await store.close();
  });

  const credit = async (members: number, from = 0) => {
    for (let i = from; i < from + members; i++) {
      await store.append(`wallet-sandbox.acme.m${i}`, [creditAt(`m${i}`, MAX, IN_0050)], 'any');
    }
  };
  const project = () => projectToHead(store, readModels);
  const march0050 = (queries: AnalyticsQueries) => {
    const start = bucketStart('month', Date.parse(IN_0050));
    return queries.timeseries(TENANT_KEY, 'month', [start], nextBucket('month', start)).buckets;
  };

  it('keeps points sums exact past 2^53 and 2^63, in the totals and the month of an event in the year 0050', async () => {
    const queries = new AnalyticsQueries(readModels);
    await credit(3);
    await project();
    expect(queries.summary(TENANT_KEY).pointsMinted).toBe(3n * BigInt(MAX));

    // A new engine reads the stored sums back before adding to them.
    await credit(1027, 3);
    await project();
    const sum = 1030n * BigInt(MAX);
    expect(sum > 2n ** 63n).toBe(true);
    expect(queries.summary(TENANT_KEY)).toMatchObject({ pointsMinted: sum, pointsSpent: 0 });
    expect(march0050(queries)).toEqual([
      {
        startTime: '0050-03-01T00:00:00.000Z',
        endTime: '0050-04-01T00:00:00.000Z',
        pointsMinted: sum,
        pointsSpent: 0,
        signups: 0,
      },
    ]);

    const rebuilt = ReadModelDb.open({ path: ':memory:' });
    await rebuildReadModels(store, rebuilt);
    const tables = ['rm_analytics_totals', 'rm_analytics_buckets'];
    expect(dumpTables(rebuilt.db, tables)).toEqual(dumpTables(readModels.db, tables));
    expect(march0050(new AnalyticsQueries(rebuilt))[0].pointsMinted).toBe(sum);
    rebuilt.close();
  });

  it('adds each event to the day, week and month of its occurredAt, tenant by tenant, in any order', async () => {
    // Two tenants in turns, over month and week ends, a leap day, and twice back to an earlier day.
    const days = [
      '2024-02-26',
      '2024-02-29',
      '2024-03-01',
      '2024-03-03',
      '2024-03-04',
      '2024-02-29',
    ];
    const times = days.flatMap((day) => [`${day}T00:00:00.000Z`, `${day}T23:59:59.999Z`]);
    times.push('2024-01-31T12:00:00.000Z', '2024-03-04T08:00:00.000Z');
    const expected = new Map<string, number>();
    let amount = 1;
    for (const occurredAt of times) {
      for (const environment of ['sandbox', 'live']) {
        amount *= 2; // each sum of distinct powers of two names the events it holds
        const event = creditAt('m1', amount, occurredAt, environment);
        await store.append(`wallet-${environment}.acme.m1`, [event], 'any');
        for (const interval of INTERVALS) {
          const key = `${environment}.acme ${interval} ${bucketStart(interval, Date.parse(occurredAt))}`;
          expected.set(key, (expected.get(key) ?? 0) + amount);
        }
      }
    }
    await project();
    const rows = readModels.db
      .prepare('SELECT tenant, interval, start_ms, points_minted FROM rm_analytics_buckets')
      .raw()
      .all() as Array<[string, string, number, number]>;
    const stored = new Map(rows.map(([t, i, start, minted]) => [`${t} ${i} ${start}`, minted]));
    expect(stored).toEqual(expected);
  });
});
