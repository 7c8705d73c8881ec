import { assertNever } from '../../shared/domain/decider';
import type { WebhookEvent } from './webhook.events';

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly createdAt: string;
  /** 1 as registered, one more at each rotation of its signing secret. */
  readonly secretVersion: number;
}

/** A tenant's registrations not deleted, in the order they were made. */
export interface WebhooksState {
  readonly active: readonly WebhookEndpoint[];
  /** Ids ever registered, deleted ones too: an id is never taken twice. */
  readonly known: ReadonlySet<string>;
}

export const initialWebhooksState: WebhooksState = { active: [], known: new Set() };

export function evolveWebhooks(state: WebhooksState, event: WebhookEvent): WebhooksState {
  switch (event.type) {
    case 'WebhookRegistered': {
      const { webhookId, url, events, registeredAt } = event.data;
      const endpoint = { id: webhookId, url, events, createdAt: registeredAt, secretVersion: 1 };
      return {
        active: [...state.active, endpoint],
        known: new Set(state.known).add(webhookId),
      };
    }
    case 'WebhookDeleted':
      return {
        active: state.active.filter((w) => w.id !== event.data.webhookId),
        known: state.known,
      };
    case 'WebhookDeliveryResendRequested':
    case 'WebhookTestRequested':
      return state;
    case 'WebhookSecretRotated': {
      const { webhookId, secretVersion } = event.data;
      return {
        active: state.active.map((w) => (w.id === webhookId ? { ...w, secretVersion } : w)),
        known: state.known,
      };
    }
    default:
      return assertNever(event);
  }
}
