import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadModelDb } from '../../projections/read-model-db';
import { AnalyticsQueries } from './analytics.queries';

const TENANT = 'sandbox.acme';
const PRICE = 10;

describe('The analytics summary', () => {
  let dir: string;
  let readModels: ReadModelDb;
  let projector: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'analytics-queries-'));
    readModels = ReadModelDb.open({ path: join(dir, 'read-models.db') });
    projector = new Database(join(dir, 'read-models.db'));
  });
  afterEach(() => {
    projector.close();
    readModels.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the projections commit for one redemption: its debit and its count, in one commit. */
  function commitRedemption(): void {
    projector.transaction(() => {
      projector
        .prepare(
          `INSERT INTO rm_analytics_totals (tenant, points_minted, points_spent, signups)
           VALUES (?, 0, ?, 0) ON CONFLICT (tenant) DO UPDATE SET points_spent = points_spent + ?`,
        )
        .run(TENANT, PRICE, PRICE);
      projector
        .prepare(
          `INSERT INTO rm_redemption_counts VALUES (?, 'org', '', 1, 0, 0, 0, 0, 0, 0, 1, ?)
           ON CONFLICT DO UPDATE SET submitted = submitted + 1, total = total + 1,
             points_spent = points_spent + ?`,
        )
        .run(TENANT, PRICE, PRICE);
    })();
  }

  it('answers from one snapshot while redemptions are committed between its reads', () => {
    commitRedemption();
    // Every row the queries read is followed by another redemption's commit.
    const prepare = readModels.db.prepare.bind(readModels.db);
    jest.spyOn(readModels.db, 'prepare').mockImplementation((sql: string) => {
      const statement = prepare(sql);
      const get = statement.get.bind(statement);
      statement.get = (...params: unknown[]) => {
        const row = get(...params);
        commitRedemption();
        return row;
      };
      return statement;
    });
    const analytics = new AnalyticsQueries(readModels);

    const first = analytics.summary(TENANT);
    const second = analytics.summary(TENANT);

    expect(first).toMatchObject({ pointsSpent: PRICE, redemptions: { submitted: 1, total: 1 } });
    expect(second).toMatchObject({
      pointsSpent: 2 * PRICE,
      redemptions: { submitted: 2, total: 2 },
    });
  });

  it('answers zeros for an organization with nothing yet', () => {
    expect(new AnalyticsQueries(readModels).summary('live.nobody')).toEqual({
      memberCount: 0,
      pointsMinted: 0,
      pointsSpent: 0,
      completionRate: 0,
      redemptions: {
        submitted: 0,
        open: 0,
        awaiting_vendor: 0,
        awaiting_customer: 0,
        purchased: 0,
        completed: 0,
        canceled: 0,
        total: 0,
      },
    });
  });

  it('finds each row by its primary key', () => {
    const sql = (new AnalyticsQueries(readModels) as unknown as { summaryRow: Database.Statement })
      .summaryRow.source;
    const plan = readModels.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(TENANT) as Array<{
      detail: string;
    }>;
    const steps = plan.map((step) => step.detail);
    expect(steps.filter((step) => step.startsWith('SEARCH'))).toEqual([
      'SEARCH w USING PRIMARY KEY (tenant=?) LEFT-JOIN',
      'SEARCH a USING PRIMARY KEY (tenant=?) LEFT-JOIN',
      'SEARCH c USING PRIMARY KEY (tenant=? AND scope=? AND scope_id=?) LEFT-JOIN',
    ]);
    expect(steps.join(' | ')).not.toMatch(/TEMP B-TREE|SCAN [wac]\b/); // only the one-row k
  });
});
