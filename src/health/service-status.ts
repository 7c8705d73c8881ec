import { Inject, Injectable, Optional } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { FileFailure, SqliteFileFailures } from '../infrastructure/sqlite/file-failures';
import type { ProjectionStatus } from '../projections/engine/engine-types';
import { ProjectionRunner } from '../projections/engine/projection-runner';

export interface ServiceState {
  /** The head of $all: asking for it is also the liveness check of the store. */
  head: bigint;
  projections: ProjectionStatus[];
  /** The projection engine's last read or commit failure, cleared by its next commit. */
  engineError: string | null;
  fileFailure: FileFailure | null;
  /** A projection stopped on an event, the engine is failing, or a database file failed. */
  degraded: boolean;
}

/** What /health, /health/ready and /metrics report: one reading of the replica's state. */
@Injectable()
export class ServiceStatus {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly fileFailures: SqliteFileFailures,
    @Optional() readonly projections?: ProjectionRunner,
  ) {}

  async current(): Promise<ServiceState> {
    const head = await this.store.headPosition();
    const projections = this.projections?.status() ?? [];
    const engineError = this.projections?.engineError ?? null;
    const fileFailure = this.fileFailures.current();
    const degraded =
      projections.some((p) => p.status === 'stopped') ||
      engineError !== null ||
      fileFailure !== null;
    return { head, projections, engineError, fileFailure, degraded };
  }
}
