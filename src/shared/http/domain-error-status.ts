import { DomainError, DomainErrorCode } from '../domain/domain-error';
import { EventStoreUnavailableError } from '../../event-store/event-store.errors';
import { ContentionError, IdempotencyKeyReusedError } from '../application/command-executor';
import type { HttpProblem } from './http-error.filter';

/** The HTTP status of each domain error code (docs/api.md). */
export const DOMAIN_ERROR_STATUS: Record<DomainErrorCode, number> = {
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  CONFLICT: 409,
  REDEMPTION_ALREADY_EXISTS: 409,
  REDEMPTION_ALREADY_CANCELED: 409,
  INVALID_STATUS_TRANSITION: 409,
  MEMBER_ARCHIVED: 409,
  INSUFFICIENT_POINTS: 422,
  OFFER_UNAVAILABLE: 422,
};

/** Maps the errors the application raises to their HTTP answer; the filter handles the rest. */
export function applicationProblem(error: unknown): HttpProblem | undefined {
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
  if (error instanceof EventStoreUnavailableError) {
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The event store is unavailable; retry with the same Idempotency-Key',
    };
  }
  return undefined;
}
