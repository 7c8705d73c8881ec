import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  ServiceUnavailableException,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { webhooksPathIn } from '../../config/data-dir-files';
import { openOrRefuseStart } from '../../config/start-refused';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { messageOf } from '../../shared/application/error-message';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookDispatcher } from './webhook-dispatcher';
import { DeliveryRow, WebhookOutbox } from './webhook-outbox';

/** How many of a webhook's latest deliveries GET /v1/webhooks/{id}/deliveries shows. */
export const RECENT_DELIVERIES = 50;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A delivery as the API shows it: what was sent, and how its attempts went. */
export function deliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    eventId: row.event_id,
    type: row.event_type,
    status: row.status.toUpperCase(),
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: iso(row.next_attempt_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** How often the loop looks for new events and due deliveries when it has nothing to do. */
const IDLE_POLL_MS = 200;
/** Finished deliveries are kept this long (for the operator's look at webhooks.db), then pruned. */
const KEEP_FINISHED_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Deliveries pruned in one round at most: a long backlog to forget never holds the loop long. */
const PRUNE_BATCH = 1_000;
/** One line a minute at most while the loop keeps failing (the store down). */
const FAILURE_LOG_EVERY_MS = 60_000;

/**
 * The replica's webhook delivery: one loop that dispatches new events of $all into the outbox and
 * starts the deliveries due, until the app stops. Off with WEBHOOK_DELIVERY=off (a replica that
 * only serves the API); with several replicas, exactly one should deliver (docs/webhooks.md).
 */
@Injectable()
export class WebhookDelivery implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private outbox?: WebhookOutbox;
  private dispatcher?: WebhookDispatcher;
  deliverer?: WebhookDeliverer;
  private running = false;
  private timer?: NodeJS.Timeout;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private lastPrune = 0;
  private lastFailureLog = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  onApplicationBootstrap(): void {
    const { delivery, usingDevelopmentKey } = this.config.webhooks;
    if (!delivery) {
      this.logger.log('WEBHOOK_DELIVERY=off: this replica takes registrations but delivers none');
      return;
    }
    if (usingDevelopmentKey)
      this.logger.warn(
        'WEBHOOK_SIGNING_KEY is not set: webhooks are signed with secrets derived from the published development key (refused when NODE_ENV=production)',
      );
    const path = webhooksPathIn(this.config.dataDir);
    this.outbox = openOrRefuseStart(path, () => WebhookOutbox.open(path));
    this.dispatcher = new WebhookDispatcher(this.store, this.outbox, {
      warn: (message) => this.logger.warn(message),
    });
    this.deliverer = new WebhookDeliverer(this.outbox, {
      signingKey: this.config.webhooks.signingKey,
      publicOnly: this.config.webhooks.publicOnly,
    });
    this.running = true;
    this.loop = this.run();
  }

  /** A webhook's latest deliveries, newest first: kept only by the replica that delivers. */
  recent(tenant: string, webhookId: string) {
    if (!this.outbox) {
      throw new ServiceUnavailableException({
        code: 'SERVICE_UNAVAILABLE',
        message:
          'This replica does not deliver webhooks (WEBHOOK_DELIVERY=off): the one that does keeps their deliveries',
      });
    }
    const rows = this.outbox.deliveriesOf(tenant, webhookId, RECENT_DELIVERIES);
    return { data: rows.map(deliveryView) };
  }

  /**
   * Whether the webhook has that delivery; undefined on a replica that does not deliver, which
   * cannot know (the one that does acts on the request when it reads it).
   */
  holds(tenant: string, webhookId: string, deliveryId: string): boolean | undefined {
    return this.outbox?.holds(tenant, webhookId, deliveryId);
  }

  /** How far the dispatcher has read $all, and the deliveries waiting; null when off. */
  backlog(): { checkpoint: bigint | null; pending: number } | null {
    if (!this.outbox) return null;
    return { checkpoint: this.outbox.checkpoint(), pending: this.outbox.pendingCount() };
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.wakeUp?.();
    await this.loop;
    await this.deliverer?.stop();
    this.outbox?.close();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        busy = await this.step();
      } catch (error) {
        this.failed(error);
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        this.timer = setTimeout(resolve, busy ? 0 : IDLE_POLL_MS);
      });
    }
  }

  /** One round; true when there is more to do at once. */
  private async step(): Promise<boolean> {
    const dispatcher = this.dispatcher!;
    const deliverer = this.deliverer!;
    const read = await dispatcher.runOnce();
    const now = Date.now();
    const started = deliverer.startDue(now, () => this.wakeUp?.());
    for (const attempt of started) attempt.catch((error: unknown) => this.failed(error));
    let pruneLeft = false;
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now; // set first: a prune that throws waits its hour too
      pruneLeft = this.outbox!.prune(now - KEEP_FINISHED_MS, PRUNE_BATCH) === PRUNE_BATCH;
      // A full batch may leave more to prune: the next round goes on at once.
      if (pruneLeft) this.lastPrune = 0;
    }
    return read > 0 || pruneLeft;
  }

  private failed(error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureLog < FAILURE_LOG_EVERY_MS) return;
    this.lastFailureLog = now;
    this.logger.error(`Webhook delivery failed, retrying: ${messageOf(error)}`);
  }
}
