import { Decision, PlannedAppend } from '../../shared/application/command-executor';
import { DomainError, isDomainError } from '../../shared/domain/domain-error';
import { JsonValue } from '../../event-store/event-store.port';
import { errorOutcome } from '../../shared/http/command-request';

/** A decision that writes nothing and answers with the domain error. */
export function refusal(
  error: DomainError,
  requestId: string,
  appends: PlannedAppend[] = [],
): Decision {
  return { appends, outcome: errorOutcome(error, requestId) };
}

export function accepted(status: number, body: unknown, appends: PlannedAppend[]): Decision {
  return { appends, outcome: { status, body: body as JsonValue } };
}

export { isDomainError };
