import { DECIMAL_DIGITS } from '../catalog/offer/offer.pricing';
import { MAX_EXTERNAL_USER_ID_CHARS } from '../shared/domain/external-user-id';
import { closedObject, described, Json } from './openapi.builders';

/** The value schemas requests and answers share, by the name components.schemas gives them. */
export const VALUE_SCHEMAS: Record<string, Json> = {
  ExternalUserID: {
    type: 'string',
    description: "The company's own id of a member: not blank, no control characters.",
    minLength: 1,
    maxLength: MAX_EXTERNAL_USER_ID_CHARS,
    pattern: '^(?!\\s*$)[^\\u0000-\\u001F\\u007F-\\u009F]*$',
  },
  Instant: described(
    'ISO-8601 with a time and a zone. Instants the service makes are UTC with milliseconds; ' +
      'instants a client sends are kept as sent.',
    {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$',
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
