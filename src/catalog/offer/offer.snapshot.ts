import { DomainError } from '../../shared/domain/domain-error';
import { compareInstants } from '../../shared/domain/values';
import type { EffectiveOfferStatus, OfferDefinition } from './offer.events';
import type { DefinedOffer, OfferState } from './offer.state';

/** What a redemption records of its offer, and all the wallet needs to decide on it. */
export type OfferSnapshot = Omit<OfferDefinition, 'status' | 'maxTotal'> & {
  id: string;
  status: EffectiveOfferStatus;
  /** Absent from the snapshots recorded before 2026-12-05, which are shown with null. */
  maxTotal?: number | null;
  remainingStock: number | null;
};

export function remainingStock(offer: OfferDefinition, reservedUnits: number): number | null {
  return offer.maxTotal === null ? null : Math.max(0, offer.maxTotal - reservedUnits);
}

/** The message of a redemption refused for more units than remain. */
export const fewerUnitsRemain = (remaining: number, offerId: string) =>
  remaining === 1
    ? `Only 1 unit of offer ${offerId} remains`
    : `Only ${remaining} units of offer ${offerId} remain`;

export function effectiveStatus(
  offer: OfferDefinition,
  reservedUnits: number,
): EffectiveOfferStatus {
  if (offer.status === 'ACTIVE' && remainingStock(offer, reservedUnits) === 0) {
    return 'OUT_OF_STOCK';
  }
  return offer.status;
}

export function toOfferSnapshot(state: DefinedOffer): OfferSnapshot;
export function toOfferSnapshot(state: OfferState): OfferSnapshot | null;
export function toOfferSnapshot(state: OfferState): OfferSnapshot | null {
  if (state.status === 'absent') return null;
  const { status: _status, ...rest } = state.offer;
  return {
    id: state.offerId,
    ...rest,
    images: [...rest.images],
    status: effectiveStatus(state.offer, state.reservedUnits),
    remainingStock: remainingStock(state.offer, state.reservedUnits),
  };
}

type Availability = Pick<
  OfferSnapshot,
  'id' | 'status' | 'availableFrom' | 'expiresAt' | 'remainingStock'
>;

/** OFFER_UNAVAILABLE unless the offer is ACTIVE, in stock and `now` is within [availableFrom, expiresAt). */
export function offerUnavailability(offer: Availability, now: string): DomainError | null {
  const unavailable = (reason: string, message: string) =>
    new DomainError('OFFER_UNAVAILABLE', message, { offerId: offer.id, reason });
  if (offer.status === 'OUT_OF_STOCK' || offer.remainingStock === 0) {
    return unavailable('OUT_OF_STOCK', `Offer ${offer.id} is out of stock`);
  }
  if (offer.status !== 'ACTIVE') return unavailable('INACTIVE', `Offer ${offer.id} is not active`);
  if (offer.availableFrom !== null && compareInstants(now, offer.availableFrom) < 0) {
    return unavailable(
      'NOT_YET_AVAILABLE',
      `Offer ${offer.id} is available from ${offer.availableFrom}`,
    );
  }
  if (offer.expiresAt !== null && compareInstants(now, offer.expiresAt) >= 0) {
    return unavailable('EXPIRED', `Offer ${offer.id} expired at ${offer.expiresAt}`);
  }
  return null;
}
