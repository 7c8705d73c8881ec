import { EventStore, JsonObject, RecordedEvent } from '../../event-store/event-store.port';
import { parseTenantKey } from '../../auth/tenancy';
import { WEBHOOKS_CATEGORY_PREFIX, walletStreamPrefix } from '../../ledger/streams';
import { isPlainObject } from '../../shared/domain/values';
import {
  subscribesTo,
  WEBHOOK_TEST_EVENT_NAME,
  webhookEventNameOf,
} from '../endpoint/webhook.events';
import { messageIdOf } from '../message-id';
import { WebhookOutbox } from './webhook-outbox';

/** What a webhook POSTs (docs/webhooks.md): the event's data, with the member it concerns. */
export function payloadOf(
  messageId: string,
  type: string,
  event: RecordedEvent,
  environment: string,
): string {
  const meta = event.metadata;
  const data = isPlainObject(event.data) ? (event.data as JsonObject) : {};
  const externalUserID = typeof meta.externalUserID === 'string' ? meta.externalUserID : null;
  return JSON.stringify({
    id: messageId,
    type,
    createdAt: typeof meta.occurredAt === 'string' ? meta.occurredAt : event.created.toISOString(),
    environment: environment === 'live' ? 'LIVE' : 'SANDBOX',
    data: externalUserID === null ? data : { externalUserID, ...data },
  });
}

export interface DispatcherOptions {
  /** Events of $all read per run. */
  batchSize?: number;
  clock?: () => number;
  /** Told when the checkpoint was past the head of $all and was moved back to it. */
  warn?: (message: string) => void;
}

/**
 * Follows $all from its checkpoint in webhooks.db. The webhooks streams' events update the
 * endpoints it knows (registrations, deletions, secret rotations) or its deliveries (resend and
 * test requests); an event a webhook carries adds one delivery per matching registration of its
 * tenant. Both go in one transaction with the checkpoint, so a crash neither loses a delivery
 * nor makes one twice. Registrations are taken in log order: a webhook gets the events after its
 * registration and none after its deletion, whichever replica wrote them.
 */
export class WebhookDispatcher {
  private readonly batchSize: number;
  private readonly clock: () => number;
  private headChecked = false;

  constructor(
    private readonly store: EventStore,
    private readonly outbox: WebhookOutbox,
    private readonly options: DispatcherOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Dispatches the next batch; returns how many events it dispatched. It reads only the streams a
   * webhook may carry: registrations, and the wallets of tenants that have a webhook (none while
   * no tenant has one), so the events of the rest cost SQLite a comparison each and no decoding.
   * The checkpoint moves to the head found first once every such event up to it is read. A batch
   * ends early at a tenant's first registration: the next one reads that tenant's wallets too.
   */
  async runOnce(): Promise<number> {
    if (!this.headChecked) await this.checkHead();
    const after = this.outbox.checkpoint();
    const head = await this.store.headPosition();
    if (head < 0n || (after !== null && after >= head)) return 0;
    const carried = new Set(this.outbox.activeTenants());
    // Inclusive from the checkpoint, which is a real position (EventStoreDB's positions have gaps).
    const read = await this.store.readAll({
      fromPosition: after ?? 'start',
      maxCount: this.batchSize + 1,
      filter: {
        streamNamePrefixes: [WEBHOOKS_CATEGORY_PREFIX, ...[...carried].map(walletStreamPrefix)],
      },
    });
    const fresh = read.filter((e) => after === null || e.position > after);
    const upToHead = fresh.filter((e) => e.position <= head);
    const events = upToHead.slice(0, this.batchSize);
    // The read found no more, or went past the head: every carried event up to the head is here.
    const reachedHead = read.length <= this.batchSize || fresh.length > upToHead.length;
    const allUpToHead = reachedHead && upToHead.length <= this.batchSize;
    const now = this.clock();
    return this.outbox.transaction(() => {
      let done = 0;
      let newTenant = false;
      for (const event of events) {
        this.dispatch(event, now);
        done++;
        // A tenant's first webhook: its wallets were not read, past this event.
        newTenant =
          event.type === 'WebhookRegistered' &&
          this.outbox.activeTenants().some((tenant) => !carried.has(tenant));
        if (newTenant) break;
      }
      const whole = allUpToHead && !newTenant;
      this.outbox.setCheckpoint(whole ? head : events[done - 1].position);
      return done;
    });
  }

  /**
   * A checkpoint past the head of $all means the store lost events (events.db restored from a
   * backup): the positions after the head are written again, by new events, which a checkpoint
   * left there would skip. It moves back to the head.
   */
  private async checkHead(): Promise<void> {
    const head = await this.store.headPosition();
    const checkpoint = this.outbox.checkpoint();
    if (checkpoint !== null && checkpoint > head) {
      this.outbox.setCheckpoint(head);
      this.options.warn?.(
        `webhooks.db had dispatched up to position ${checkpoint}, past the head of $all (${head}): the store lost events (a restore?); dispatching from ${head} on`,
      );
    }
    this.headChecked = true;
  }

  private dispatch(event: RecordedEvent, now: number): void {
    if (event.unreadable !== undefined) return;
    if (event.stream.startsWith(WEBHOOKS_CATEGORY_PREFIX)) return this.webhookEvent(event, now);
    const name = webhookEventNameOf(event.type);
    if (name === undefined) return;
    const { environment, orgId } = event.metadata;
    if (typeof environment !== 'string' || typeof orgId !== 'string') return;
    const tenant = `${environment}.${orgId}`;
    if (!event.stream.startsWith(walletStreamPrefix(tenant))) return;
    for (const endpoint of this.outbox.activeOf(tenant)) {
      if (subscribesTo(endpoint.events, name))
        this.enqueue(tenant, environment, endpoint.id, name, event, now);
    }
  }

  /** One delivery of `event` to one webhook, as message `name`. */
  private enqueue(
    tenant: string,
    environment: string,
    webhookId: string,
    name: string,
    event: RecordedEvent,
    now: number,
  ): void {
    const id = messageIdOf(event.id, webhookId);
    const body = payloadOf(id, name, event, environment);
    this.outbox.enqueue({ id, tenant, webhookId, eventId: event.id, eventType: name, body }, now);
  }

  /** An event of a tenant's webhooks stream: it changes the outbox's endpoints or deliveries. */
  private webhookEvent(event: RecordedEvent, now: number): void {
    const tenant = event.stream.slice(WEBHOOKS_CATEGORY_PREFIX.length);
    const parsed = parseTenantKey(tenant);
    if (!parsed || !isPlainObject(event.data)) return;
    const { webhookId, url, events, deliveryId, secretVersion, rotatedAt } = event.data;
    if (typeof webhookId !== 'string') return;
    switch (event.type) {
      case 'WebhookRegistered':
        if (typeof url === 'string' && Array.isArray(events))
          this.outbox.register(
            tenant,
            webhookId,
            url,
            events.filter((e) => typeof e === 'string'),
          );
        return;
      case 'WebhookDeleted':
        return this.outbox.delete(tenant, webhookId, now);
      case 'WebhookTestRequested':
        // To the one webhook asked for, whatever events it listed, while it is live.
        if (this.outbox.activeOf(tenant).some((endpoint) => endpoint.id === webhookId))
          this.enqueue(tenant, parsed.environment, webhookId, WEBHOOK_TEST_EVENT_NAME, event, now);
        return;
      case 'WebhookSecretRotated': {
        const at = typeof rotatedAt === 'string' ? Date.parse(rotatedAt) : NaN;
        if (Number.isSafeInteger(secretVersion) && Number.isFinite(at))
          this.outbox.rotate(tenant, webhookId, secretVersion as number, at);
        return;
      }
      case 'WebhookDeliveryResendRequested':
        if (typeof deliveryId === 'string') this.outbox.resend(tenant, webhookId, deliveryId, now);
        return;
    }
  }
}
