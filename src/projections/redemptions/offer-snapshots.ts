import type Database from 'better-sqlite3';
import { Appends } from '../engine/appends';
import type { WriteSetBuilder } from '../engine/write-set';
import { refuseIf } from '../engine/projection';
import { offerSnapshotProblem, remainingStockProblem } from '../../catalog/offer/offer.shape';

type Snapshot = Record<string, unknown>;

/** Equal as JSON, for the flat values an offer snapshot holds (and a nested value, rarely). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null)
    return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** The offer's fields less remainingStock, which moves with every redemption of a limited offer. */
const STOCK = 'remainingStock';

/** Whether `offer` less its remainingStock equals `stored`; compared in place, with no copy made. */
function sameSnapshot(stored: Snapshot, offer: Snapshot): boolean {
  let fields = 0;
  for (const key in offer) {
    if (key === STOCK) continue;
    if (!sameValue(stored[key], offer[key])) return false;
    fields++;
  }
  return fields === Object.keys(stored).length;
}

function withoutStock(offer: Snapshot): Snapshot {
  const { [STOCK]: _stock, ...fields } = offer;
  return fields;
}

/**
 * rm_offer_snapshots: the offer each redemption recorded, stored once per distinct content instead
 * of once per redemption (it is most of a RedemptionCreated event). A snapshot gets the position of
 * the first redemption that recorded it; a redemption whose offer matches the offer's latest stored
 * snapshot refers to it. remainingStock, which moves with every redemption of a limited offer, is
 * kept on the redemption instead. Deterministic: a replay stores the same rows.
 */
export class OfferSnapshots {
  private readonly latest = new Map<string, Map<string, { fields: Snapshot; id: number }>>();
  private readonly rows: Appends;
  private readonly loadLatest: Database.Statement;

  constructor(db: Database.Database) {
    this.rows = new Appends(
      'INSERT INTO rm_offer_snapshots (position, tenant, offer_id, snapshot) VALUES (?, ?, ?, ?)',
      4,
    );
    this.loadLatest = db.prepare(
      'SELECT position, snapshot FROM rm_offer_snapshots WHERE tenant = ? AND offer_id = ? ORDER BY position DESC LIMIT 1',
    );
  }

  /** The id of the stored snapshot equal to `offer` (without remainingStock), storing it if new. */
  idOf(tenant: string, offerId: string, offer: Snapshot, position: number): number {
    let byOffer = this.latest.get(tenant);
    if (!byOffer) this.latest.set(tenant, (byOffer = new Map()));
    let known = byOffer.get(offerId);
    if (!known) {
      const stored = this.loadLatest.get(tenant, offerId) as
        { position: number; snapshot: string } | undefined;
      if (stored)
        byOffer.set(
          offerId,
          (known = { fields: JSON.parse(stored.snapshot) as Snapshot, id: stored.position }),
        );
    }
    if (known && sameSnapshot(known.fields, offer)) return known.id;
    // Checked once per distinct content: equal to a stored snapshot, it was checked then.
    refuseIf(offerSnapshotProblem(offer));
    const fields = withoutStock(offer);
    this.rows.row.push(position, tenant, offerId, JSON.stringify(fields));
    byOffer.set(offerId, { fields, id: position });
    return position;
  }

  /** The snapshot's remainingStock, which idOf leaves out of the comparison: null or a count. */
  remainingStock(offer: Snapshot): number | null {
    refuseIf(remainingStockProblem(offer[STOCK]));
    return (offer[STOCK] ?? null) as number | null;
  }

  get pending(): number {
    return this.rows.pending;
  }

  write(out: WriteSetBuilder): void {
    this.rows.write(out);
  }

  reset(): void {
    this.rows.reset();
    this.latest.clear();
  }
}
