import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import {
  IsDecimalAmount,
  IsOptionalInstant,
  IsOptionalNonNull,
  IsText,
  IsUrlAddress,
} from '../../shared/http/dto-rules';
import {
  OFFER_ARTIFACTS,
  OFFER_STATUSES,
  OFFER_TEXT_LIMITS,
  OfferArtifact,
  OfferStatus,
  PRICE_MODELS,
  PriceModel,
} from '../offer/offer.events';

const MAX_POINTS = Number.MAX_SAFE_INTEGER;

/**
 * Fields shared by create and update; on update every field is optional. null clears a nullable
 * field and is refused for the others.
 */
class OfferFieldsDto {
  @IsOptionalNonNull()
  @IsIn(PRICE_MODELS)
  priceModel?: PriceModel;

  @IsOptionalNonNull()
  @IsIn(OFFER_STATUSES)
  status?: OfferStatus;

  @IsOptionalNonNull()
  @IsIn(OFFER_ARTIFACTS)
  artifact?: OfferArtifact;

  /** Catalog prose, which may run over several lines; shortDescription is its one-line form. */
  @IsOptional()
  @IsText(0, OFFER_TEXT_LIMITS.description, 'multi-line')
  description?: string | null;

  @IsOptional()
  @IsText(0, OFFER_TEXT_LIMITS.shortDescription)
  shortDescription?: string | null;

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUrlAddress(OFFER_TEXT_LIMITS.imageUrl, undefined, { each: true })
  images?: string[];

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_POINTS)
  pointsPrice?: number | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS)
  unitCost?: number | null;

  @IsOptional()
  @IsDecimalAmount()
  minAmount?: string | null;

  @IsOptional()
  @IsDecimalAmount()
  maxAmount?: string | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS)
  pointsPerAmountUnit?: number | null;

  @IsOptionalInstant()
  availableFrom?: string | null;

  @IsOptionalInstant()
  expiresAt?: string | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS)
  maxTotal?: number | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS)
  maxPerMember?: number | null;
}

/** POST /v1/offers. */
export class CreateOfferDto extends OfferFieldsDto {
  /** Optional: the catalog's own id (e.g. "offer_123"); the service makes one when left out. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'id must be 1-64 letters, digits, "_" or "-"' })
  id?: string;

  @IsText(1, OFFER_TEXT_LIMITS.title)
  title!: string;

  @IsText(1, OFFER_TEXT_LIMITS.kind)
  kind!: string;

  @IsText(1, OFFER_TEXT_LIMITS.type)
  type!: string;
}

/** PATCH /v1/offers/{id}. */
export class UpdateOfferDto extends OfferFieldsDto {
  @IsOptionalNonNull()
  @IsText(1, OFFER_TEXT_LIMITS.title)
  title?: string;

  @IsOptionalNonNull()
  @IsText(1, OFFER_TEXT_LIMITS.kind)
  kind?: string;

  @IsOptionalNonNull()
  @IsText(1, OFFER_TEXT_LIMITS.type)
  type?: string;
}
