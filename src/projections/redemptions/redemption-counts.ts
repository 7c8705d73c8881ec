import type Database from 'better-sqlite3';
import { REDEMPTION_STATUSES, RedemptionStatus } from '../../ledger/wallet/wallet.events';
import { ExactSum, loadedSum, storedSum } from '../exact-sum';
import { Cached, RowCache } from '../engine/row-cache';
import type { WriteSetBuilder } from '../engine/write-set';

export type CountScope = 'org' | 'member' | 'offer';

export interface CountsRow extends Cached {
  tenant: string;
  scope: CountScope;
  scopeId: string;
  /** Redemptions per status, in REDEMPTION_STATUSES order. */
  byStatus: number[];
  total: number;
  /** Points redemptions kept: debits less refunds; exact past 2^53 for an organization or offer. */
  pointsSpent: ExactSum;
}

const STATUS_INDEX = new Map<string, number>(REDEMPTION_STATUSES.map((s, i) => [s, i]));
export const statusColumn = (status: RedemptionStatus) => status.toLowerCase();
const COLUMNS = REDEMPTION_STATUSES.map(statusColumn);

export function statusIndex(status: string): number {
  const index = STATUS_INDEX.get(status);
  if (index === undefined) throw new Error(`Unknown redemption status ${status}`);
  return index;
}

/** The three rows a redemption counts in: its organization (scope id ''), its member, its offer. */
export interface Scoped {
  tenant: string;
  externalUserID: string;
  offerId: string;
  /** The three rows, kept on the redemption: most of its events would look them up again. */
  countRows?: [CountsRow, CountsRow, CountsRow];
}

/** rm_redemption_counts: redemptions per status and points spent, per organization, member and offer. */
export class RedemptionCounts {
  private readonly caches: Record<CountScope, RowCache<CountsRow>>;
  private readonly load: Database.Statement;

  constructor(db: Database.Database) {
    this.load = db
      .prepare(
        `SELECT ${COLUMNS.join(', ')}, total, points_spent FROM rm_redemption_counts
         WHERE tenant = ? AND scope = ? AND scope_id = ?`,
      )
      .raw();
    // A whole row over its key (see READ_MODEL_MIGRATIONS on REPLACE).
    const save = `INSERT OR REPLACE INTO rm_redemption_counts (tenant, scope, scope_id, ${COLUMNS.join(', ')}, total, points_spent)
       VALUES (?, ?, ?, ${COLUMNS.map(() => '?').join(', ')}, ?, ?)`;
    const cache = (scope: CountScope, capacity: number) =>
      new RowCache<CountsRow>(
        capacity,
        (tenant, scopeId) => this.stored(tenant, scope, scopeId),
        (r, out) =>
          out
            .values(save, COLUMNS.length + 5, 3)
            .push(r.tenant, r.scope, r.scopeId, ...r.byStatus, r.total, storedSum(r.pointsSpent)),
      );
    this.caches = {
      org: cache('org', 10_000),
      member: cache('member', 500_000),
      offer: cache('offer', 50_000),
    };
  }

  /** The organization's, the member's and the offer's rows, for the caller to change. */
  rowsOf(of: Scoped): [CountsRow, CountsRow, CountsRow] {
    const kept = of.countRows;
    if (kept && !kept[0].evicted && !kept[1].evicted && !kept[2].evicted) {
      this.caches.org.touch(kept[0]);
      this.caches.member.touch(kept[1]);
      this.caches.offer.touch(kept[2]);
      return kept;
    }
    return (of.countRows = [
      this.row(of.tenant, 'org', ''),
      this.row(of.tenant, 'member', of.externalUserID),
      this.row(of.tenant, 'offer', of.offerId),
    ]);
  }

  write(out: WriteSetBuilder): void {
    for (const cache of Object.values(this.caches)) cache.write(out);
  }

  get pending(): number {
    return Object.values(this.caches).reduce((n, cache) => n + cache.pending, 0);
  }

  trim(): void {
    for (const cache of Object.values(this.caches)) cache.trim();
  }

  reset(empty: boolean): void {
    for (const cache of Object.values(this.caches)) cache.reset(empty);
  }

  /** A row, marked changed: every caller changes the rows it asks for. */
  private row(tenant: string, scope: CountScope, scopeId: string): CountsRow {
    const cache = this.caches[scope];
    const row =
      cache.find(tenant, scopeId) ??
      cache.keep(tenant, scopeId, {
        tenant,
        scope,
        scopeId,
        byStatus: COLUMNS.map(() => 0),
        total: 0,
        pointsSpent: 0,
      });
    cache.touch(row);
    return row;
  }

  private stored(tenant: string, scope: CountScope, scopeId: string): CountsRow | undefined {
    const stored = this.load.get(tenant, scope, scopeId) as Array<number | string> | undefined;
    if (!stored) return undefined;
    const n = COLUMNS.length;
    return {
      tenant,
      scope,
      scopeId,
      byStatus: stored.slice(0, n) as number[],
      total: stored[n] as number,
      pointsSpent: loadedSum(stored[n + 1]),
    };
  }
}
