import { Inject, Injectable } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { REDEMPTION_STATUSES } from '../../ledger/wallet/wallet.events';
import { Interval, nextBucket } from '../../projections/analytics/buckets';
import { ExactSum, loadedSum } from '../../projections/exact-sum';
import type { ReadModelDb } from '../../projections/read-model-db';
import { statusColumn } from '../../projections/redemptions/redemption-counts';
import { READ_MODEL_DB } from '../shared/tokens';

export interface Bucket {
  startTime: string;
  endTime: string;
  pointsMinted: ExactSum;
  pointsSpent: ExactSum;
  signups: number;
}

/** Sums as stored: a safe integer, or the digits of a larger one (exact-sum.ts). */
type StoredSums = { points_minted: number | string; points_spent: number | string };

const STATUS_COLUMNS = REDEMPTION_STATUSES.map(statusColumn);

@Injectable()
export class AnalyticsQueries {
  private readonly summaryRow: Database.Statement;
  private readonly offers: Database.Statement;
  private readonly buckets: Database.Statement;

  constructor(@Inject(READ_MODEL_DB) readModels: ReadModelDb) {
    const db = readModels.db;
    // One statement, so one snapshot: the three rows are written by different projections, and
    // separate reads could count a redemption's debit without the redemption.
    this.summaryRow = db.prepare(
      `SELECT w.members, a.points_minted, a.points_spent,
         ${STATUS_COLUMNS.map((c) => `c.${c}`).join(', ')}, c.total
       FROM (SELECT ? AS tenant) k
       LEFT JOIN rm_wallet_totals w ON w.tenant = k.tenant
       LEFT JOIN rm_analytics_totals a ON a.tenant = k.tenant
       LEFT JOIN rm_redemption_counts c
         ON c.tenant = k.tenant AND c.scope = 'org' AND c.scope_id = ''`,
    );
    this.offers = db.prepare(
      `SELECT o.offer_id AS offerId, coalesce(c.total, 0) AS signups, coalesce(c.completed, 0) AS completions,
         coalesce(c.canceled, 0) AS cancellations, o.redeemed_units AS redeemedUnits,
         coalesce(c.points_spent, 0) AS pointsSpent
       FROM rm_offers o LEFT JOIN rm_redemption_counts c
         ON c.tenant = o.tenant AND c.scope = 'offer' AND c.scope_id = o.offer_id
       WHERE o.tenant = ? ORDER BY o.position DESC`,
    );
    this.buckets = db.prepare(
      `SELECT start_ms, points_minted, points_spent, signups FROM rm_analytics_buckets
       WHERE tenant = ? AND interval = ? AND start_ms >= ? AND start_ms < ?`,
    );
  }

  /** completionRate: completed / all redemptions (0 when there are none). */
  summary(tenant: string) {
    // Every column is null where its projection has no row for the tenant yet.
    const row = this.summaryRow.get(tenant) as Record<string, number | string | null>;
    const redemptions = Object.fromEntries(
      [...STATUS_COLUMNS, 'total'].map((c) => [c, (row[c] as number | null) ?? 0]),
    );
    return {
      memberCount: (row.members as number | null) ?? 0,
      pointsMinted: row.points_minted === null ? 0 : loadedSum(row.points_minted),
      pointsSpent: row.points_spent === null ? 0 : loadedSum(row.points_spent),
      completionRate: redemptions.total === 0 ? 0 : redemptions.completed / redemptions.total,
      redemptions,
    };
  }

  /** Every offer of the catalog, newest first, with what its redemptions did. */
  offerStats(tenant: string) {
    const offers = this.offers.all(tenant) as Array<{ pointsSpent: number | string }>;
    return { offers: offers.map((o) => ({ ...o, pointsSpent: loadedSum(o.pointsSpent) })) };
  }

  /** The buckets from the one holding `fromMs` up to `toMs` (exclusive), empty ones included. */
  timeseries(
    tenant: string,
    interval: Interval,
    starts: number[],
    toMs: number,
  ): { buckets: Bucket[] } {
    const rows = this.buckets.all(tenant, interval, starts[0], toMs) as Array<
      StoredSums & { start_ms: number; signups: number }
    >;
    const byStart = new Map(rows.map((r) => [r.start_ms, r]));
    return {
      buckets: starts.map((start) => {
        const row = byStart.get(start);
        return {
          startTime: new Date(start).toISOString(),
          endTime: new Date(nextBucket(interval, start)).toISOString(),
          pointsMinted: row ? loadedSum(row.points_minted) : 0,
          pointsSpent: row ? loadedSum(row.points_spent) : 0,
          signups: row?.signups ?? 0,
        };
      }),
    };
  }
}
