import {
  CanActivate,
  ExecutionContext,
  Injectable,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ProjectionRunner } from '../../projections/engine/projection-runner';
import { RETRY_AFTER_SECONDS } from './freshness';

/** Whether the start-up check of the event store against the read models answered and passed. */
@Injectable()
export class StoreCheck {
  passedAtStart = false;
}

/**
 * Holds writes back until the event store is known to be the read models' own, with its events:
 * when the start-up check could not run (EventStoreDB unreachable), until the projections have
 * made it. Writes on a store that lost its events would fork the ledger. Reads are left to
 * Freshness, which waits for the projections anyway.
 */
@Injectable()
export class VerifiedStoreGuard implements CanActivate {
  constructor(
    private readonly check: StoreCheck,
    private readonly projections: ProjectionRunner,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.check.passedAtStart || this.projections.ready) return true;
    const { method } = context.switchToHttp().getRequest<{ method: string }>();
    if (method === 'GET' || method === 'HEAD') return true;
    throw new ServiceUnavailableException({
      code: 'SERVICE_UNAVAILABLE',
      message:
        this.projections.engineError ??
        'The event store has not been checked against the read models yet; retry',
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
}
