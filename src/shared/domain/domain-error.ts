import type { JsonValue } from './values';

export const DOMAIN_ERROR_CODES = [
  'INSUFFICIENT_POINTS',
  'REDEMPTION_ALREADY_EXISTS',
  'OFFER_UNAVAILABLE',
  'INVALID_STATUS_TRANSITION',
  'REDEMPTION_ALREADY_CANCELED',
  'REDEMPTION_FULLY_REVERSED',
  'REDEMPTION_NOT_HELD',
  'HOLD_ALREADY_APPLIED',
  'HOLD_RELEASED',
  'HOLD_EXPIRED',
  'HOLD_NOT_APPLIED',
  'NOT_FOUND',
  'VALIDATION_FAILED',
  'MEMBER_ARCHIVED',
  'CONFLICT',
  'WEBHOOK_LIMIT_REACHED',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export type DomainErrorDetails = { readonly [key: string]: JsonValue };

/** A rule a command broke. Deciders return it; it knows nothing of HTTP. */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: DomainErrorDetails,
  ) {
    super(message);
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

export function validationFailed(message: string, details?: DomainErrorDetails): DomainError {
  return new DomainError('VALIDATION_FAILED', message, details);
}
