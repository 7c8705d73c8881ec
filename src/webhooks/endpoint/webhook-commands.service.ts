import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Aggregates } from '../../ledger/application/aggregates';
import { accepted, isDomainError, refusal } from '../../ledger/application/decisions';
import { newWebhookId, webhooksStream } from '../../ledger/streams';
import { ExecutionResult } from '../../shared/application/command-executor';
import { CommandRequest, eventContext } from '../../shared/http/command-request';
import { Tenant } from '../../auth/principal';
import { tenantKey } from '../../auth/tenancy';
import { decideWebhooks } from './webhook.decider';
import {
  PREVIOUS_SECRET_VALID_MS,
  WEBHOOK_TEST_EVENT_NAME,
  WebhookCommand,
} from './webhook.events';
import { EventData } from '../../event-store/event-store.port';
import { messageIdOf } from '../message-id';
import { WebhookEndpoint, WebhooksState } from './webhook.state';
import { JsonValue } from '../../shared/domain/values';
import { listedWebhookView, webhookView } from './webhook.view';
import { signingSecretOf } from '../webhook-signing';

/** The webhook a command just registered or changed, in the state after it. */
function liveEndpoint(state: WebhooksState, webhookId: string): WebhookEndpoint {
  const endpoint = state.active.find((w) => w.id === webhookId);
  if (!endpoint) throw new Error(`Webhook ${webhookId} absent after its own command`);
  return endpoint;
}

/** A tenant's webhooks: registering, deleting, resending, rotating; the list, from the same stream. */
@Injectable()
export class WebhookCommands {
  constructor(
    private readonly aggregates: Aggregates,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'webhooks'>,
  ) {}

  /**
   * The recorded answer (replayed for the same Idempotency-Key) holds no secret: the route adds
   * it, derived again, so that no event and no idempotency record stores one.
   */
  register(req: CommandRequest, url: string, events: readonly string[]): Promise<ExecutionResult> {
    const webhookId = newWebhookId();
    const { httpsOnly, publicOnly } = this.config.webhooks;
    return this.onWebhooks(
      req,
      201,
      (now) => ({
        type: 'RegisterWebhook',
        data: { webhookId, url, events, rules: { httpsOnly, publicOnly }, now },
      }),
      (state) => webhookView(liveEndpoint(state, webhookId), req.tenant.environment),
    );
  }

  remove(req: CommandRequest, webhookId: string): Promise<ExecutionResult> {
    return this.onWebhooks(
      req,
      200,
      (now) => ({ type: 'DeleteWebhook', data: { webhookId, now } }),
      () => ({ id: webhookId, ok: true }),
    );
  }

  /** Records the request; the delivering replica sends the delivery again (202: not yet sent). */
  resend(req: CommandRequest, webhookId: string, deliveryId: string): Promise<ExecutionResult> {
    return this.onWebhooks(
      req,
      202,
      (now) => ({ type: 'ResendWebhookDelivery', data: { webhookId, deliveryId, now } }),
      (_, requestedAt) => ({ id: deliveryId, webhookId, requestedAt }),
    );
  }

  /**
   * A new signing secret; the previous one also signs for PREVIOUS_SECRET_VALID_MS. As for a
   * registration, the recorded answer holds the version and not the secret: the route adds it.
   */
  rotateSecret(req: CommandRequest, webhookId: string): Promise<ExecutionResult> {
    return this.onWebhooks(
      req,
      200,
      (now) => ({ type: 'RotateWebhookSecret', data: { webhookId, now } }),
      (state, rotatedAt) => {
        const endpoint = liveEndpoint(state, webhookId);
        const previousSecretExpiresAt = new Date(
          Date.parse(rotatedAt) + PREVIOUS_SECRET_VALID_MS,
        ).toISOString();
        return {
          id: webhookId,
          secretVersion: endpoint.secretVersion,
          rotatedAt,
          previousSecretExpiresAt,
        };
      },
    );
  }

  /**
   * Records a test request; the delivering replica sends a `loyalty.webhook.test` to the webhook.
   * The answer names that delivery, whose id follows from the event's as every delivery's does.
   */
  sendTest(req: CommandRequest, webhookId: string): Promise<ExecutionResult> {
    return this.onWebhooks(
      req,
      202,
      (now) => ({ type: 'SendWebhookTest', data: { webhookId, now } }),
      (_, requestedAt, [requested]) => ({
        id: messageIdOf(requested.id, webhookId),
        webhookId,
        type: WEBHOOK_TEST_EVENT_NAME,
        requestedAt,
      }),
    );
  }

  /** The tenant's webhooks, caught up with the stream (another replica may have written it). */
  async list(tenant: Tenant) {
    const state = await this.caughtUp(tenant);
    return { data: state.active.map((w) => listedWebhookView(w, tenant.environment)) };
  }

  /** Whether the tenant ever registered the webhook (deleted ones too: their deliveries stay). */
  async isKnown(tenant: Tenant, webhookId: string): Promise<boolean> {
    return (await this.caughtUp(tenant)).known.has(webhookId);
  }

  /** The tenant's webhooks as the stream has them now: a read, not the state cache alone. */
  private async caughtUp(tenant: Tenant): Promise<WebhooksState> {
    const stream = webhooksStream(tenantKey(tenant));
    this.aggregates.cache.markStale(stream);
    return (await this.aggregates.webhooks.load(stream)).state;
  }

  signingSecret(tenant: Tenant, webhookId: string, version = 1): string {
    return signingSecretOf(this.config.webhooks.signingKey, tenantKey(tenant), webhookId, version);
  }

  /** Decides `command` on the tenant's webhooks and answers `status` with `answer` of the new state. */
  private onWebhooks(
    req: CommandRequest,
    status: number,
    commandAt: (now: string) => WebhookCommand,
    answer: (state: WebhooksState, now: string, events: readonly EventData[]) => JsonValue,
  ): Promise<ExecutionResult> {
    const { webhooks, executor } = this.aggregates;
    const stream = webhooksStream(req.tenantKey);
    return executor.run(
      [stream],
      async ({ now }) => {
        const loaded = await webhooks.load(stream);
        const events = decideWebhooks(commandAt(now), loaded.state);
        if (isDomainError(events)) return refusal(events, req.requestId);
        const planned = webhooks.plan(stream, loaded, events, eventContext(req, now));
        return accepted(status, answer(planned.state, now, planned.events), [planned]);
      },
      req.idempotency,
    );
  }
}
