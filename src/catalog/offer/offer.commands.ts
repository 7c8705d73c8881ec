import type { DomainCommand } from '../../shared/domain/decider';
import type { OfferArtifact, OfferDefinition, OfferStatus, PriceModel } from './offer.events';

export type CreateOffer = DomainCommand<
  'CreateOffer',
  {
    offerId: string;
    title: string;
    description?: string | null;
    shortDescription?: string | null;
    images?: string[];
    kind: string;
    type: string;
    priceModel: PriceModel;
    pointsPrice?: number | null;
    unitCost?: number | null;
    minAmount?: string | null;
    maxAmount?: string | null;
    pointsPerAmountUnit?: number | null;
    status: OfferStatus;
    availableFrom?: string | null;
    expiresAt?: string | null;
    maxTotal?: number | null;
    /** Default 1; null means no per-member limit. */
    maxPerMember?: number | null;
    artifact: OfferArtifact;
    now: string;
  }
>;

/** A field left out is unchanged; null clears an optional field. */
export type UpdateOffer = DomainCommand<
  'UpdateOffer',
  { patch: Partial<OfferDefinition>; now: string }
>;

export type ReserveOfferStock = DomainCommand<
  'ReserveOfferStock',
  { redemptionId: string; units: number; now: string }
>;

export type ReleaseOfferStock = DomainCommand<
  'ReleaseOfferStock',
  { redemptionId: string; now: string }
>;

export type OfferCommand = CreateOffer | UpdateOffer | ReserveOfferStock | ReleaseOfferStock;
