import type { OfferSnapshot } from './offer.snapshot';
import { toOfferSnapshot } from './offer.snapshot';
import type { DefinedOffer } from './offer.state';

/** An Offer as the API shows it: Expys v1's fields first, then ours. */
export interface OfferView {
  id: string;
  title: string;
  description: string;
  shortDescription: string;
  images: string[];
  kind: string;
  type: string;
  pointsPrice: number | null;
  expiresAt: string | null;
  status: string;
  priceModel: string;
  unitCost: number | null;
  minAmount: string | null;
  maxAmount: string | null;
  pointsPerAmountUnit: number | null;
  availableFrom: string | null;
  maxTotal: number | null;
  maxPerMember: number | null;
  remainingStock: number | null;
  artifact: string;
}

export function offerViewOfSnapshot(offer: OfferSnapshot): OfferView {
  return {
    id: offer.id,
    title: offer.title,
    description: offer.description ?? '',
    shortDescription: offer.shortDescription ?? '',
    images: [...offer.images],
    kind: offer.kind,
    type: offer.type,
    pointsPrice: offer.pointsPrice,
    expiresAt: offer.expiresAt,
    status: offer.status,
    priceModel: offer.priceModel,
    unitCost: offer.unitCost,
    minAmount: offer.minAmount,
    maxAmount: offer.maxAmount,
    pointsPerAmountUnit: offer.pointsPerAmountUnit,
    availableFrom: offer.availableFrom,
    maxTotal: offer.maxTotal ?? null,
    maxPerMember: offer.maxPerMember,
    remainingStock: offer.remainingStock,
    artifact: offer.artifact,
  };
}

export function offerView(state: DefinedOffer): OfferView {
  return offerViewOfSnapshot(toOfferSnapshot(state));
}
