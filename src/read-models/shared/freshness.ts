import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { ProjectionRunner } from '../../projections/engine/projection-runner';
import {
  EngineStoppedError,
  ProjectionLagError,
  ProjectionsFailingError,
  ProjectionStoppedError,
} from '../../projections/engine/waiters';
import { READ_YOUR_WRITES_TIMEOUT_MS } from './tokens';

/** Seconds a client should wait before retrying a read that answered 503 (lagging, shutting down). */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Read-your-writes: before a read, wait until the projections it uses have committed the store's
 * head as it is now. A write answered before this read started is at or below that head, so the
 * read sees it. The engine resolves the wait on the commit that reaches it (no polling).
 */
@Injectable()
export class Freshness {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly engine: ProjectionRunner,
  ) {}

  async of(projections: readonly string[]): Promise<void> {
    const head = Number(await this.store.headPosition());
    try {
      await this.engine.waitFor(projections, head, READ_YOUR_WRITES_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof ProjectionStoppedError) {
        throw new ServiceUnavailableException({
          code: 'READ_MODEL_UNAVAILABLE',
          message: `The ${error.projection} read model stopped on an event it cannot apply; see /health`,
          // Neither the error, which may quote any tenant's event, nor the position in $all, which
          // counts every tenant's writes: /health shows both to an operator key.
          details: { projection: error.projection },
        });
      }
      if (error instanceof ProjectionsFailingError) {
        throw new ServiceUnavailableException({
          code: 'READ_MODEL_UNAVAILABLE',
          message:
            'The read models cannot be brought up to date: the projections are failing; see /health',
          // Not the failure itself (a database or store error): /health shows it to an operator key.
          details: { projections: [...error.projections] },
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        });
      }
      if (error instanceof ProjectionLagError) {
        throw new ServiceUnavailableException({
          code: 'READ_MODEL_LAGGING',
          message: `The read models did not catch up with the latest writes within ${READ_YOUR_WRITES_TIMEOUT_MS} ms; retry`,
          details: { projections: [...error.projections] },
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        });
      }
      if (error instanceof EngineStoppedError) {
        throw new ServiceUnavailableException({
          code: 'SERVICE_UNAVAILABLE',
          message: 'The service is shutting down; retry',
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        });
      }
      throw error;
    }
  }
}
