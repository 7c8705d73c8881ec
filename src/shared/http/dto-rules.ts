import { applyDecorators } from '@nestjs/common';
import {
  IsEmail,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
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

export const IsOptionalInstant = () =>
  applyDecorators(IsOptional(), IsISO8601({ strict: true, strictSeparator: true }));

/** An amount as a decimal string, "50.00" (seed 002). */
export const IsDecimalAmount = () =>
  applyDecorators(
    IsString(),
    Matches(/^\d{1,15}(\.\d{1,6})?$/, {
      message: '$property must be a decimal string such as "50.00"',
    }),
  );

/** Profile fields a member token exchange and a member upsert share. */
export const IsOptionalDisplayName = () =>
  applyDecorators(IsOptional(), IsString(), MaxLength(200));
export const IsOptionalTier = () => applyDecorators(IsOptional(), IsString(), MaxLength(64));
export const IsOptionalEmail = () =>
  applyDecorators(IsOptional(), IsString(), MaxLength(254), IsEmail());
