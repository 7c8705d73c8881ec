import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  HasNoControlCharacters,
  IsDecimalAmount,
  IsExternalUserID,
  IsOptionalFreeText,
  IsOptionalInstant,
  IsOptionalNestedObject,
  IsText,
  IsUrlAddress,
} from '../../shared/http/dto-rules';
import { isPlainObjectWithin } from '../../shared/http/validation';
import { hasControlCharacters } from '../../shared/domain/control-characters';
import { EXTERNAL_USER_ID_PATTERN } from '../../shared/domain/external-user-id';
import { REDEMPTION_STATUSES, RedemptionStatus } from '../wallet/wallet.events';
import { FULFILMENT_LIMITS } from '../wallet/wallet.fulfilment';
import { HOLD_LIMITS } from '../wallet/wallet.holds';

export class ShippingDto {
  @IsText(1, 200)
  name!: string;

  @IsText(1, 200)
  line1!: string;

  @IsOptional()
  @IsText(1, 200)
  line2?: string | null;

  @IsText(1, 100)
  city!: string;

  @IsOptional()
  @IsText(1, 100)
  region?: string | null;

  @IsText(1, 20)
  postalCode!: string;

  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as "NO"' })
  country!: string;
}

/** POST /v1/redemptions: Expys v1's `{ offer, externalUserID? }` plus the other vendors' fields. */
export class CreateRedemptionDto {
  @IsString()
  @Length(1, 64)
  @HasNoControlCharacters()
  offer!: string;

  @IsOptional()
  @IsExternalUserID()
  externalUserID?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity?: number;

  @IsOptional()
  @IsDecimalAmount()
  amount?: string;

  /** A note, which may run over several lines (a gift message). */
  @IsOptionalFreeText('multi-line')
  description?: string;

  @IsOptionalNestedObject(() => ShippingDto)
  shipping?: ShippingDto;

  /** Seed 003: hold the points until the redemption is applied, instead of debiting them now. */
  @IsOptional()
  @IsBoolean()
  delayPointsDeduction?: boolean | null;

  /** With delayPointsDeduction only; in the future, at most 30 days ahead (the decider checks). */
  @IsOptionalInstant()
  holdExpiresAt?: string | null;

  private static readonly FAST_FIELDS = new Set(['offer', 'externalUserID', 'quantity']);

  /**
   * The usual body, `{ offer, externalUserID?, quantity? }` with valid values, without
   * class-validator (the rules above still decide everything else, shipping always; see
   * validation.ts).
   */
  static acceptFast(body: unknown): CreateRedemptionDto | undefined {
    if (!isPlainObjectWithin(body, CreateRedemptionDto.FAST_FIELDS)) return undefined;
    const { offer, externalUserID, quantity } = body;
    const absent = (field: string) => !Object.hasOwn(body, field);
    const valid =
      typeof offer === 'string' &&
      offer.length >= 1 &&
      offer.length <= 64 &&
      !hasControlCharacters(offer) &&
      (absent('externalUserID') ||
        (typeof externalUserID === 'string' &&
          externalUserID.length <= 128 &&
          EXTERNAL_USER_ID_PATTERN.test(externalUserID))) &&
      (absent('quantity') ||
        (typeof quantity === 'number' &&
          Number.isInteger(quantity) &&
          quantity >= 1 &&
          quantity <= 1_000_000));
    return valid ? Object.assign(new CreateRedemptionDto(), body) : undefined;
  }
}

/** A held redemption's order or payment went through. */
export class ApplyHoldDto {
  @IsOptional()
  @IsText(1, HOLD_LIMITS.reference)
  reference?: string | null;
}

/** A held redemption given up. */
export class ReleaseHoldDto {
  @IsOptionalFreeText()
  reason?: string;
}

export class CancelRedemptionDto {
  @IsOptionalFreeText()
  reason?: string;
}

/** Leave out units and amount to reverse the whole remainder; a FIXED redemption takes neither. */
export class ReverseRedemptionDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  units?: number;

  @IsOptional()
  @IsDecimalAmount()
  amount?: string;

  @IsOptionalFreeText()
  reason?: string;
}

/** Seed 004's fulfill: the tracking of a FULFILMENT redemption. Blank values are 422 (domain). */
export class FulfilRedemptionDto {
  @IsText(1, FULFILMENT_LIMITS.trackingNumber)
  trackingNumber!: string;

  @IsOptional()
  @IsText(1, FULFILMENT_LIMITS.carrier)
  carrier?: string | null;

  @IsOptional()
  @IsUrlAddress(FULFILMENT_LIMITS.trackingUrl, ['http', 'https'])
  trackingUrl?: string | null;
}

export class ChangeStatusDto {
  @IsIn(REDEMPTION_STATUSES)
  status!: RedemptionStatus;

  @IsOptionalInstant()
  startAt?: string | null;

  @IsOptionalInstant()
  endAt?: string | null;
}

export class RedemptionPathParams {
  @IsString()
  @Length(1, 64)
  @HasNoControlCharacters()
  id!: string;
}
