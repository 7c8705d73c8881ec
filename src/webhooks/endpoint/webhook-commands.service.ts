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
import { WebhookCommand } from './webhook.events';
import { listedWebhookView, webhookView } from './webhook.view';
import { signingSecretOf } from '../webhook-signing';

/** Registering and deleting a tenant's webhooks; the list, read from the same stream. */
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
    return this.onWebhooks(req, 201, (now) => ({
      type: 'RegisterWebhook',
      data: { webhookId, url, events, rules: { httpsOnly, publicOnly }, now },
    }));
  }

  remove(req: CommandRequest, webhookId: string): Promise<ExecutionResult> {
    return this.onWebhooks(req, 200, (now) => ({
      type: 'DeleteWebhook',
      data: { webhookId, now },
    }));
  }

  /** Records the request; the delivering replica sends the delivery again (202: not yet sent). */
  resend(req: CommandRequest, webhookId: string, deliveryId: string): Promise<ExecutionResult> {
    return this.onWebhooks(req, 202, (now) => ({
      type: 'ResendWebhookDelivery',
      data: { webhookId, deliveryId, now },
    }));
  }

  /** The tenant's webhooks, caught up with the stream (another replica may have written it). */
  async list(tenant: Tenant) {
    const stream = webhooksStream(tenantKey(tenant));
    this.aggregates.cache.markStale(stream);
    const { state } = await this.aggregates.webhooks.load(stream);
    return { data: state.active.map((w) => listedWebhookView(w, tenant.environment)) };
  }

  /** Whether the tenant ever registered the webhook (deleted ones too: their deliveries stay). */
  async isKnown(tenant: Tenant, webhookId: string): Promise<boolean> {
    const stream = webhooksStream(tenantKey(tenant));
    this.aggregates.cache.markStale(stream);
    const { state } = await this.aggregates.webhooks.load(stream);
    return state.known.has(webhookId);
  }

  signingSecret(tenant: Tenant, webhookId: string): string {
    return signingSecretOf(this.config.webhooks.signingKey, tenantKey(tenant), webhookId);
  }

  private onWebhooks(
    req: CommandRequest,
    status: number,
    commandAt: (now: string) => WebhookCommand,
  ): Promise<ExecutionResult> {
    const { webhooks, executor } = this.aggregates;
    const stream = webhooksStream(req.tenantKey);
    return executor.run(
      [stream],
      async ({ now }) => {
        const loaded = await webhooks.load(stream);
        const command = commandAt(now);
        const events = decideWebhooks(command, loaded.state);
        if (isDomainError(events)) return refusal(events, req.requestId);
        const planned = webhooks.plan(stream, loaded, events, eventContext(req, now));
        const { webhookId } = command.data;
        if (command.type === 'DeleteWebhook')
          return accepted(status, { id: webhookId, ok: true }, [planned]);
        if (command.type === 'ResendWebhookDelivery') {
          const { deliveryId, now: requestedAt } = command.data;
          return accepted(status, { id: deliveryId, webhookId, requestedAt }, [planned]);
        }
        const endpoint = planned.state.active.find((w) => w.id === webhookId);
        if (!endpoint) throw new Error(`Webhook ${webhookId} absent after its own registration`);
        return accepted(status, webhookView(endpoint, req.tenant.environment), [planned]);
      },
      req.idempotency,
    );
  }
}
