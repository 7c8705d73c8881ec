import { Json } from '../openapi.builders';
import { EVENT_STORE_READ_ERRORS } from '../openapi.errors';
import { operation } from '../openapi.operation';
import { SECURITY } from '../openapi.parameters';

/** The events feed (docs/api.md, GET /v1/events): an org key only, its own tenant's events. */
export const EVENT_PATHS: Record<string, Json> = {
  '/v1/events': {
    get: operation({
      operationId: 'listEvents',
      tag: 'Events',
      summary: "The tenant's ledger events, in $all order, from a position",
      description:
        "The events of the wallets, offers and webhook registrations of the key's organization " +
        'and environment, after `after`. One request looks at a bounded window of $all ' +
        '(EVENTS_FEED_WINDOW events): a page may be empty with caughtUp false, and the ' +
        'client asks again from nextCursor at once. With wait, a request that finds nothing ' +
        'new at the head waits up to that many seconds for the next event.',
      security: SECURITY.orgOnly,
      parameters: ['FeedAfter', 'FeedLimit', 'FeedTypes', 'FeedWait'],
      success: { status: 200, description: 'A page of events.', schema: 'EventsPage' },
      errors: EVENT_STORE_READ_ERRORS,
    }),
  },
};
