import { Controller, Get, Header, Inject } from '@nestjs/common';
import { OperatorOnly } from '../auth/auth.decorators';
import { EVENT_STORE_INFO, EventStoreInfo } from '../event-store/event-store.module';
import { ServiceStatus } from '../health/service-status';
import { lagBehind } from '../projections/engine/checkpoints';
import { WebhookDelivery } from '../webhooks/delivery/webhook-delivery.service';
import { HttpMetrics } from './http-metrics';
import { PROMETHEUS_CONTENT_TYPE, PrometheusText } from './prometheus-text';

const flag = (on: boolean) => (on ? 1 : 0);

/**
 * GET /metrics: this replica's figures in Prometheus' text format, for an operator key only (as
 * /health's details: they span every tenant). What /health says as numbers (the head of $all,
 * each projection's checkpoint, lag and stop), the HTTP answers by route, and the process's CPU
 * and memory. Positions above 2^53 lose precision here, as any Prometheus sample does.
 */
@OperatorOnly()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly service: ServiceStatus,
    private readonly http: HttpMetrics,
    private readonly webhooks: WebhookDelivery,
    @Inject(EVENT_STORE_INFO) private readonly info: EventStoreInfo,
  ) {}

  @Get()
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  async metrics(): Promise<string> {
    const { head, projections, engineError, fileFailure, degraded } = await this.service.current();
    const text = new PrometheusText()
      .gauge('ledger_info', 'The event store this replica uses.', [
        { labels: { event_store: this.info.kind }, value: 1 },
      ])
      .gauge('ledger_degraded', '1 while /health answers degraded (503).', [
        { value: flag(degraded) },
      ])
      .gauge('ledger_event_store_head_position', 'Position of the last event in $all (-1: none).', [
        { value: Number(head) },
      ])
      .gauge(
        'ledger_projection_checkpoint_position',
        'Position of the last event a projection committed (-1: none).',
        projections.map((p) => ({ labels: { projection: p.name }, value: p.checkpoint })),
      )
      .gauge(
        'ledger_projection_lag_events',
        'Positions between the head of $all and a projection checkpoint.',
        projections.map((p) => ({
          labels: { projection: p.name },
          value: lagBehind(Number(head), p.checkpoint),
        })),
      )
      .gauge(
        'ledger_projection_stopped',
        '1 when a projection stopped on an event it cannot apply (the error is on /health).',
        projections.map((p) => ({
          labels: { projection: p.name },
          value: flag(p.status === 'stopped'),
        })),
      )
      .gauge(
        'ledger_projection_engine_failing',
        '1 while the projections fail to read the store or write the read models.',
        [{ value: flag(engineError !== null) }],
      )
      .gauge(
        'ledger_database_file_failing',
        '1 while a database file failure keeps the replica degraded (the code is on /health).',
        [{ value: flag(fileFailure !== null) }],
      );
    this.http.write(text);
    this.writeWebhookMetrics(text, head);
    writeProcessMetrics(text);
    return text.toString();
  }

  /**
   * Delivery attempts by outcome, and the backlog: how far the dispatcher trails $all, and the
   * deliveries waiting (a receiver down shows as a growing count). None with WEBHOOK_DELIVERY=off.
   */
  private writeWebhookMetrics(text: PrometheusText, head: bigint): void {
    const counts = this.webhooks.deliverer?.counts;
    const backlog = this.webhooks.backlog();
    if (!counts || !backlog) return;
    const dispatched = backlog.checkpoint === null ? -1 : Number(backlog.checkpoint);
    text
      .gauge(
        'ledger_webhook_dispatch_lag_events',
        'Positions between the head of $all and the last one the webhook dispatcher read.',
        [{ value: lagBehind(Number(head), dispatched) }],
      )
      .gauge(
        'ledger_webhook_deliveries_pending',
        'Webhook deliveries waiting for their first attempt or a retry.',
        [{ value: backlog.pending }],
      );
    text.counter(
      'ledger_webhook_deliveries_total',
      'Webhook delivery attempts since start: delivered (2xx), failed (retried later) or gave_up (the last one failed).',
      [
        { labels: { outcome: 'delivered' }, value: counts.delivered },
        { labels: { outcome: 'failed' }, value: counts.failedAttempts - counts.gaveUp },
        { labels: { outcome: 'gave_up' }, value: counts.gaveUp },
      ],
    );
  }
}

/** The conventional process figures: CPU of all the process's threads, memory, start time. */
function writeProcessMetrics(text: PrometheusText): void {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  text
    .counter('process_cpu_user_seconds_total', 'User CPU time of the process, all threads.', [
      { value: cpu.user / 1e6 },
    ])
    .counter('process_cpu_system_seconds_total', 'System CPU time of the process, all threads.', [
      { value: cpu.system / 1e6 },
    ])
    .gauge('process_resident_memory_bytes', 'Resident memory of the process.', [
      { value: memory.rss },
    ])
    .gauge('process_start_time_seconds', 'When the process started, in seconds since the epoch.', [
      { value: Math.round(Date.now() / 1000 - process.uptime()) },
    ])
    .gauge('nodejs_heap_used_bytes', "The request thread's V8 heap in use.", [
      { value: memory.heapUsed },
    ]);
}
