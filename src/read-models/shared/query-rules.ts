import { applyDecorators } from '@nestjs/common';
import { ValidateBy, ValidateIf } from 'class-validator';
import { isIsoInstant } from '../../shared/domain/values';
import { IsExternalUserID } from '../../shared/http/dto-rules';

/**
 * `?externalUserID`: optional. An empty value (`?externalUserID=`, as a client that sends an
 * empty string writes it) passes here and the route decides: a member token's own data
 * (resolveMember, memberFilter), 400 from an org key.
 */
export const IsOptionalExternalUserIDQuery = () =>
  applyDecorators(
    ValidateIf((_object, value) => value !== undefined && value !== null && value !== ''),
    IsExternalUserID(),
  );

/** A calendar date `2024-01-15` (midnight UTC) or an instant with a zone `2024-01-15T10:30:00Z`. */
export function isDateOrInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return isIsoInstant(`${value}T00:00:00Z`);
  return isIsoInstant(value);
}

/** A `+` in a query string decodes as a space (an email's `ada+x@…`, a phone's `+1…`, a zone's `+05:30`). */
export const PLUS_HINT = '(in a query, + is sent as %2B)';

/** A zone such as `+05:30` sent unencoded: its `+` arrives as a space. */
const DECODED_PLUS_ZONE = /\d \d{2}:\d{2}$/;

export const IsDateOrInstant = () =>
  ValidateBy({
    name: 'isDateOrInstant',
    validator: {
      validate: (value) => isDateOrInstant(value),
      defaultMessage: (args) =>
        `$property must be a date (2024-01-15) or an instant with a zone (2024-01-15T10:30:00Z)${
          typeof args?.value === 'string' && DECODED_PLUS_ZONE.test(args.value)
            ? ` ${PLUS_HINT}`
            : ''
        }`,
    },
  });
