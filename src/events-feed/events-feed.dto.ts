import { IsString, Matches, ValidateBy, ValidateIf } from 'class-validator';
import { LEDGER_EVENT_TYPES } from './ledger-event-types';

export const FEED_DEFAULT_LIMIT = 100;
export const FEED_MAX_LIMIT = 1000;
export const FEED_MAX_WAIT_SECONDS = 30;

/** Types in a `?types=` list that the feed does not serve (never written, or the service's own records). */
export function unknownTypes(list: string): string[] {
  return list.split(',').filter((type) => !LEDGER_EVENT_TYPES.includes(type));
}

const given = (_object: object, value: unknown) => value !== undefined && value !== '';

/** GET /v1/events: `?after&limit&types&wait`. An empty `after` or `types` counts as not given. */
export class EventsFeedQuery {
  @ValidateIf(given)
  @Matches(/^\d{1,19}$/, { message: 'after must be a position of $all (decimal digits)' })
  after?: string;

  @ValidateIf(given)
  @Matches(/^(1000|[1-9][0-9]{0,2})$/, { message: 'limit must be an integer from 1 to 1000' })
  limit?: string;

  @ValidateIf(given)
  @IsString({ message: 'types must be one comma-separated list' })
  @ValidateBy({
    name: 'ledgerEventTypes',
    validator: {
      validate: (value) => typeof value === 'string' && unknownTypes(value).length === 0,
      defaultMessage: (args) =>
        `types must be types of the events the feed serves (docs/events.md: wallets, offers, webhooks); not among them: ${unknownTypes(String(args?.value)).join(', ')}`,
    },
  })
  types?: string;

  @ValidateIf(given)
  @Matches(/^([0-9]|[12][0-9]|30)$/, { message: 'wait must be an integer from 0 to 30 (seconds)' })
  wait?: string;
}
