import { OfferView, offerViewOfSnapshot } from '../../catalog/offer/offer.view';
import type {
  Fulfilment,
  RedemptionArtifact,
  RedemptionStatus,
  ReversalState,
  ShippingAddress,
} from '../wallet/wallet.events';
import type { Hold, RedemptionEntry } from '../wallet/wallet.state';

/**
 * The artifact as the API shows it: a FULFILMENT one carries its tracking, null until shipped. A
 * coupon or a fulfilment line is `voided` once the redemption is canceled or fully reversed (seed
 * 004's reversal: "points refunded, artifact voided"): a checkout must no longer honour the code,
 * a warehouse no longer ship the line.
 */
export type ArtifactView =
  | { type: 'NONE' }
  | { type: 'COUPON'; couponCode: string; voided: boolean }
  | { type: 'FULFILMENT'; fulfilment: Fulfilment | null; voided: boolean };

/** A redemption whose artifact no longer holds: canceled, or nothing of it left unreversed. */
const artifactVoided = (entry: Pick<RedemptionEntry, 'status' | 'reversed'>) =>
  entry.status === 'CANCELED' || entry.reversed.state === 'FULLY_REVERSED';

function artifactView(entry: RedemptionEntry): ArtifactView {
  const artifact: RedemptionArtifact = entry.created.artifact;
  switch (artifact.type) {
    case 'NONE':
      return artifact;
    case 'COUPON':
      return { ...artifact, voided: artifactVoided(entry) };
    case 'FULFILMENT':
      return {
        type: 'FULFILMENT',
        fulfilment: entry.fulfilment && { ...entry.fulfilment },
        voided: artifactVoided(entry),
      };
  }
}

/** A Redemption as the API shows it: Expys v1's fields first (`offer` is the redeemed Offer), then ours. */
export interface RedemptionView {
  id: string;
  offer: OfferView;
  status: RedemptionStatus;
  createdAt: string;
  startAt: string | null;
  endAt: string | null;
  externalUserID: string;
  offerId: string;
  quantity: number;
  amount: string | null;
  pointsDebited: number;
  /** Refunds by cancels and reversals alike; reversedPoints is the reversals' part. */
  pointsRefunded: number;
  reversedPoints: number;
  /** UNIT_BASED redemptions only, else null. */
  reversedUnits: number | null;
  /** AMOUNT_BASED redemptions only (a decimal string), else null. */
  reversedAmount: string | null;
  reversalState: ReversalState;
  description: string | null;
  shipping: ShippingAddress | null;
  artifact: ArtifactView;
  /** DELAYED: the points were held (seed 003's delayed deduction) and are debited when applied. */
  deduction: 'IMMEDIATE' | 'DELAYED';
  hold: Hold | null;
  canceledAt: string | null;
  updatedAt: string;
}

export function redemptionView(entry: RedemptionEntry, externalUserID: string): RedemptionView {
  const created = entry.created;
  return {
    id: created.redemptionId,
    offer: offerViewOfSnapshot(created.offer),
    status: entry.status,
    createdAt: created.createdAt,
    startAt: entry.startAt,
    endAt: entry.endAt,
    externalUserID,
    offerId: created.offer.id,
    quantity: created.quantity,
    amount: created.amount,
    pointsDebited: entry.pointsDebited,
    pointsRefunded: entry.pointsRefunded,
    reversedPoints: entry.reversed.points,
    reversedUnits: entry.reversed.units,
    reversedAmount: entry.reversed.amount,
    reversalState: entry.reversed.state,
    description: created.description,
    shipping: created.shipping,
    artifact: artifactView(entry),
    deduction: entry.hold === null ? 'IMMEDIATE' : 'DELAYED',
    hold: entry.hold && { ...entry.hold },
    canceledAt: entry.canceledAt,
    updatedAt: entry.updatedAt,
  };
}
