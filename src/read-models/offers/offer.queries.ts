import { Inject, Injectable } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { CatalogAudience, visibleTo } from '../../catalog/offer/offer.audience';
import type { OfferDefinition } from '../../catalog/offer/offer.events';
import { OfferView, offerView } from '../../catalog/offer/offer.view';
import { LimitedStatements } from '../../infrastructure/sqlite/limited-statements';
import { PersistentMap } from '../../shared/domain/persistent-map';
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
function toView(
  row: OfferRecord,
  offer = JSON.parse(row.definition) as OfferDefinition,
): OfferView {
  return offerView({
    status: 'defined',
    offerId: row.offer_id,
    offer,
    reservations: PersistentMap.empty(),
    reservedUnits: row.reserved_units,
  });
}

const COLUMNS = 'position, offer_id, definition, reserved_units';

/**
 * A page of the catalog, newest first. A member sees active offers only, found through the partial
 * index on the same expression (rm_offers_active_by_tenant), not by walking the inactive ones.
 */
export function catalogPageSql(audience: CatalogAudience): string {
  const filter =
    audience === 'member' ? ` AND json_extract(definition, '$.status') = 'ACTIVE'` : '';
  return `SELECT ${COLUMNS} FROM rm_offers WHERE tenant = ? AND position < ?${filter} ORDER BY position DESC`;
}

@Injectable()
export class OfferQueries {
  private readonly byId: Database.Statement;
  private readonly pages: Record<CatalogAudience, LimitedStatements>;

  constructor(@Inject(READ_MODEL_DB) readModels: ReadModelDb) {
    const db = readModels.db;
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM rm_offers WHERE tenant = ? AND offer_id = ?`);
    this.pages = {
      org: new LimitedStatements(db, catalogPageSql('org')),
      member: new LimitedStatements(db, catalogPageSql('member')),
    };
  }

  /** The offer, if it exists in this tenant and the audience may see it. */
  find(tenant: string, offerId: string, audience: CatalogAudience): OfferView | undefined {
    const row = this.byId.get(tenant, offerId) as OfferRecord | undefined;
    if (!row) return undefined;
    const offer = JSON.parse(row.definition) as OfferDefinition;
    return visibleTo(audience, offer) ? toView(row, offer) : undefined;
  }

  /** Newest first, by the position of each offer's creation. */
  list(
    tenant: string,
    audience: CatalogAudience,
    page: Page,
  ): { data: OfferView[]; nextCursor: string | null } {
    const rows = this.pages[audience]
      .limit(page.limit + 1)
      .all(tenant, beforeParam(page)) as OfferRecord[];
    const { rows: kept, nextCursor } = paged(rows, page);
    return { data: kept.map((row) => toView(row)), nextCursor };
  }
}
