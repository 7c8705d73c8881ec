import { PROFILE_TEXT_LIMITS, REDEMPTION_STATUSES } from '../ledger/wallet/wallet.events';
import { MAX_EMAIL_LENGTH } from '../ledger/wallet/member-aliases';
import { INTERVALS } from '../projections/analytics/buckets';
import { DEFAULT_LIMIT } from '../read-models/shared/paging';
import {
  FEED_DEFAULT_LIMIT,
  FEED_MAX_LIMIT,
  FEED_MAX_WAIT_SECONDS,
} from '../events-feed/events-feed.dto';
import { LEDGER_EVENT_TYPES } from '../events-feed/ledger-event-types';
import { enumOf, Json, NO_CONTROL, schemaRef, text } from './openapi.builders';
import { COUPON_CODE_ANY_CASE } from '../ledger/streams';
import { DATE_PATTERN, TIME_PATTERN } from './openapi.values';

export const parameterRef = (name: string): Json => ({
  $ref: `#/components/parameters/${name}`,
});
export const headerRef = (name: string): Json => ({ $ref: `#/components/headers/${name}` });

const query = (name: string, description: string, schema: Json, required = false): Json => ({
  name,
  in: 'query',
  description,
  required,
  schema,
});

/** A filter whose empty value (`?name=`) counts as not given. */
const orEmpty = (schema: Json): Json => ({ anyOf: [schema, { const: '' }] });

/** Lookup aliases: an empty one is a 400, never "not given" (docs/api.md, member lookup). */
const ALIAS_HINT = 'Send a + as %2B.';

export const PARAMETERS: Record<string, Json> = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    description:
      'A retry with the same key and request replays the first answer (Idempotent-Replayed: ' +
      'true); the same key with another request is 409 IDEMPOTENCY_KEY_REUSED. Keys do not expire.',
    required: false,
    schema: { type: 'string', pattern: '^[!-~]{1,255}$' },
  },
  RequestId: {
    name: 'X-Request-Id',
    in: 'header',
    description:
      'Kept when 1-128 of A-Z a-z 0-9 . _ : - (otherwise replaced by a UUID, never refused).',
    required: false,
    schema: { type: 'string' },
  },
  Limit: query('limit', 'Page size.', {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: DEFAULT_LIMIT,
  }),
  // Not `Cursor`, the schema's name: generators that put both in one namespace would clash.
  CursorQuery: query(
    'cursor',
    'The nextCursor of the page before (same route and filters; else 400 INVALID_CURSOR). ' +
      'Empty: the first page.',
    { type: 'string' },
  ),
  ExternalUserIDQuery: query(
    'externalUserID',
    'The member. Required of an org key where the route acts on one member; a member token may ' +
      'name only its own (404 otherwise). Empty: not given for a member token, 400 from an org key.',
    orEmpty(schemaRef('ExternalUserID')),
  ),
  RedemptionStatusQuery: query(
    'status',
    'Only redemptions in this status.',
    enumOf(REDEMPTION_STATUSES),
  ),
  OfferIdQuery: query('offerId', "Only this offer's redemptions.", text(1, 64)),
  CouponCodeQuery: query(
    'couponCode',
    'The redemption behind a coupon code, as a checkout finds it; any case. A code of another ' +
      'member, for a member token, or of no redemption: an empty page.',
    { type: 'string', pattern: COUPON_CODE_ANY_CASE.source },
  ),
  TierQuery: query(
    'tier',
    'Members whose summary shows this tier, exactly ("default" matches those without one). ' +
      'Empty: not given.',
    text(0, PROFILE_TEXT_LIMITS.tier),
  ),
  EmailQuery: query(
    'email',
    `Members with this email, its ASCII letters in any case. ${ALIAS_HINT}`,
    {
      type: 'string',
      maxLength: MAX_EMAIL_LENGTH,
      pattern: `^[^\\s@${NO_CONTROL}]+@[^\\s@${NO_CONTROL}]+\\.[^\\s@${NO_CONTROL}]+$`,
    },
  ),
  PhoneQuery: query('phone', `Members with this E.164 phone, exactly. ${ALIAS_HINT}`, {
    type: 'string',
    pattern: '^\\+[1-9]\\d{1,14}$',
  }),
  PosAccountIdQuery: query(
    'posAccountId',
    'Members with this POS account id, exactly. Not blank.',
    {
      type: 'string',
      maxLength: PROFILE_TEXT_LIMITS.posAccountId,
      pattern: `^(?!\\s*$)[^${NO_CONTROL}]*$`,
    },
  ),
  RetainBalanceQuery: query(
    'retainBalance',
    'false: the whole balance is forfeited (debited); true: it is kept.',
    { type: 'boolean', default: false },
  ),
  FromQuery: query(
    'from',
    'A date (midnight UTC) or an instant with a zone, on a day the calendar has; before to.',
    dateOrInstant(),
    true,
  ),
  ToQuery: query('to', 'A date (midnight UTC) or an instant with a zone.', dateOrInstant(), true),
  IntervalQuery: query('interval', 'Bucket size; empty: day.', {
    ...orEmpty(enumOf(INTERVALS)),
    default: 'day',
  }),
  FeedAfter: query(
    'after',
    'A position of $all (decimal digits), exclusive: a nextCursor of this route. Absent or ' +
      'empty: from the first event. Past the head: an empty page, caught up.',
    { type: 'string', pattern: '^(\\d{1,19})?$' },
  ),
  FeedLimit: query('limit', 'Events a page holds, at most.', {
    type: 'integer',
    minimum: 1,
    maximum: FEED_MAX_LIMIT,
    default: FEED_DEFAULT_LIMIT,
  }),
  FeedTypes: query(
    'types',
    'Only events of these types, comma-separated, each a ledger event type (docs/events.md). ' +
      'Empty: every type.',
    {
      type: 'string',
      pattern: `^((${LEDGER_EVENT_TYPES.join('|')})(,(${LEDGER_EVENT_TYPES.join('|')}))*)?$`,
    },
  ),
  FeedWait: query(
    'wait',
    'Seconds to wait for the next event when the page would be empty and caught up (long-poll).',
    { type: 'integer', minimum: 0, maximum: FEED_MAX_WAIT_SECONDS, default: 0 },
  ),
  ExternalUserIDPath: {
    name: 'externalUserID',
    in: 'path',
    required: true,
    description: 'URL-encoded.',
    schema: schemaRef('ExternalUserID'),
  },
  IdPath: {
    name: 'id',
    in: 'path',
    required: true,
    description: "URL-encoded. Unknown, or not the caller's: 404.",
    schema: text(1, 64),
  },
  DeliveryIdPath: {
    name: 'deliveryId',
    in: 'path',
    required: true,
    description: "A delivery's id (its webhook-id), as the deliveries list shows it.",
    schema: { type: 'string', pattern: '^msg_[0-9a-f]{32}$' },
  },
};

function dateOrInstant(): Json {
  return {
    type: 'string',
    pattern: `^${DATE_PATTERN}(${TIME_PATTERN})?$`,
    examples: ['2027-01-01', '2027-01-01T10:30:00Z'],
  };
}

export const HEADERS: Record<string, Json> = {
  RequestId: {
    description: "The caller's X-Request-Id when it sent a safe one, else a UUID.",
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  },
  IdempotentReplayed: {
    description: 'Sent on an answer replayed for a repeated Idempotency-Key.',
    required: false,
    schema: { type: 'string', const: 'true' },
  },
  RetryAfter: {
    description: 'Seconds until a retry (with the same Idempotency-Key) may succeed.',
    required: true,
    schema: { type: 'integer', minimum: 1 },
  },
  RetryAfterWhenKnown: {
    description:
      'Seconds until a retry may succeed, when the service knows (a lagging read, a shutdown).',
    required: false,
    schema: { type: 'integer', minimum: 1 },
  },
  WwwAuthenticate: {
    required: true,
    schema: { type: 'string', const: 'Bearer realm="points-ledger"' },
  },
};

export const SECURITY_SCHEMES: Record<string, Json> = {
  orgKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'expys_sandbox_<random> or expys_live_<random>',
    description:
      "An organization's API key: the whole organization, in the key's environment (docs/auth.md).",
  },
  memberToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'mt_<payload>.<signature>',
    description: 'A member token from POST /v1/auth/exchange: that one member only.',
  },
  operatorKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'pl_operator_<random>',
    description:
      'An operator key (OPERATOR_API_KEYS): /metrics, /docs and the details of /health only.',
  },
  apiKeyHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description:
      'Any of the credentials above in place of Authorization: Bearer (a well-formed Bearer wins).',
  },
};

/** Who may call a route, as OpenAPI security requirements (alternatives). */
export const SECURITY = {
  /** An org key only; a member token is 403. */
  orgOnly: [{ orgKey: [] }, { apiKeyHeader: [] }],
  /** An org key or a member token. */
  orgOrMember: [{ orgKey: [] }, { memberToken: [] }, { apiKeyHeader: [] }],
  operatorOnly: [{ operatorKey: [] }, { apiKeyHeader: [] }],
  /** No credential needed; one that is sent is checked (a wrong one is 401). */
  public: [{}],
  /** No credential needed; an operator key shows more. */
  publicOrOperator: [{}, { operatorKey: [] }, { apiKeyHeader: [] }],
  /** Any valid credential: an org key, a member token or an operator key. */
  anyCredential: [{ orgKey: [] }, { memberToken: [] }, { operatorKey: [] }, { apiKeyHeader: [] }],
} as const;
