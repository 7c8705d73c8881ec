import { applyDecorators } from '@nestjs/common';
import {
  IsEmail,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { DECIMAL_RULE, parseDecimal } from '../../catalog/offer/offer.pricing';
import { fitsLength, isIsoInstant, MAX_TEXT_LENGTH } from '../domain/values';
import { EXTERNAL_USER_ID_PATTERN, EXTERNAL_USER_ID_RULE } from '../domain/external-user-id';
import { PROFILE_TEXT_LIMITS } from '../../ledger/wallet/wallet.events';
import { KeptAsSent } from './validation';

/** A positive whole number of points that JavaScript holds exactly. */
export const IsPoints = () => applyDecorators(IsInt(), Min(1), Max(Number.MAX_SAFE_INTEGER));

export const IsExternalUserID = () =>
  applyDecorators(
    IsString(),
    Length(1, 128),
    Matches(EXTERNAL_USER_ID_PATTERN, { message: `$property must be ${EXTERNAL_USER_ID_RULE}` }),
  );

/**
 * A string of `min` (0 or 1) to `max` characters, counted as the domain counts them (textLength,
 * code points). class-validator's Length counts otherwise (it also skips variation selectors), and
 * a text the edge lets through must not be refused by the domain for its length.
 */
export const IsText = (min: 0 | 1, max: number) =>
  applyDecorators(
    IsString(),
    ValidateBy({
      name: 'isText',
      constraints: [min, max],
      validator: {
        validate: (value) =>
          typeof value === 'string' && value.length >= min && fitsLength(value, max),
        defaultMessage: () =>
          min === 0
            ? `$property must be at most ${max} characters`
            : `$property must be 1-${max} characters`,
      },
    }),
  );

/** Free text (reasons, descriptions): 1 to 500 characters, as seed 002 sets. */
export const IsOptionalFreeText = () => applyDecorators(IsOptional(), IsText(1, MAX_TEXT_LENGTH));

/** May be left out (unchanged), but not null: the field cannot be cleared. */
export const IsOptionalNonNull = () => ValidateIf((_object, value) => value !== undefined);

/** A free JSON object (member attributes), handed to the handler exactly as sent; not null. */
export const IsOptionalJsonObject = () =>
  applyDecorators(IsOptionalNonNull(), IsObject(), KeptAsSent());

/** The domain's own checks, so the edge refuses with a 400 what the domain would refuse later. */
export const IsOptionalInstant = () =>
  applyDecorators(
    IsOptional(),
    ValidateBy({
      name: 'isInstant',
      validator: {
        validate: (value) => isIsoInstant(value),
        defaultMessage: () =>
          '$property must be an ISO-8601 instant with a zone, e.g. 2027-01-01T10:00:00Z',
      },
    }),
  );

/** An amount as a decimal string, "50.00" (seed 002), as the pricing rules read it. */
export const IsDecimalAmount = () =>
  ValidateBy({
    name: 'isDecimalAmount',
    validator: {
      validate: (value) => parseDecimal(value) !== null,
      defaultMessage: () => `$property must be ${DECIMAL_RULE}`,
    },
  });

/** Profile fields a member token exchange and a member upsert share. */
export const IsOptionalDisplayName = () =>
  applyDecorators(IsOptional(), IsText(0, PROFILE_TEXT_LIMITS.displayName));
export const IsOptionalTier = () =>
  applyDecorators(IsOptional(), IsText(0, PROFILE_TEXT_LIMITS.tier));
export const IsOptionalEmail = () =>
  applyDecorators(IsOptional(), IsString(), MaxLength(254), IsEmail());
