import { Inject, Injectable } from '@nestjs/common';
import type Database from 'better-sqlite3';
import type { OfferDefinition } from '../../catalog/offer/offer.events';
import { OfferView, offerView } from '../../catalog/offer/offer.view';
import type { ReadModelDb } from '../../projections/read-model-db';
import { Page, beforeParam, paged } from '../shared/paging';
import { READ_MODEL_DB } from '../shared/tokens';

interface OfferRecord {
  position: number;
  offer_id: string;
  definition: string;
  reserved_units: number;
}

/** The command side's view over the stored definition and stock: reads and writes answer alike. */
function toView(row: OfferRecord): OfferView {
  return offerView({
    status: 'defined',
    offerId: row.offer_id,
    offer: JSON.parse(row.definition) as OfferDefinition,
    reservations: new Map(),
    reservedUnits: row.reserved_units,
  });
}

@Injectable()
export class OfferQueries {
  private readonly byId: Database.Statement;
  private readonly page: Database.Statement;

  constructor(@Inject(READ_MODEL_DB) readModels: ReadModelDb) {
    const columns = 'position, offer_id, definition, reserved_units';
    this.byId = readModels.db.prepare(
      `SELECT ${columns} FROM rm_offers WHERE tenant = ? AND offer_id = ?`,
    );
    this.page = readModels.db.prepare(
      `SELECT ${columns} FROM rm_offers WHERE tenant = ? AND position < ? ORDER BY position DESC LIMIT ?`,
    );
  }

  find(tenant: string, offerId: string): OfferView | undefined {
    const row = this.byId.get(tenant, offerId) as OfferRecord | undefined;
    return row && toView(row);
  }

  /** Newest first, by the position of each offer's creation. */
  list(tenant: string, page: Page): { data: OfferView[]; nextCursor: string | null } {
    const rows = this.page.all(tenant, beforeParam(page), page.limit + 1) as OfferRecord[];
    const { rows: kept, nextCursor } = paged('offers', rows, page);
    return { data: kept.map(toView), nextCursor };
  }
}
