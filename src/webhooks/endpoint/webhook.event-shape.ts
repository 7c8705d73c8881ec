import { eventProblem, fields, integerFrom, text } from '../../shared/domain/event-shape';
import type { WebhookEvent } from './webhook.events';

const texts = {
  ok: (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string'),
  expected: 'a list of strings',
};

/** What evolveWebhooks reads of each event, as the webhooks decider writes it (events.md). */
const WEBHOOK_EVENT_RULES = {
  WebhookRegistered: fields({ webhookId: text, url: text, events: texts, registeredAt: text }),
  WebhookDeleted: fields({ webhookId: text, deletedAt: text }),
  WebhookDeliveryResendRequested: fields({ webhookId: text, deliveryId: text, requestedAt: text }),
  WebhookTestRequested: fields({ webhookId: text, requestedAt: text }),
  WebhookSecretRotated: fields({ webhookId: text, secretVersion: integerFrom(2), rotatedAt: text }),
} satisfies Record<WebhookEvent['type'], (data: Record<string, unknown>) => string | null>;

/** The event types this aggregate writes (docs/events.md). */
export const WEBHOOK_REGISTRATION_EVENT_TYPES: readonly string[] = Object.keys(WEBHOOK_EVENT_RULES);

/** Why evolveWebhooks cannot fold `event`, or null. */
export function webhookEventProblem(event: { type: string; data: unknown }): string | null {
  return eventProblem('webhooks', WEBHOOK_EVENT_RULES, event);
}
