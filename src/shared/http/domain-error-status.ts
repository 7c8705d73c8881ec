import { DomainError, DomainErrorCode } from '../domain/domain-error';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../../auth/auth.decorators';
import {
  EventStoreLostEventsError,
  EventStoreUnavailableError,
  StreamUnreadableError,
} from '../../event-store/event-store.errors';
import { ContentionError, IdempotencyKeyReusedError } from '../application/command-executor';
import type { HttpProblem } from './http-error.filter';

/** The HTTP status of each domain error code (docs/api.md). */
export const DOMAIN_ERROR_STATUS: Record<DomainErrorCode, number> = {
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  CONFLICT: 409,
  REDEMPTION_ALREADY_EXISTS: 409,
  REDEMPTION_ALREADY_CANCELED: 409,
  REDEMPTION_FULLY_REVERSED: 409,
  REDEMPTION_NOT_HELD: 409,
  HOLD_ALREADY_APPLIED: 409,
  HOLD_RELEASED: 409,
  HOLD_EXPIRED: 409,
  HOLD_NOT_APPLIED: 409,
  INVALID_STATUS_TRANSITION: 409,
  MEMBER_ARCHIVED: 409,
  WEBHOOK_LIMIT_REACHED: 409,
  INSUFFICIENT_POINTS: 422,
  OFFER_UNAVAILABLE: 422,
};

/**
 * A stream the command needs holds an event this release cannot fold. 503, as for a read model
 * stopped on such an event (READ_MODEL_UNAVAILABLE): not 500, which api.md keeps for bugs, nor a
 * 4xx, which would blame the request and be recorded as its Idempotency-Key's answer. Nothing was
 * written or recorded, so the same request, key and all, succeeds once a release that knows the
 * event runs (or the event is mended); clients retry 5xx. An org key is told which event and why:
 * the streams its requests read are its own tenant's (and the one naming members, which holds no
 * tenant's data). Not the event's position in $all, which counts every tenant's events. A member
 * token is told neither: the reason may quote data the member does not see (an offer's, as the
 * organization wrote it). The log has it all.
 */
function streamUnreadableProblem(error: StreamUnreadableError, request?: FastifyRequest) {
  const problem = { status: 503, code: 'STREAM_UNREADABLE' };
  if ((request as AuthenticatedRequest | undefined)?.principal?.kind !== 'org') {
    return {
      ...problem,
      message:
        'A stream this request needs holds an event this version of the service cannot read; nothing was written',
    };
  }
  const { stream, revision, reason } = error;
  return {
    ...problem,
    message: `The event at revision ${revision} of stream ${stream} cannot be read: ${reason}; nothing was written`,
    details: { stream, revision: String(revision) },
  };
}

/** Maps the errors the application raises to their HTTP answer; the filter handles the rest. */
export function applicationProblem(
  error: unknown,
  request?: FastifyRequest,
): HttpProblem | undefined {
  if (error instanceof StreamUnreadableError) return streamUnreadableProblem(error, request);
  if (error instanceof DomainError) {
    return {
      status: DOMAIN_ERROR_STATUS[error.code],
      code: error.code,
      message: error.message,
      details: error.details,
    };
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return { status: 409, code: 'IDEMPOTENCY_KEY_REUSED', message: error.message };
  }
  if (error instanceof ContentionError)
    return { status: 409, code: 'CONFLICT', message: error.message };
  if (error instanceof EventStoreLostEventsError) {
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message:
        'The event store lost events this service has read: nothing is served or written until it holds them again and the service is restarted',
      // The positions are the operator's, in the log, not a tenant's to see.
      log: error.message,
    };
  }
  if (error instanceof EventStoreUnavailableError) {
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The event store is unavailable; retry with the same Idempotency-Key',
    };
  }
  return undefined;
}
