import { messageOf } from '../../shared/application/error-message';
import { signatureOf, signingSecretOf } from '../webhook-signing';
import { DeliveryRow, EndpointRow, webhookKey, WebhookOutbox } from './webhook-outbox';
import { PREVIOUS_SECRET_VALID_MS } from '../endpoint/webhook.events';
import { DestinationRefused, postWebhook, Resolver } from './webhook-request';

/**
 * Waits after each failed attempt, counted from its end: the 7th attempt, about 10 h 36 min after
 * the first, is the last.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  10_000,
  60_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  8 * 3_600_000,
];

export interface DelivererOptions {
  signingKey: string;
  /** Send to public addresses only (WEBHOOK_PRIVATE_DESTINATIONS=deny). */
  publicOnly?: boolean;
  /** How destination names are resolved; dns.lookup unless a test says otherwise. */
  resolve?: Resolver;
  schedule?: readonly number[];
  /** An attempt that has no answer in this time failed. */
  timeoutMs?: number;
  /** Requests under way at once, over every webhook. */
  maxInFlight?: number;
  /** Requests under way at once to one webhook: a receiver that hangs holds no more slots. */
  maxPerWebhook?: number;
  /** Requests under way at once for one tenant's webhooks: the rest stay for other tenants. */
  maxPerTenant?: number;
  /** The time the signature's webhook-timestamp states (seconds are taken of it). */
  clock?: () => number;
}

export interface DeliveryCounts {
  delivered: number;
  failedAttempts: number;
  gaveUp: number;
}

/**
 * Sends the outbox's due deliveries: a POST of the stored body, signed as Standard Webhooks
 * signs (webhook-id, webhook-timestamp, webhook-signature). A 2xx is delivered; anything else, a
 * redirect, a network error or no answer within the timeout is a failed attempt, tried again
 * after the schedule's next wait, and given up once the schedule is spent. A delivery whose
 * webhook was deleted meanwhile is dropped, not sent.
 */
export class WebhookDeliverer {
  readonly counts: DeliveryCounts = { delivered: 0, failedAttempts: 0, gaveUp: 0 };
  /** Whether it sends to public addresses only. */
  readonly publicOnly: boolean;
  private readonly schedule: readonly number[];
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly maxPerWebhook: number;
  private readonly maxPerTenant: number;
  /** Attempts under way by webhook (webhookKey) and by tenant. */
  private readonly byWebhook = new UnderWay();
  private readonly byTenant = new UnderWay();
  /** The turn in which each webhook last started an attempt: the order slots are handed out in. */
  private readonly lastTurn = new Map<string, number>();
  private turns = 0;
  private readonly clock: () => number;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly options: DelivererOptions,
  ) {
    this.publicOnly = options.publicOnly ?? false;
    this.schedule = options.schedule ?? RETRY_SCHEDULE_MS;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxInFlight = options.maxInFlight ?? 16;
    this.maxPerWebhook = options.maxPerWebhook ?? 4;
    this.maxPerTenant = options.maxPerTenant ?? 8;
    this.clock = options.clock ?? Date.now;
  }

  get busy(): number {
    return this.inFlight.size;
  }

  /** Starts the deliveries due at `nowMs` that fit beside those under way; resolves when they end. */
  async runOnce(nowMs = this.clock()): Promise<number> {
    const started = this.startDue(nowMs);
    await Promise.all(started);
    return started.length;
  }

  /**
   * As runOnce, without waiting: the attempts' promises, each settled once its row is updated.
   * Webhook by webhook, in turns: the one that started an attempt longest ago (or never) first, so
   * that webhooks with a backlog, or whose receivers hang, take their turns after the others and
   * not before every one of them. At most maxPerWebhook under way per webhook and maxPerTenant per
   * tenant: one tenant's receivers never hold every slot.
   */
  startDue(nowMs = this.clock(), onSettled?: () => void): Array<Promise<void>> {
    if (this.stopping.signal.aborted) return [];
    const started: Array<Promise<void>> = [];
    // Each webhook's key and turn found once, not in every comparison of the sort (a stable one:
    // among equal turns, the one due longest stays first).
    const due = this.outbox
      .dueWebhooks(nowMs)
      .map((webhook) => {
        const key = webhookKey(webhook.tenant, webhook.webhookId);
        return { webhook, key, turn: this.lastTurn.get(key) ?? 0 };
      })
      .sort((a, b) => a.turn - b.turn);
    for (const { webhook, key } of due) {
      const room = this.maxInFlight - this.inFlight.size;
      if (room <= 0) break;
      const busy = this.byWebhook.of(key);
      const quota = Math.min(
        this.maxPerWebhook - busy,
        this.maxPerTenant - this.byTenant.of(webhook.tenant),
        room,
      );
      if (quota <= 0) continue;
      let taken = 0;
      for (const row of this.outbox.dueOf(webhook, nowMs, quota + busy)) {
        if (taken === quota) break;
        if (this.inFlight.has(row.id)) continue;
        started.push(this.start(row, key, nowMs, onSettled));
        taken++;
      }
    }
    return started;
  }

  private start(row: DeliveryRow, key: string, nowMs: number, onSettled?: () => void) {
    this.byWebhook.add(key);
    this.byTenant.add(row.tenant);
    this.lastTurn.set(key, ++this.turns);
    const attempt = this.attempt(row, nowMs)
      .catch((error: unknown) => {
        // An attempt that threw recorded nothing (its row stays due): the outbox must look again.
        // One that ended recorded its outcome, and retryAt its next due time, through the outbox.
        this.outbox.dueBy(row.tenant, row.webhook_id, nowMs);
        throw error;
      })
      .finally(() => {
        this.inFlight.delete(row.id);
        this.byWebhook.remove(key);
        this.byTenant.remove(row.tenant);
        onSettled?.();
      });
    this.inFlight.set(row.id, attempt);
    return attempt;
  }

  /** Resolves once the attempts under way now have ended and updated their rows. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * Aborts the requests under way and waits for them: an aborted attempt is not counted, so its
   * delivery stays due and is sent again after a restart (at least once).
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async attempt(row: DeliveryRow, nowMs: number): Promise<void> {
    const endpoint = this.outbox.endpoint(row.tenant, row.webhook_id);
    if (!endpoint) return this.outbox.cancel(row.id, nowMs);
    const startedAt = this.clock();
    // The attempt's outcome is recorded, and its retry waited for, from when it ended: a receiver
    // that timed out gets the schedule's whole wait before the next try, not 10 s less.
    const endedAt = () => nowMs + Math.max(0, this.clock() - startedAt);
    const timestamp = Math.floor(startedAt / 1000);
    const signature = this.signatures(row, endpoint, timestamp);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let failure: string;
    try {
      const status = await postWebhook({
        url: endpoint.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'points-ledger-webhooks',
          'webhook-id': row.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        },
        body: row.body,
        signal: AbortSignal.any([timeout, this.stopping.signal]),
        publicOnly: this.publicOnly,
        resolve: this.options.resolve,
      });
      if (status >= 200 && status < 300) {
        this.outbox.delivered(row.id, endedAt());
        this.counts.delivered++;
        return;
      }
      failure = `HTTP ${status}`;
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      failure = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : describeFailure(error);
    }
    this.failed(row, failure, endedAt());
  }

  /**
   * Signed with the current secret and, for PREVIOUS_SECRET_VALID_MS after a rotation, with the
   * previous one too, space-separated as Standard Webhooks allows: a receiver still holding the
   * old secret verifies while it moves to the new one.
   */
  private signatures(row: DeliveryRow, endpoint: EndpointRow, timestamp: number): string {
    const sign = (version: number) =>
      signatureOf(
        signingSecretOf(this.options.signingKey, row.tenant, row.webhook_id, version),
        row.id,
        timestamp,
        row.body,
      );
    const { secretVersion, rotatedAt } = endpoint;
    const previousValid =
      secretVersion > 1 &&
      rotatedAt !== null &&
      timestamp * 1000 < rotatedAt + PREVIOUS_SECRET_VALID_MS;
    return previousValid
      ? `${sign(secretVersion)} ${sign(secretVersion - 1)}`
      : sign(secretVersion);
  }

  private failed(row: DeliveryRow, failure: string, nowMs: number): void {
    this.counts.failedAttempts++;
    // A delivery sent again on request gets that one attempt, not the schedule again.
    const wait = row.resend ? undefined : this.schedule[row.attempts];
    if (wait === undefined) {
      this.outbox.gaveUp(row.id, failure, nowMs);
      this.counts.gaveUp++;
    } else {
      this.outbox.retryAt(row, nowMs + wait, failure, nowMs);
    }
  }
}

/** How many attempts are under way, by key. */
class UnderWay {
  private readonly counts = new Map<string, number>();

  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  add(key: string): void {
    this.counts.set(key, this.of(key) + 1);
  }

  remove(key: string): void {
    const left = this.of(key) - 1;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }
}

/** A refused destination says why; a network error by its code (ECONNREFUSED, ...). */
function describeFailure(error: unknown): string {
  if (error instanceof DestinationRefused) return `refused: ${error.message}`;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return messageOf(error).slice(0, 200);
}
