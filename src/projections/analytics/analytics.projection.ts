import type Database from 'better-sqlite3';
import type { ProjectedEvent, Projection } from '../engine/projection';
import { unhandled } from '../engine/projection';
import { int, record } from '../engine/fields';
import { Cached, RowCache } from '../engine/row-cache';
import type { WriteSetBuilder } from '../engine/write-set';
import { ANALYTICS } from '../names';
import { INTERVALS, bucketStart } from './buckets';
import { DAY_MS } from '../../shared/domain/values';
import { ExactSum, loadedSum, plus, storedSum } from '../exact-sum';

interface Figures extends Cached {
  pointsMinted: ExactSum;
  pointsSpent: ExactSum;
  signups: number;
}
type TotalsRow = Figures & { tenant: string };
type BucketRow = Figures & { tenant: string; interval: string; startMs: number };

/** A tenant's rows for the UTC day of its last event: its day, week and month buckets, and totals. */
interface Current {
  day: number;
  totals: TotalsRow;
  buckets: BucketRow[];
}

/**
 * rm_analytics_totals and rm_analytics_buckets (day, week, month, by the event's occurredAt):
 * points minted (credits), points spent (debits less refunds, as a wallet's amountSpent) and
 * signups (redemptions created). Rows are hot, so they are cached and written once per batch.
 */
export class AnalyticsProjection implements Projection {
  readonly name = ANALYTICS;
  readonly categories = ['wallet'];
  private readonly totals: RowCache<TotalsRow>;
  private readonly buckets: RowCache<BucketRow>;
  /** Per tenant, the rows of its last event's day: events come in time order, so mostly a hit. */
  private readonly current = new Map<string, Current>();

  constructor(db: Database.Database) {
    const loadTotals = db.prepare(
      `SELECT tenant, points_minted AS pointsMinted, points_spent AS pointsSpent, signups
       FROM rm_analytics_totals WHERE tenant = ?`,
    );
    const loadBucket = db.prepare(
      `SELECT tenant, interval, start_ms AS startMs, points_minted AS pointsMinted, points_spent AS pointsSpent, signups
       FROM rm_analytics_buckets WHERE tenant = ? AND interval = ? AND start_ms = ?`,
    );
    // Whole rows over their key (see READ_MODEL_MIGRATIONS on REPLACE).
    const saveTotals = `INSERT OR REPLACE INTO rm_analytics_totals (tenant, points_minted, points_spent, signups) VALUES (?, ?, ?, ?)`;
    const saveBucket = `INSERT OR REPLACE INTO rm_analytics_buckets (tenant, interval, start_ms, points_minted, points_spent, signups)
       VALUES (?, ?, ?, ?, ?, ?)`;
    this.totals = new RowCache(
      10_000,
      (tenant) => loaded(loadTotals.get(tenant) as TotalsRow | undefined),
      (r, out) =>
        out
          .values(saveTotals, 4)
          .push(r.tenant, storedSum(r.pointsMinted), storedSum(r.pointsSpent), r.signups),
    );
    // A bucket's id in the cache is `<interval>:<startMs>`.
    const loadBucketRow = (tenant: string, id: string) => {
      const [interval, startMs] = id.split(':');
      return loaded(loadBucket.get(tenant, interval, Number(startMs)) as BucketRow | undefined);
    };
    this.buckets = new RowCache(50_000, loadBucketRow, (r, out) =>
      out
        .values(saveBucket, 6, 3)
        .push(
          r.tenant,
          r.interval,
          r.startMs,
          storedSum(r.pointsMinted),
          storedSum(r.pointsSpent),
          r.signups,
        ),
    );
  }

  apply(event: ProjectedEvent): void {
    const data = record(event.data);
    switch (event.type) {
      case 'PointsCredited':
        return this.add(event, int(data, 'amount'), 0, 0);
      case 'PointsDebited':
        return this.add(event, 0, int(data, 'amount'), 0);
      case 'PointsRefunded':
        return this.add(event, 0, -int(data, 'amount'), 0);
      case 'RedemptionCreated':
        return this.add(event, 0, 0, 1);
      case 'MemberRegistered':
      case 'MemberProfileUpdated':
      case 'MemberArchived':
      case 'MemberUnarchived':
      case 'RedemptionStatusChanged':
      case 'RedemptionCanceled':
      case 'RedemptionReversed':
      case 'RedemptionFulfilled':
      case 'PointsHeld':
      case 'PointsHoldApplied':
      case 'PointsHoldReleased':
        return;
      default:
        unhandled(this.name, event);
    }
  }

  write(out: WriteSetBuilder): void {
    this.totals.write(out);
    this.buckets.write(out);
  }

  pending(): number {
    return this.totals.pending + this.buckets.pending;
  }

  trim(): void {
    this.totals.trim();
    this.buckets.trim();
    this.current.clear(); // it may hold a row trim just evicted
  }

  reset(empty: boolean): void {
    this.totals.reset(empty);
    this.buckets.reset(empty);
    this.current.clear();
  }

  private add(event: ProjectedEvent, minted: number, spent: number, signups: number): void {
    const { tenant } = event;
    const day = Math.floor(event.occurredAtMs / DAY_MS);
    let current = this.current.get(tenant);
    if (current?.day !== day) this.current.set(tenant, (current = this.rowsOf(tenant, day)));
    addTo(current.totals, minted, spent, signups);
    this.totals.touch(current.totals);
    for (const bucket of current.buckets) {
      addTo(bucket, minted, spent, signups);
      this.buckets.touch(bucket);
    }
  }

  /** The tenant's totals and its buckets of every interval that hold the UTC day `day`. */
  private rowsOf(tenant: string, day: number): Current {
    const totals =
      this.totals.find(tenant, '') ??
      this.totals.keep(tenant, '', { tenant, pointsMinted: 0, pointsSpent: 0, signups: 0 });
    const buckets = INTERVALS.map((interval) => {
      const startMs = bucketStart(interval, day * DAY_MS);
      const id = `${interval}:${startMs}`;
      return (
        this.buckets.find(tenant, id) ??
        this.buckets.keep(tenant, id, {
          tenant,
          interval,
          startMs,
          pointsMinted: 0,
          pointsSpent: 0,
          signups: 0,
        })
      );
    });
    return { day, totals, buckets };
  }
}

function addTo(row: Figures, minted: number, spent: number, signups: number): void {
  if (minted !== 0) row.pointsMinted = plus(row.pointsMinted, minted);
  if (spent !== 0) row.pointsSpent = plus(row.pointsSpent, spent);
  row.signups += signups;
}

/** A row as stored, whose sums may be digits (see storedSum). */
function loaded<R extends Figures>(row: R | undefined): R | undefined {
  if (row) {
    row.pointsMinted = loadedSum(row.pointsMinted as number | string);
    row.pointsSpent = loadedSum(row.pointsSpent as number | string);
  }
  return row;
}

export const analyticsProjection = (db: Database.Database) => new AnalyticsProjection(db);
