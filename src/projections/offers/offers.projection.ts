import type Database from 'better-sqlite3';
import type { ProjectedEvent, Projection } from '../engine/projection';
import { refuseIf, UnprocessableEventError, unhandled } from '../engine/projection';
import { int, record, str } from '../engine/fields';
import { Cached, RowCache } from '../engine/row-cache';
import type { WriteSetBuilder } from '../engine/write-set';
import { OFFERS } from '../names';
import { offerFieldsProblem } from '../../catalog/offer/offer.shape';

interface OfferRow extends Cached {
  position: number;
  tenant: string;
  offerId: string;
  /** The OfferDefinition as JSON: parsed only when an OfferUpdated changes it. */
  definition: string;
  reservedUnits: number;
  redeemedCount: number;
  redeemedUnits: number;
  updatedAt: string;
}

/**
 * rm_offers: the catalog as offer.state.ts folds it (definition and reserved stock), plus how many
 * redemptions (and units) each offer has had, counted from the wallets' RedemptionCreated events.
 */
export class OffersProjection implements Projection {
  readonly name = OFFERS;
  readonly categories = ['offer', 'wallet'];
  private readonly rows: RowCache<OfferRow>;

  constructor(db: Database.Database) {
    const load = db.prepare(
      `SELECT position, tenant, offer_id AS offerId, definition, reserved_units AS reservedUnits,
         redeemed_count AS redeemedCount, redeemed_units AS redeemedUnits, updated_at AS updatedAt
       FROM rm_offers WHERE tenant = ? AND offer_id = ?`,
    );
    const save = `INSERT INTO rm_offers (position, tenant, offer_id, definition, reserved_units, redeemed_count, redeemed_units, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (position) DO UPDATE SET definition = excluded.definition,
         reserved_units = excluded.reserved_units, redeemed_count = excluded.redeemed_count,
         redeemed_units = excluded.redeemed_units, updated_at = excluded.updated_at`;
    const loadRow = (tenant: string, offerId: string) =>
      load.get(tenant, offerId) as OfferRow | undefined;
    this.rows = new RowCache(50_000, loadRow, (r, out) =>
      out
        .values(save, 8, 1)
        .push(
          r.position,
          r.tenant,
          r.offerId,
          r.definition,
          r.reservedUnits,
          r.redeemedCount,
          r.redeemedUnits,
          r.updatedAt,
        ),
    );
  }

  apply(event: ProjectedEvent): void {
    const data = record(event.data);
    if (event.category === 'wallet') return this.applyWallet(event, data);
    const offerId = this.offerIdOf(event);
    const row = this.rows.find(event.tenant, offerId);
    switch (event.type) {
      case 'OfferCreated': {
        if (row) throw new UnprocessableEventError(`offer ${offerId} is created twice`);
        const { offerId: _id, createdAt: _at, ...definition } = data;
        refuseIf(offerFieldsProblem(definition, true));
        this.rows.put(event.tenant, offerId, {
          position: event.position,
          tenant: event.tenant,
          offerId,
          definition: JSON.stringify(definition),
          reservedUnits: 0,
          redeemedCount: 0,
          redeemedUnits: 0,
          updatedAt: str(data, 'createdAt'),
        });
        return;
      }
      case 'OfferUpdated': {
        if (!row) return; // as evolveOffer
        const changes = record(data.changes);
        refuseIf(offerFieldsProblem(changes, false));
        row.definition = JSON.stringify({ ...JSON.parse(row.definition), ...changes });
        row.updatedAt = str(data, 'updatedAt');
        break;
      }
      case 'OfferStockReserved':
        if (!row) return;
        row.reservedUnits += int(data, 'units');
        break;
      case 'OfferStockReleased':
        if (!row) return;
        row.reservedUnits -= int(data, 'units');
        break;
      default:
        unhandled(this.name, event);
    }
    this.rows.put(event.tenant, offerId, row);
  }

  write(out: WriteSetBuilder): void {
    this.rows.write(out);
  }

  pending(): number {
    return this.rows.pending;
  }

  trim(): void {
    this.rows.trim();
  }

  reset(empty: boolean): void {
    this.rows.reset(empty);
  }

  private applyWallet(event: ProjectedEvent, data: Record<string, unknown>): void {
    switch (event.type) {
      case 'RedemptionCreated': {
        const offerId = str(record(data.offer), 'id');
        const row = this.rows.find(event.tenant, offerId);
        if (!row) throw new UnprocessableEventError(`redemption of unknown offer ${offerId}`);
        row.redeemedCount++;
        row.redeemedUnits += int(data, 'quantity');
        this.rows.put(event.tenant, offerId, row);
        return;
      }
      case 'MemberRegistered':
      case 'MemberProfileUpdated':
      case 'MemberArchived':
      case 'MemberUnarchived':
      case 'PointsCredited':
      case 'PointsDebited':
      case 'PointsRefunded':
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

  /** `offer-<environment>.<orgId>.<offerId>`: the tenant comes from the metadata, the rest is the id. */
  private offerIdOf(event: ProjectedEvent): string {
    const prefix = `offer-${event.tenant}.`;
    if (!event.stream.startsWith(prefix) || event.stream.length === prefix.length) {
      throw new UnprocessableEventError(
        `stream ${event.stream} does not belong to tenant ${event.tenant}`,
      );
    }
    return event.stream.slice(prefix.length);
  }
}

export const offersProjection = (db: Database.Database) => new OffersProjection(db);
