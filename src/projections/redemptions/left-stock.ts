import type { WriteSetBuilder } from '../engine/write-set';

/** What one commit saw of a redemption's cancel and of the release of its stock. */
interface Seen {
  tenant: string;
  id: string;
  offerId: string | null;
  canceledMs: number | null;
  released: boolean;
}

/** Adds what a commit saw to what the row holds: a cancel, or a release, is recorded once. */
const MERGE = `INSERT INTO rm_stock_left (tenant, redemption_id, offer_id, canceled_ms, released)
  VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (tenant, redemption_id) DO UPDATE SET
    offer_id = coalesce(offer_id, excluded.offer_id),
    canceled_ms = coalesce(canceled_ms, excluded.canceled_ms),
    released = max(released, excluded.released)`;
/** A row that now has both is done. Runs after MERGE: a write set keeps its statements' order. */
const DONE =
  'DELETE FROM rm_stock_left WHERE tenant = ? AND redemption_id = ? AND released = 1 AND canceled_ms IS NOT NULL';
const BOTH_SEEN = 'DELETE FROM rm_stock_left WHERE tenant = ? AND redemption_id = ?';

/**
 * rm_stock_left: the redemptions of an offer with a stock whose cancel or whose release has been
 * seen, but not both. The two come together, in either order (one transaction on the embedded
 * store, two appends on EventStoreDB), and a row lives from the first to the second: rows stay
 * only for stock a lost release left reserved (released = 0), or a release of stock whose
 * redemption is not canceled. So a redemption that keeps its stock, as most do, writes no row.
 */
export class LeftStock {
  private seen = new Map<string, Seen>();

  canceled(tenant: string, id: string, offerId: string, canceledMs: number): void {
    const seen = this.of(tenant, id);
    if (seen.canceledMs !== null) return; // the first cancel stands, as in the wallet's fold
    seen.offerId = offerId;
    seen.canceledMs = canceledMs;
  }

  released(tenant: string, id: string): void {
    this.of(tenant, id).released = true;
  }

  get pending(): number {
    return this.seen.size;
  }

  write(out: WriteSetBuilder): void {
    const merge = out.values(MERGE, 5, 2);
    const done = out.values(DONE, 2);
    const bothSeen = out.values(BOTH_SEEN, 2);
    for (const { tenant, id, offerId, canceledMs, released } of this.seen.values()) {
      if (canceledMs !== null && released) {
        bothSeen.push(tenant, id);
        continue;
      }
      merge.push(tenant, id, offerId, canceledMs, released ? 1 : 0);
      done.push(tenant, id);
    }
    this.seen = new Map();
  }

  reset(): void {
    this.seen = new Map();
  }

  private of(tenant: string, id: string): Seen {
    const key = `${tenant}\u0000${id}`;
    let seen = this.seen.get(key);
    if (seen === undefined) {
      seen = { tenant, id, offerId: null, canceledMs: null, released: false };
      this.seen.set(key, seen);
    }
    return seen;
  }
}
