import { isDomainError } from '../../shared/domain/domain-error';
import type { CreateOffer, OfferCommand } from './offer.commands';
import { offerDecider } from './offer.decider';
import type { OfferDefinition, OfferEvent } from './offer.events';

export const T0 = '2025-03-01T10:00:00Z';
export const LATER = '2025-06-01T00:00:00Z';

export const create = (data: Partial<CreateOffer['data']> = {}): OfferCommand => ({
  type: 'CreateOffer',
  data: {
    offerId: 'offer-1',
    title: 'Sunset kayak tour',
    kind: 'EXPERIENCE',
    type: 'OUTDOOR',
    priceModel: 'FIXED',
    pointsPrice: 100,
    status: 'ACTIVE',
    artifact: 'NONE',
    now: T0,
    ...data,
  },
});
/** The events of a valid CreateOffer. */
export function createdWith(data: Partial<CreateOffer['data']> = {}): OfferEvent[] {
  const outcome = offerDecider.decide(create(data), offerDecider.initialState);
  if (isDomainError(outcome)) throw outcome;
  return outcome;
}
export const update = (patch: Partial<OfferDefinition>): OfferCommand => ({
  type: 'UpdateOffer',
  data: { patch, now: T0 },
});
export const reserve = (redemptionId: string, units = 1, now = T0): OfferCommand => ({
  type: 'ReserveOfferStock',
  data: { redemptionId, units, now },
});
export const release = (redemptionId: string): OfferCommand => ({
  type: 'ReleaseOfferStock',
  data: { redemptionId, now: T0 },
});
export const reserved = (redemptionId: string, units = 1): OfferEvent => ({
  type: 'OfferStockReserved',
  data: { redemptionId, units, reservedAt: T0 },
});
