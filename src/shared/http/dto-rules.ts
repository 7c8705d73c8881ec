import { applyDecorators } from '@nestjs/common';
import {
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { parseDecimal } from '../../catalog/offer/offer.pricing';
import { isIsoInstant } from '../domain/values';
import { EXTERNAL_USER_ID_PATTERN } from '../../auth/member-token';

/** Free text (reasons, descriptions): at most 500 characters, as seed 002 sets. */
export const MAX_FREE_TEXT = 500;

/** A positive whole number of points that JavaScript holds exactly. */
export const IsPoints = () => applyDecorators(IsInt(), Min(1), Max(Number.MAX_SAFE_INTEGER));

export const IsExternalUserID = () =>
  applyDecorators(
    IsString(),
    Length(1, 128),
    Matches(EXTERNAL_USER_ID_PATTERN, { message: '$property must not contain control characters' }),
  );

export const IsOptionalFreeText = () =>
  applyDecorators(IsOptional(), IsString(), MaxLength(MAX_FREE_TEXT));

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
      defaultMessage: () => '$property must be a decimal string such as "50.00"',
    },
  });

/** Profile fields a member token exchange and a member upsert share. */
export const IsOptionalDisplayName = () =>
  applyDecorators(IsOptional(), IsString(), MaxLength(200));
export const IsOptionalTier = () => applyDecorators(IsOptional(), IsString(), MaxLength(64));
export const IsOptionalEmail = () =>
  applyDecorators(IsOptional(), IsString(), MaxLength(254), IsEmail());
