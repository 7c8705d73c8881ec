import { Json, schemaRef } from './openapi.builders';
import { headerRef } from './openapi.parameters';

/** What each error code means, by status and code (docs/api.md, Codes and statuses). */
const MEANINGS = {
  400: {
    BAD_REQUEST:
      'a malformed URL, query or Host; a body that is not JSON, not UTF-8, names a key twice ' +
      'or holds __proto__',
    VALIDATION_FAILED:
      'the body, path, query or Idempotency-Key breaks a field rule (details.fields lists ' +
      'each one), a query parameter is sent twice, or an org key does not name the member',
    INVALID_CURSOR: 'the cursor is not a nextCursor of this list',
  },
  401: { UNAUTHORIZED: 'no valid credential' },
  403: { FORBIDDEN: 'a credential this route does not take' },
  404: { NOT_FOUND: "unknown, or another tenant's or member's" },
  409: {
    IDEMPOTENCY_KEY_REUSED: 'the Idempotency-Key was used for another request',
    CONFLICT:
      'the id exists, or concurrent writes kept conflicting (retry with the same Idempotency-Key)',
    REDEMPTION_ALREADY_EXISTS: 'the member holds maxPerMember redemptions of the offer',
    REDEMPTION_ALREADY_CANCELED: 'the redemption is already canceled',
    REDEMPTION_FULLY_REVERSED:
      'the redemption is fully reversed: nothing is left to reverse or ship',
    REDEMPTION_NOT_HELD: 'the redemption was debited at once: it holds no points',
    HOLD_ALREADY_APPLIED: 'the hold was applied already',
    HOLD_RELEASED: 'the hold was released (or canceled)',
    HOLD_EXPIRED: 'the hold is past its expiresAt (details: expiresAt); nothing was written',
    HOLD_NOT_APPLIED: "the redemption's points are on hold: apply the hold first",
    INVALID_STATUS_TRANSITION: 'the lifecycle does not allow the move (details: from, to)',
    MEMBER_ARCHIVED: 'the member is archived',
    WEBHOOK_LIMIT_REACHED: 'the organization has as many webhooks as it may in this environment',
  },
  413: { PAYLOAD_TOO_LARGE: 'the body is over 1 MiB' },
  415: {
    UNSUPPORTED_MEDIA_TYPE: 'a body that is not application/json in UTF-8, or is compressed',
  },
  422: {
    VALIDATION_FAILED: 'a domain rule refuses the request (details.field names the field)',
    INSUFFICIENT_POINTS: 'the balance is below the cost (details: balance, required)',
    OFFER_UNAVAILABLE: 'the offer cannot be redeemed now (details: offerId, reason)',
  },
  429: { RATE_LIMITED: "the credential's allowance is spent (only where one is set)" },
  500: { INTERNAL: 'a bug, logged with the request id' },
  503: {
    SERVICE_UNAVAILABLE: 'the event store or a database file cannot be used; retry',
    STREAM_UNREADABLE: 'a stream the write needs holds an event this version cannot read',
    READ_MODEL_LAGGING: 'the read models did not catch up within 5 s',
    READ_MODEL_UNAVAILABLE: 'a read model stopped on an event, or the projections are failing',
  },
} as const;

type Meanings = typeof MEANINGS;
export type ErrorStatus = keyof Meanings;
/** The codes a route answers, by status. */
export type ErrorCodes = { [S in ErrorStatus]?: ReadonlyArray<keyof Meanings[S]> };

/** The union of several sets of codes, each status's codes in the order first given. */
export function mergeErrors(...sets: ErrorCodes[]): ErrorCodes {
  const merged: Record<number, string[]> = {};
  for (const set of sets) {
    for (const [status, codes] of Object.entries(set) as Array<[string, string[]]>) {
      const known = (merged[Number(status)] ??= []);
      for (const code of codes) if (!known.includes(code)) known.push(code);
    }
  }
  return merged as ErrorCodes;
}

/** What any route that takes an org key or a member token may answer. */
const ANY_API_ROUTE: ErrorCodes = {
  400: ['VALIDATION_FAILED', 'BAD_REQUEST'],
  401: ['UNAUTHORIZED'],
  403: ['FORBIDDEN'],
  429: ['RATE_LIMITED'],
  500: ['INTERNAL'],
};

/** A write: its body, its Idempotency-Key, the event store. */
export const WRITE_ERRORS = mergeErrors(ANY_API_ROUTE, {
  409: ['IDEMPOTENCY_KEY_REUSED', 'CONFLICT'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  503: ['SERVICE_UNAVAILABLE', 'STREAM_UNREADABLE'],
});

/** A read of the event store itself (the events feed): no read model to wait for. */
export const EVENT_STORE_READ_ERRORS = mergeErrors(ANY_API_ROUTE, {
  503: ['SERVICE_UNAVAILABLE'],
});

/** A read from the read models, which waits until they hold every write answered before it. */
export const READ_ERRORS = mergeErrors(ANY_API_ROUTE, {
  503: ['READ_MODEL_LAGGING', 'READ_MODEL_UNAVAILABLE', 'SERVICE_UNAVAILABLE'],
});

export const PAGED_READ_ERRORS = mergeErrors(READ_ERRORS, { 400: ['INVALID_CURSOR'] });

/** The error shape with `code` held to the codes given. */
export function errorSchema(codes: readonly string[]): Json {
  return {
    allOf: [
      schemaRef('Error'),
      {
        type: 'object',
        properties: { error: { type: 'object', properties: { code: { enum: [...codes] } } } },
      },
    ],
  };
}

/** The headers of an answer: its id always, and those its status or a replay adds. */
export function responseHeaders(status: number, replayable: boolean): Json {
  return {
    'X-Request-Id': headerRef('RequestId'),
    ...(status === 401 ? { 'WWW-Authenticate': headerRef('WwwAuthenticate') } : {}),
    ...(status === 429 ? { 'Retry-After': headerRef('RetryAfter') } : {}),
    ...(status === 503 ? { 'Retry-After': headerRef('RetryAfterWhenKnown') } : {}),
    ...(replayable && isRecorded(status)
      ? { 'Idempotent-Replayed': headerRef('IdempotentReplayed') }
      : {}),
  };
}

/** Answers an Idempotency-Key records and replays: successes and the domain's refusals. */
const isRecorded = (status: number) => status < 300 || [404, 409, 422].includes(status);

/**
 * The error responses of a route, one per status, each naming its codes. `replayable`: the route
 * records its answers under an Idempotency-Key, so a refusal may be a replay.
 */
export function errorResponses(codes: ErrorCodes, replayable: boolean): Record<string, Json> {
  const responses: Record<string, Json> = {};
  const statuses = (Object.keys(codes) as unknown as ErrorStatus[]).map(Number) as ErrorStatus[];
  for (const status of statuses.sort((a, b) => a - b)) {
    const named = (codes[status] ?? []) as ReadonlyArray<string>;
    const meanings = MEANINGS[status] as Record<string, string>;
    responses[status] = {
      description: named.map((code) => `${code}: ${meanings[code]}.`).join(' '),
      headers: responseHeaders(status, replayable),
      content: { 'application/json': { schema: errorSchema(named) } },
    };
  }
  return responses;
}
