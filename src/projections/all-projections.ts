import type { ProjectionFactory } from './engine/projection';
import { ANALYTICS, OFFERS, REDEMPTIONS, TRANSACTIONS, WALLETS } from './names';
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

/** Their names, in the same order (the projection thread reports under these). */
export const PROJECTION_NAMES: readonly string[] = [
  WALLETS,
  TRANSACTIONS,
  REDEMPTIONS,
  OFFERS,
  ANALYTICS,
];
