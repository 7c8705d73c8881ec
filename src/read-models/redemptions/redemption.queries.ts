import { Inject, Injectable } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { RedemptionView, redemptionView } from '../../ledger/redemptions/redemption.view';
import type { OfferSnapshot } from '../../catalog/offer/offer.snapshot';
import type {
  Fulfilment,
  RedemptionArtifact,
  RedemptionCreated,
  RedemptionStatus,
  ReversalState,
  ShippingAddress,
} from '../../ledger/wallet/wallet.events';
import { LimitedStatements } from '../../infrastructure/sqlite/limited-statements';
import type { Hold } from '../../ledger/wallet/wallet.state';
import type { ReadModelDb } from '../../projections/read-model-db';
import { Page, beforeParam, paged } from '../shared/paging';
import { READ_MODEL_DB } from '../shared/tokens';

interface RedemptionRecord {
  position: number;
  id: string;
  external_user_id: string;
  status: RedemptionStatus;
  quantity: number;
  amount: string | null;
  points_cost: number;
  description: string | null;
  shipping: string | null;
  artifact: string;
  created_at: string;
  snapshot: string;
  remaining_stock: number | null;
  updated_at: string;
  canceled_at: string | null;
  start_at: string | null;
  end_at: string | null;
  points_debited: number;
  points_refunded: number;
  reversed_points: number;
  reversed_units: number | null;
  reversed_amount: string | null;
  reversal_state: ReversalState;
  fulfilment: string | null;
  hold: string | null;
}

const COLUMNS = `r.position, r.id, r.external_user_id, r.status, r.quantity, r.amount, r.points_cost, r.description,
  r.shipping, r.artifact, r.created_at, s.snapshot, r.remaining_stock, r.updated_at, r.canceled_at, r.start_at,
  r.end_at, r.points_debited, r.points_refunded, r.reversed_points, r.reversed_units, r.reversed_amount,
  r.reversal_state, r.fulfilment, r.hold`;
const FROM = 'rm_redemptions r JOIN rm_offer_snapshots s ON s.position = r.offer_snapshot';

export interface RedemptionFilter {
  externalUserID?: string;
  status?: RedemptionStatus;
  offerId?: string;
  couponCode?: string;
}

/** The code as migration 10 indexes it: the query must name the same expression to use it. */
const COUPON_CODE = "json_extract(r.artifact, '$.couponCode')";

/** The RedemptionCreated data back from its columns and its offer snapshot. */
function createdOf(row: RedemptionRecord): RedemptionCreated['data'] {
  const offer = {
    ...(JSON.parse(row.snapshot) as OfferSnapshot),
    remainingStock: row.remaining_stock,
  };
  return {
    redemptionId: row.id,
    externalUserID: row.external_user_id,
    offer,
    quantity: row.quantity,
    amount: row.amount,
    pointsCost: row.points_cost,
    description: row.description,
    shipping: row.shipping === null ? null : (JSON.parse(row.shipping) as ShippingAddress),
    artifact: JSON.parse(row.artifact) as RedemptionArtifact,
    ...(row.hold === null ? {} : { deduction: 'DELAYED' as const }),
    createdAt: row.created_at,
  };
}

/** The command side's own view function over a stored row: reads and writes answer alike. */
function toView(row: RedemptionRecord): RedemptionView {
  const created = createdOf(row);
  return redemptionView(
    {
      created,
      updatedAt: row.updated_at,
      canceledAt: row.canceled_at,
      offerId: created.offer.id,
      status: row.status,
      pointsDebited: row.points_debited,
      pointsRefunded: row.points_refunded,
      reversed: {
        points: row.reversed_points,
        units: row.reversed_units,
        amount: row.reversed_amount,
        state: row.reversal_state,
      },
      fulfilment: row.fulfilment === null ? null : (JSON.parse(row.fulfilment) as Fulfilment),
      hold: row.hold === null ? null : (JSON.parse(row.hold) as Hold),
      startAt: row.start_at,
      endAt: row.end_at,
    },
    created.externalUserID,
  );
}

/**
 * The page query of a list, newest first. SQLite keeps no statistics here, so with several filters
 * it may pick any of their indexes. A member's own redemptions are few, so with a member its index
 * must drive the search: through the status or offer index, a member's page would walk every
 * redemption of the tenant in that status, or of that offer. A `+` keeps a term off an index.
 */
export function listQuery(
  tenant: string,
  filter: RedemptionFilter,
): { sql: string; params: unknown[] } {
  const conditions = ['r.tenant = ?'];
  const params: unknown[] = [tenant];
  // A code names one redemption or none: its index drives any search it is in.
  const coupon = filter.couponCode !== undefined;
  if (coupon) {
    conditions.push(`${COUPON_CODE} = ?`);
    params.push(filter.couponCode);
  }
  const member = filter.externalUserID !== undefined;
  if (member) {
    conditions.push(coupon ? '+r.external_user_id = ?' : 'r.external_user_id = ?');
    params.push(filter.externalUserID);
  }
  const offIndex = member || coupon ? '+' : '';
  if (filter.status !== undefined) {
    conditions.push(`${offIndex}r.status = ?`);
    params.push(filter.status);
  }
  if (filter.offerId !== undefined) {
    conditions.push(`${offIndex}r.offer_id = ?`);
    params.push(filter.offerId);
  }
  conditions.push('r.position < ?');
  const sql = `SELECT ${COLUMNS} FROM ${FROM} WHERE ${conditions.join(' AND ')} ORDER BY r.position DESC`;
  return { sql, params };
}

@Injectable()
export class RedemptionQueries {
  private readonly byId: Database.Statement;
  private readonly ownerOf: Database.Statement;
  private readonly history: Database.Statement;
  private readonly lists = new Map<string, LimitedStatements>();

  constructor(@Inject(READ_MODEL_DB) private readonly readModels: ReadModelDb) {
    const db = readModels.db;
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM ${FROM} WHERE r.tenant = ? AND r.id = ?`);
    this.ownerOf = db
      .prepare('SELECT external_user_id FROM rm_redemptions WHERE tenant = ? AND id = ?')
      .pluck();
    this.history = db.prepare(
      'SELECT status, at FROM rm_redemption_history WHERE tenant = ? AND redemption_id = ? ORDER BY position',
    );
  }

  /** The redemption, if it exists in this tenant and (when `member` is given) is that member's. */
  find(tenant: string, id: string, member?: string): RedemptionView | undefined {
    const row = this.byId.get(tenant, id) as RedemptionRecord | undefined;
    if (!row || (member !== undefined && row.external_user_id !== member)) return undefined;
    return toView(row);
  }

  exists(tenant: string, id: string, member?: string): boolean {
    const owner = this.ownerOf.get(tenant, id) as string | undefined;
    return owner !== undefined && (member === undefined || owner === member);
  }

  historyOf(tenant: string, id: string): Array<{ status: RedemptionStatus; at: string }> {
    return this.history.all(tenant, id) as Array<{ status: RedemptionStatus; at: string }>;
  }

  /** Newest first: the position of a redemption's creation orders it and is its cursor. */
  list(
    tenant: string,
    filter: RedemptionFilter,
    page: Page,
  ): { redemptions: RedemptionView[]; nextCursor: string | null } {
    const { sql, params } = listQuery(tenant, filter);
    let statements = this.lists.get(sql);
    if (!statements)
      this.lists.set(sql, (statements = new LimitedStatements(this.readModels.db, sql)));
    const rows = statements
      .limit(page.limit + 1)
      .all(...params, beforeParam(page)) as RedemptionRecord[];
    const { rows: kept, nextCursor } = paged(rows, page);
    return { redemptions: kept.map(toView), nextCursor };
  }
}
