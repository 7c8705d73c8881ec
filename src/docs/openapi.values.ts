import { DECIMAL_DIGITS } from '../catalog/offer/offer.pricing';
import { MAX_EXTERNAL_USER_ID_CHARS } from '../shared/domain/external-user-id';
import { closedObject, described, Json, NO_CONTROL } from './openapi.builders';

/** A calendar date, each field within its range (a day past its month's end is left to the code). */
export const DATE_PATTERN = '\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])';
/** `T`, a time of day and a zone: `Z` or an offset. */
export const TIME_PATTERN =
  'T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)';

/** The value schemas requests and answers share, by the name components.schemas gives them. */
export const VALUE_SCHEMAS: Record<string, Json> = {
  ExternalUserID: {
    type: 'string',
    description: "The company's own id of a member: not blank, no control characters.",
    minLength: 1,
    maxLength: MAX_EXTERNAL_USER_ID_CHARS,
    pattern: `^(?!\\s*$)[^${NO_CONTROL}]*$`,
  },
  Instant: described(
    'ISO-8601 with a time and a zone, on a day the calendar has (2027-02-30 is 400). Instants ' +
      'the service makes are UTC with milliseconds; instants a client sends are kept as sent.',
    {
      type: 'string',
      pattern: `^${DATE_PATTERN}${TIME_PATTERN}$`,
      examples: ['2027-06-01T18:00:00Z'],
    },
  ),
  DecimalAmount: described(
    'A decimal string such as "25.50": no sign, exponent or leading zeros.',
    {
      type: 'string',
      pattern: `^(0|[1-9]\\d{0,${DECIMAL_DIGITS.integer - 1}})(\\.\\d{1,${DECIMAL_DIGITS.fraction}})?$`,
      examples: ['25.50'],
    },
  ),
  Cursor: described(
    'The nextCursor of the page before, from the same list; null on the last page.',
    { type: ['string', 'null'] },
  ),
  Currency: closedObject({
    name: { type: 'string', examples: ['Points'] },
    symbol: { type: 'string', examples: ['PTS'] },
  }),
};
