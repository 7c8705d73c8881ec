import type Database from 'better-sqlite3';
import type { ProjectionFactory } from './engine/projection';
import { analyticsProjection } from './analytics/analytics.projection';
import { offersProjection } from './offers/offers.projection';
import { redemptionsProjection } from './redemptions/redemptions.projection';
import { transactionsProjection } from './transactions/transactions.projection';
import { walletsProjection } from './wallets/wallets.projection';

/** Every projection the service runs, in the order each batch applies them. */
export const ALL_PROJECTIONS: readonly ProjectionFactory[] = [
  walletsProjection,
  transactionsProjection,
  redemptionsProjection,
  offersProjection,
  analyticsProjection,
];

/** Their names, in the same order: a projection's name is the one it reports and checkpoints under. */
export function projectionNames(db: Database.Database): string[] {
  return ALL_PROJECTIONS.map((factory) => factory(db).name);
}
