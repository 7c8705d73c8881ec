import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import {
  buildMessage,
  IsEmail,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { DECIMAL_RULE, parseDecimal } from '../../catalog/offer/offer.pricing';
import { fitsLength, isIsoInstant, MAX_TEXT_LENGTH } from '../domain/values';
import { EXTERNAL_USER_ID_PATTERN, EXTERNAL_USER_ID_RULE } from '../domain/external-user-id';
import {
  CONTROL_CHARACTERS_RULE,
  hasControlCharacters,
  TextLines,
} from '../domain/control-characters';
import { PROFILE_TEXT_LIMITS } from '../../ledger/wallet/wallet.events';
import { MAX_EMAIL_LENGTH } from '../../ledger/wallet/member-aliases';
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
 * No control characters in a single-line text, none but tab, line feed and carriage return in a
 * multi-line one (control-characters.ts). A value that is no string is left to the type check.
 */
export const HasNoControlCharacters = (
  lines: TextLines = 'single-line',
  options?: ValidationOptions,
) =>
  ValidateBy(
    {
      name: 'hasNoControlCharacters',
      constraints: [lines],
      validator: {
        validate: (value) => typeof value !== 'string' || !hasControlCharacters(value, lines),
        defaultMessage: buildMessage(
          (each) => `${each}$property must ${CONTROL_CHARACTERS_RULE[lines]}`,
          options,
        ),
      },
    },
    options,
  );

/**
 * A string of `min` (0 or 1) to `max` characters, counted as the domain counts them (textLength,
 * code points). class-validator's Length counts otherwise (it also skips variation selectors), and
 * a text the edge lets through must not be refused by the domain for its length. Single-line
 * unless `lines` says otherwise: see HasNoControlCharacters.
 */
export const IsText = (min: 0 | 1, max: number, lines: TextLines = 'single-line') =>
  applyDecorators(
    IsString(),
    HasNoControlCharacters(lines),
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

/**
 * An absolute URL with its protocol (any, or one of `protocols`), single-line, of at most `max`
 * characters counted as the domain counts them. validator's isURL has a cap of its own, 2,083
 * UTF-16 units, which would refuse a URL of non-ASCII characters that the limit allows, and
 * call it no URL: it is switched off.
 */
export const IsUrlAddress = (max: number, protocols?: string[], options?: ValidationOptions) =>
  applyDecorators(
    IsString(options),
    HasNoControlCharacters('single-line', options),
    ValidateBy(
      {
        name: 'isUrlOfLength',
        constraints: [max],
        validator: {
          validate: (value) => typeof value !== 'string' || fitsLength(value, max),
          defaultMessage: buildMessage(
            (each) => `${each}$property must be at most ${max} characters`,
            options,
          ),
        },
      },
      options,
    ),
    IsUrl(
      { require_protocol: true, require_tld: false, validate_length: false, protocols },
      options,
    ),
  );

/** Free text (reasons, descriptions): 1 to 500 characters, as seed 002 sets. */
export const IsOptionalFreeText = (lines: TextLines = 'single-line') =>
  applyDecorators(IsOptional(), IsText(1, MAX_TEXT_LENGTH, lines));

/** May be left out (unchanged), but not null: the field cannot be cleared. */
export const IsOptionalNonNull = () => ValidateIf((_object, value) => value !== undefined);

/** What an array is handed to ValidateNested as: a value it refuses with one plain problem. */
const NOT_AN_OBJECT = 'an array';

/**
 * A nested object (a shipping address), validated by the rules of `type`; left out or null: none.
 * ValidateNested alone would take an array for a list of such objects and validate each item, so an
 * array is handed to it as a string: then any value but an object gets one plain problem.
 */
export const IsOptionalNestedObject = (type: () => new () => object) =>
  applyDecorators(
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? NOT_AN_OBJECT : value)),
    Type(type),
    ValidateNested({ message: '$property must be an object' }),
  );

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
  applyDecorators(
    IsOptional(),
    IsString(),
    MaxLength(MAX_EMAIL_LENGTH),
    IsEmail(),
    HasNoControlCharacters(),
  );
