import type Database from 'better-sqlite3';
import type { ProjectedEvent, Projection } from '../engine/projection';
import { unhandled } from '../engine/projection';
import { int, record, str, strOrNull } from '../engine/fields';
import { Appends } from '../engine/appends';
import { Cached, RowCache } from '../engine/row-cache';
import type { WriteSetBuilder } from '../engine/write-set';
import { REDEMPTIONS } from '../names';
import { OfferSnapshots } from './offer-snapshots';
import { RedemptionCounts, statusIndex } from './redemption-counts';
import { plus } from '../exact-sum';
import { addReversal, noneReversed, type Reversed } from '../../ledger/wallet/wallet.reversed';
import type { RedemptionReversed } from '../../ledger/wallet/wallet.events';
import type { PriceModel } from '../../catalog/offer/offer.events';
import type { Hold } from '../../ledger/wallet/wallet.state';
import { instantMs } from '../../shared/domain/values';
import { LeftStock } from './left-stock';

/**
 * rm_holds: the holds still HELD, by their expiry, for the sweeper. Kept as the last word per key
 * until the next write, so that a hold held and ended in one commit writes one statement.
 */
class ActiveHolds {
  private changes = new Map<string, { tenant: string; id: string; expiresMs: number | null }>();

  held(tenant: string, id: string, expiresMs: number): void {
    this.changes.set(`${tenant}\u0000${id}`, { tenant, id, expiresMs });
  }

  ended(tenant: string, id: string): void {
    this.changes.set(`${tenant}\u0000${id}`, { tenant, id, expiresMs: null });
  }

  get pending(): number {
    return this.changes.size;
  }

  write(out: WriteSetBuilder): void {
    for (const { tenant, id, expiresMs } of this.changes.values()) {
      if (expiresMs === null)
        out
          .values('DELETE FROM rm_holds WHERE tenant = ? AND redemption_id = ?', 2)
          .push(tenant, id);
      else
        out
          .values(
            'INSERT OR REPLACE INTO rm_holds (tenant, redemption_id, expires_ms) VALUES (?, ?, ?)',
            3,
          )
          .push(tenant, id, expiresMs);
    }
    this.changes = new Map();
  }

  reset(): void {
    this.changes = new Map();
  }
}

/** A redemption as rm_redemptions keeps it. */
export interface RedemptionRow extends Cached {
  position: number;
  tenant: string;
  id: string;
  externalUserID: string;
  offerId: string;
  status: string;
  /**
   * What never changes after RedemptionCreated (quantity, amount, points cost, description, shipping,
   * artifact, createdAt, offer snapshot id, remaining stock): held only until the row is inserted.
   */
  fixed: unknown[] | null;
  updatedAt: string;
  canceledAt: string | null;
  startAt: string | null;
  endAt: string | null;
  pointsDebited: number;
  pointsRefunded: number;
  /** What was redeemed, which a reversal is measured against. */
  quantity: number;
  amount: string | null;
  reversed: Reversed;
  /** The latest tracking, as JSON; null until shipped. */
  fulfilment: string | null;
  /** A DELAYED redemption's hold as JSON (wallet.state.ts's Hold); null for one debited at once. */
  hold: string | null;
  /** Whether its offer had a stock (remaining_stock set): it then reserved units, which a cancel frees. */
  stockLimited: boolean;
  stored: boolean;
}

type StoredRow = Omit<RedemptionRow, 'stored' | 'reversed' | 'stockLimited'> & {
  stockLimited: number;
  reversedPoints: number;
  reversedUnits: number | null;
  reversedAmount: string | null;
  reversalState: Reversed['state'];
};

/**
 * One projection for three read models that must agree: the redemption records (rm_redemptions),
 * each one's status history (rm_redemption_history) and the counts per status per organization,
 * member and offer (rm_redemption_counts). Written together, a count never disagrees with a list.
 * Every rule mirrors evolveWallet (wallet.state.ts), including what it ignores. Of the offers'
 * streams it reads the releases of stock only, for rm_stock_left.
 */
export class RedemptionsProjection implements Projection {
  readonly name = REDEMPTIONS;
  readonly categories = ['wallet', 'offer'];
  readonly onlyTypes = { offer: ['OfferStockReleased'] };
  private readonly rows: RowCache<RedemptionRow>;
  private readonly counts: RedemptionCounts;
  private readonly history: Appends;
  private readonly snapshots: OfferSnapshots;
  private readonly holds: ActiveHolds;
  private readonly leftStock = new LeftStock();

  constructor(db: Database.Database) {
    const load = db.prepare(
      `SELECT position, tenant, id, external_user_id AS externalUserID, offer_id AS offerId, status,
         NULL AS fixed, updated_at AS updatedAt, canceled_at AS canceledAt, start_at AS startAt,
         end_at AS endAt, points_debited AS pointsDebited, points_refunded AS pointsRefunded,
         quantity, amount, reversed_points AS reversedPoints, reversed_units AS reversedUnits,
         reversed_amount AS reversedAmount, reversal_state AS reversalState, fulfilment, hold,
         remaining_stock IS NOT NULL AS stockLimited
       FROM rm_redemptions WHERE tenant = ? AND id = ?`,
    );
    this.history = new Appends(
      'INSERT INTO rm_redemption_history (position, tenant, redemption_id, status, at) VALUES (?, ?, ?, ?, ?)',
      5,
    );
    this.snapshots = new OfferSnapshots(db);
    const insert = `INSERT INTO rm_redemptions (position, tenant, id, external_user_id, offer_id, status, quantity,
         amount, points_cost, description, shipping, artifact, created_at, offer_snapshot, remaining_stock,
         updated_at, canceled_at, start_at, end_at, points_debited, points_refunded, reversed_points,
         reversed_units, reversed_amount, reversal_state, fulfilment, hold)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    const update = `UPDATE rm_redemptions SET status = ?, updated_at = ?, canceled_at = ?, start_at = ?, end_at = ?,
         points_debited = ?, points_refunded = ?, reversed_points = ?, reversed_units = ?,
         reversed_amount = ?, reversal_state = ?, fulfilment = ?, hold = ? WHERE position = ?`;
    const loadRow = (tenant: string, id: string): RedemptionRow | undefined => {
      const stored = load.get(tenant, id) as StoredRow | undefined;
      if (!stored) return undefined;
      const { reversedPoints, reversedUnits, reversedAmount, reversalState, ...rest } = stored;
      const reversed = {
        points: reversedPoints,
        units: reversedUnits,
        amount: reversedAmount,
        state: reversalState,
      };
      return { ...rest, reversed, stockLimited: rest.stockLimited === 1, stored: true };
    };
    this.rows = new RowCache(500_000, loadRow, (r, out) => {
      if (r.stored) {
        out
          .values(update, 14)
          .push(
            r.status,
            r.updatedAt,
            r.canceledAt,
            r.startAt,
            r.endAt,
            r.pointsDebited,
            r.pointsRefunded,
            ...reversalColumns(r.reversed),
            r.fulfilment,
            r.hold,
            r.position,
          );
        return;
      }
      out
        .values(insert, 27)
        .push(
          r.position,
          r.tenant,
          r.id,
          r.externalUserID,
          r.offerId,
          r.status,
          ...(r.fixed ?? []),
          r.updatedAt,
          r.canceledAt,
          r.startAt,
          r.endAt,
          r.pointsDebited,
          r.pointsRefunded,
          ...reversalColumns(r.reversed),
          r.fulfilment,
          r.hold,
        );
      r.stored = true;
      r.fixed = null;
    });
    this.counts = new RedemptionCounts(db);
    this.holds = new ActiveHolds();
  }

  apply(event: ProjectedEvent): void {
    const data = record(event.data);
    if (event.category === 'offer') return this.applyOffer(event, data);
    switch (event.type) {
      case 'RedemptionCreated':
        return this.created(event, data);
      case 'PointsDebited':
      case 'PointsRefunded': {
        const id = strOrNull(data, 'redemptionId');
        const row = id === null ? undefined : this.rows.find(event.tenant, id);
        if (!row) return; // a forfeit on archiving, or (as evolveWallet) an unknown redemption
        const amount = int(data, 'amount');
        const debit = event.type === 'PointsDebited';
        if (debit) row.pointsDebited += amount;
        else row.pointsRefunded += amount;
        const spent = debit ? amount : -amount;
        this.rows.touch(row);
        for (const c of this.counts.rowsOf(row)) c.pointsSpent = plus(c.pointsSpent, spent);
        return;
      }
      case 'RedemptionStatusChanged': {
        const row = this.rows.find(event.tenant, str(data, 'redemptionId'));
        if (!row) return;
        const at = str(data, 'changedAt');
        this.move(event, row, str(data, 'to'), at);
        row.startAt = strOrNull(data, 'startAt');
        row.endAt = strOrNull(data, 'endAt');
        return;
      }
      case 'RedemptionCanceled': {
        const row = this.rows.find(event.tenant, str(data, 'redemptionId'));
        if (!row || row.status === 'CANCELED') return;
        const at = str(data, 'canceledAt');
        this.move(event, row, 'CANCELED', at);
        row.canceledAt = at;
        if (row.stockLimited)
          this.leftStock.canceled(row.tenant, row.id, row.offerId, instantMs(at));
        return;
      }
      case 'RedemptionReversed': {
        // As evolveWallet: the totals and updatedAt move, not the status (the refund comes next).
        const row = this.rows.find(event.tenant, str(data, 'redemptionId'));
        if (!row) return;
        const reversal = {
          units: data.units === null ? null : int(data, 'units'),
          amount: strOrNull(data, 'amount'),
          reversedPoints: int(data, 'reversedPoints', 0),
        } satisfies Partial<RedemptionReversed['data']>;
        row.reversed = addReversal(row.reversed, row, reversal);
        row.updatedAt = str(data, 'reversedAt');
        this.rows.touch(row);
        return;
      }
      case 'RedemptionFulfilled': {
        // As evolveWallet: the latest tracking replaces the one before, whatever it was.
        const row = this.rows.find(event.tenant, str(data, 'redemptionId'));
        if (!row) return;
        const fulfilledAt = str(data, 'fulfilledAt');
        row.fulfilment = JSON.stringify({
          trackingNumber: str(data, 'trackingNumber'),
          carrier: strOrNull(data, 'carrier'),
          trackingUrl: strOrNull(data, 'trackingUrl'),
          fulfilledAt,
        });
        row.updatedAt = fulfilledAt;
        this.rows.touch(row);
        return;
      }
      case 'PointsHeld': {
        const row = this.rows.find(event.tenant, str(data, 'redemptionId'));
        if (!row || row.hold !== null) return; // as evolveWallet
        const expiresAt = str(data, 'expiresAt');
        const hold: Hold = {
          state: 'HELD',
          points: int(data, 'points', 0),
          expiresAt,
          appliedAt: null,
          releasedAt: null,
          reference: null,
        };
        row.hold = JSON.stringify(hold);
        this.rows.touch(row);
        this.holds.held(event.tenant, row.id, instantMs(expiresAt));
        return;
      }
      case 'PointsHoldApplied':
      case 'PointsHoldReleased':
        return this.holdEnded(event, data);
      case 'MemberRegistered':
      case 'MemberProfileUpdated':
      case 'MemberArchived':
      case 'MemberUnarchived':
      case 'PointsCredited':
        return;
      default:
        unhandled(this.name, event);
    }
  }

  write(out: WriteSetBuilder): void {
    this.holds.write(out);
    this.leftStock.write(out);
    this.snapshots.write(out);
    this.rows.write(out);
    this.history.write(out);
    this.counts.write(out);
  }

  pending(): number {
    return (
      this.rows.pending +
      this.history.pending +
      this.counts.pending +
      this.snapshots.pending +
      this.holds.pending +
      this.leftStock.pending
    );
  }

  trim(): void {
    this.rows.trim();
    this.counts.trim();
  }

  reset(empty: boolean): void {
    this.rows.reset(empty);
    this.history.reset();
    this.holds.reset();
    this.leftStock.reset();
    this.snapshots.reset();
    this.counts.reset(empty);
  }

  private created(event: ProjectedEvent, data: Record<string, unknown>): void {
    const id = str(data, 'redemptionId');
    if (this.rows.find(event.tenant, id)) return; // evolveWallet ignores a repeat
    const createdAt = str(data, 'createdAt');
    const offer = record(data.offer);
    const offerId = str(offer, 'id');
    const remainingStock = this.snapshots.remainingStock(offer);
    const shipping =
      data.shipping === null || data.shipping === undefined ? null : JSON.stringify(data.shipping);
    const quantity = int(data, 'quantity');
    const amount = strOrNull(data, 'amount');
    const fixed = [
      quantity,
      amount,
      int(data, 'pointsCost', 0),
      strOrNull(data, 'description'),
      shipping,
      JSON.stringify(record(data.artifact)),
      createdAt,
      this.snapshots.idOf(event.tenant, offerId, offer, event.position),
      remainingStock,
    ];
    const row: RedemptionRow = {
      position: event.position,
      tenant: event.tenant,
      id,
      externalUserID: str(data, 'externalUserID'),
      offerId,
      status: 'SUBMITTED',
      fixed,
      updatedAt: createdAt,
      canceledAt: null,
      startAt: null,
      endAt: null,
      pointsDebited: 0,
      pointsRefunded: 0,
      quantity,
      amount,
      reversed: noneReversed({
        quantity,
        amount,
        offer: { priceModel: str(offer, 'priceModel') as PriceModel },
      }),
      fulfilment: null,
      hold: null,
      stockLimited: remainingStock !== null,
      stored: false,
    };
    this.rows.put(event.tenant, id, row);
    this.history.row.push(event.position, event.tenant, id, 'SUBMITTED', createdAt);
    const submitted = statusIndex('SUBMITTED');
    for (const c of this.counts.rowsOf(row)) {
      c.byStatus[submitted]++;
      c.total++;
    }
  }

  /** A release of the stock of a redemption this projection knows, for rm_stock_left. */
  private applyOffer(event: ProjectedEvent, data: Record<string, unknown>): void {
    if (event.type !== 'OfferStockReleased') return unhandled(this.name, event);
    const row = this.rows.find(event.tenant, str(data, 'redemptionId'));
    // Not created (a refused request gave its reservation back), or it reserved nothing.
    if (row?.stockLimited) this.leftStock.released(row.tenant, row.id);
  }

  /** As evolveWallet's endHold: a HELD hold applied or released; anything else changes nothing. */
  private holdEnded(event: ProjectedEvent, data: Record<string, unknown>): void {
    const row = this.rows.find(event.tenant, str(data, 'redemptionId'));
    if (!row || row.hold === null) return;
    const before = JSON.parse(row.hold) as Hold;
    if (before.state !== 'HELD') return;
    let hold: Hold;
    if (event.type === 'PointsHoldApplied') {
      const appliedAt = str(data, 'appliedAt');
      hold = { ...before, state: 'APPLIED', appliedAt, reference: strOrNull(data, 'reference') };
      row.updatedAt = appliedAt;
    } else {
      const releasedAt = str(data, 'releasedAt');
      const state = str(data, 'reason') === 'expired' ? 'EXPIRED' : 'RELEASED';
      hold = { ...before, state, releasedAt };
      row.updatedAt = releasedAt;
    }
    row.hold = JSON.stringify(hold);
    this.rows.touch(row);
    this.holds.ended(event.tenant, row.id);
  }

  private move(event: ProjectedEvent, row: RedemptionRow, to: string, at: string): void {
    const from = statusIndex(row.status);
    const next = statusIndex(to);
    row.status = to;
    row.updatedAt = at;
    this.rows.touch(row);
    this.history.row.push(event.position, row.tenant, row.id, to, at);
    for (const c of this.counts.rowsOf(row)) {
      c.byStatus[from]--;
      c.byStatus[next]++;
    }
  }
}

const reversalColumns = (r: Reversed) => [r.points, r.units, r.amount, r.state];

export const redemptionsProjection = (db: Database.Database) => new RedemptionsProjection(db);
