import type { DomainEvent } from '../../shared/domain/decider';
import { MAX_TEXT_LENGTH } from '../../shared/domain/values';

export const PRICE_MODELS = ['FIXED', 'UNIT_BASED', 'AMOUNT_BASED'] as const;
export type PriceModel = (typeof PRICE_MODELS)[number];

export const OFFER_STATUSES = ['ACTIVE', 'INACTIVE'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export type EffectiveOfferStatus = OfferStatus | 'OUT_OF_STOCK';

export const OFFER_ARTIFACTS = ['NONE', 'COUPON', 'FULFILMENT'] as const;
export type OfferArtifact = (typeof OFFER_ARTIFACTS)[number];

/** Most characters of an offer's text fields, at the edge (offer.dto.ts) and in the decider. */
export const OFFER_TEXT_LIMITS = {
  title: 200,
  description: MAX_TEXT_LENGTH,
  shortDescription: 200,
  kind: 64,
  type: 64,
  /** Each of `images`. */
  imageUrl: 2048,
} as const;

/** Amounts are decimal strings ("50.00"); points are integers. */
export type PriceFields = {
  priceModel: PriceModel;
  pointsPrice: number | null;
  unitCost: number | null;
  minAmount: string | null;
  maxAmount: string | null;
  pointsPerAmountUnit: number | null;
};

export type OfferDefinition = PriceFields & {
  title: string;
  description: string | null;
  shortDescription: string | null;
  images: string[];
  kind: string;
  type: string;
  status: OfferStatus;
  availableFrom: string | null;
  expiresAt: string | null;
  maxTotal: number | null;
  maxPerMember: number | null;
  artifact: OfferArtifact;
};

export const OFFER_FIELDS = [
  'title',
  'description',
  'shortDescription',
  'images',
  'kind',
  'type',
  'priceModel',
  'pointsPrice',
  'unitCost',
  'minAmount',
  'maxAmount',
  'pointsPerAmountUnit',
  'status',
  'availableFrom',
  'expiresAt',
  'maxTotal',
  'maxPerMember',
  'artifact',
] as const satisfies readonly (keyof OfferDefinition)[];

export type OfferCreated = DomainEvent<
  'OfferCreated',
  OfferDefinition & { offerId: string; createdAt: string }
>;
export type OfferUpdated = DomainEvent<
  'OfferUpdated',
  { changes: Partial<OfferDefinition>; updatedAt: string }
>;
export type OfferStockReserved = DomainEvent<
  'OfferStockReserved',
  { redemptionId: string; units: number; reservedAt: string }
>;
export type OfferStockReleased = DomainEvent<
  'OfferStockReleased',
  { redemptionId: string; units: number; releasedAt: string }
>;

export type OfferEvent = OfferCreated | OfferUpdated | OfferStockReserved | OfferStockReleased;
