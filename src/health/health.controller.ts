import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { EVENT_STORE_INFO, EventStoreInfo } from '../event-store/event-store.module';
import { lagBehind } from '../projections/engine/checkpoints';
import { ProjectionRunner } from '../projections/engine/projection-runner';

/**
 * Liveness and store status for load balancers; it names no tenant data, so it needs no key.
 * Each projection shows its checkpoint and its lag behind the head of $all; one that stopped on an
 * event (with that event's position and the error) makes the status "degraded" and the answer 503.
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_STORE_INFO) private readonly info: EventStoreInfo,
    @Optional() private readonly projections?: ProjectionRunner,
  ) {}

  @Get()
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const head = await this.store.headPosition();
    const projections = (this.projections?.status() ?? []).map((p) => ({
      name: p.name,
      status: p.status,
      checkpoint: String(p.checkpoint),
      lag: lagBehind(Number(head), p.checkpoint),
      ...(p.error
        ? { error: { position: String(p.error.position), message: p.error.message } }
        : {}),
    }));
    const engineError = this.projections?.engineError ?? null;
    const degraded = projections.some((p) => p.status === 'stopped') || engineError !== null;
    if (degraded) void reply.status(503);
    return {
      status: degraded ? 'degraded' : 'ok',
      eventStore: { kind: this.info.kind, headPosition: head.toString() },
      projections,
      ...(engineError ? { projectionEngine: { error: engineError } } : {}),
    };
  }
}
