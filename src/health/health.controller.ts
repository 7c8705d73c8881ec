import { Controller, Get, Inject, OnApplicationBootstrap, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, Public } from '../auth/auth.decorators';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { EVENT_STORE_INFO, EventStoreInfo } from '../event-store/event-store.module';
import { lagBehind } from '../projections/engine/checkpoints';
import { readinessOf } from './readiness';
import { ServiceStatus } from './service-status';

/**
 * Liveness, readiness and store status, for load balancers and operators. Anyone gets `status`
 * ("ok", or "degraded" with 503 when a projection stopped on an event or a request met a database
 * file that cannot be used); an operator key (OPERATOR_API_KEYS) also gets the head of $all, each
 * projection's checkpoint, lag and error, and the file failure. Those are the deployment's, across
 * tenants, and an error may quote any tenant's event: not for members, nor for organizations.
 */
@Public()
@Controller('health')
export class HealthController implements OnApplicationBootstrap {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_STORE_INFO) private readonly info: EventStoreInfo,
    private readonly service: ServiceStatus,
  ) {}

  /**
   * The head of $all when the service started: the catch-up a replica makes once. Taken then, not
   * at the first readiness question, which may come long after, under load: the head it found then
   * ran a live commit ahead of the projections, and a replica caught up since its start said
   * "starting". Asked without holding the start up: a question that comes before the store has
   * answered, or after it failed to, takes the head it finds.
   */
  private startHead: number | undefined;

  onApplicationBootstrap(): void {
    void this.store.headPosition().then(
      (head) => (this.startHead ??= Number(head)),
      () => undefined,
    );
  }

  @Get()
  async health(
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { head, projections, engineError, fileFailure, degraded } = await this.service.current();
    if (degraded) void reply.status(503);
    const status = degraded ? 'degraded' : 'ok';
    if (!request.operator) return { status };
    return {
      status,
      eventStore: { kind: this.info.kind, headPosition: head.toString() },
      projections: projections.map((p) => ({
        name: p.name,
        status: p.status,
        checkpoint: String(p.checkpoint),
        lag: lagBehind(Number(head), p.checkpoint),
        ...(p.error
          ? { error: { position: String(p.error.position), message: p.error.message } }
          : {}),
      })),
      ...(engineError ? { projectionEngine: { error: engineError } } : {}),
      ...(fileFailure ? { fileFailure } : {}),
    };
  }

  /** 200 `ready`, or 503 `starting` (read models catching up) or `degraded` (as /health). */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const { head, projections, degraded } = await this.service.current();
    this.startHead ??= Number(head);
    const status = readinessOf({
      degraded,
      verified: this.service.projections?.ready ?? true,
      checkpoints: projections.map((p) => p.checkpoint),
      startHead: this.startHead,
    });
    if (status !== 'ready') void reply.status(503);
    return { status };
  }
}
