import type { DomainCommand, DomainEvent } from '../../shared/domain/decider';

/**
 * The stored event types a webhook delivers, by the name a subscriber registers for: the one
 * place that maps the ledger's events to webhook events (docs/webhooks.md). PointsHoldApplied
 * is held points applied (seeds 003, 004); it is mapped by its type name ahead of the events
 * that write it.
 */
export const WEBHOOK_EVENT_TYPES = {
  RedemptionCreated: 'loyalty.redemption.created',
  RedemptionStatusChanged: 'loyalty.redemption.status_changed',
  RedemptionCanceled: 'loyalty.redemption.canceled',
  RedemptionReversed: 'loyalty.redemption.reversed',
  RedemptionFulfilled: 'loyalty.redemption.fulfilled',
  PointsHoldApplied: 'loyalty.redemption.applied',
  PointsCredited: 'loyalty.points.credited',
  PointsRefunded: 'loyalty.points.refunded',
} as const satisfies Record<string, string>;

export type WebhookEventName = (typeof WEBHOOK_EVENT_TYPES)[keyof typeof WEBHOOK_EVENT_TYPES];

/** Every name a registration may list; `*` is all of them, also those added later. */
export const WEBHOOK_EVENT_NAMES: readonly WebhookEventName[] = Object.values(WEBHOOK_EVENT_TYPES);
export const ALL_WEBHOOK_EVENTS = '*';

/**
 * The Expys SDK's own example registers `redemption.created`: each name is also taken without
 * its `loyalty.` prefix, and a delivery still names the event in full.
 */
const LOYALTY = 'loyalty.';
export const WEBHOOK_EVENT_SHORT_NAMES: readonly string[] = WEBHOOK_EVENT_NAMES.map((name) =>
  name.slice(LOYALTY.length),
);

/** The webhook event name of a stored event type, or undefined when no webhook carries it. */
export function webhookEventNameOf(type: string): WebhookEventName | undefined {
  return Object.hasOwn(WEBHOOK_EVENT_TYPES, type)
    ? WEBHOOK_EVENT_TYPES[type as keyof typeof WEBHOOK_EVENT_TYPES]
    : undefined;
}

/** Whether a registration for `events` receives `name`. */
export function subscribesTo(events: readonly string[], name: string): boolean {
  return (
    events.includes(ALL_WEBHOOK_EVENTS) ||
    events.includes(name) ||
    events.includes(name.slice(LOYALTY.length))
  );
}

export const WEBHOOK_LIMITS = {
  url: 2048,
  /** Names in one registration (there are fewer known names than this, and `*`). */
  events: 32,
  /** Registrations not deleted, per organization and environment. */
  perTenant: 20,
} as const;

export type WebhookRegistered = DomainEvent<
  'WebhookRegistered',
  { webhookId: string; url: string; events: string[]; registeredAt: string }
>;
export type WebhookDeleted = DomainEvent<
  'WebhookDeleted',
  { webhookId: string; deletedAt: string }
>;

/** An organization asks for a delivery to be sent again; the delivering replica sends it. */
export type WebhookDeliveryResendRequested = DomainEvent<
  'WebhookDeliveryResendRequested',
  { webhookId: string; deliveryId: string; requestedAt: string }
>;

/** A webhook's signing secret replaced by the next version; the previous one still signs a while. */
export type WebhookSecretRotated = DomainEvent<
  'WebhookSecretRotated',
  { webhookId: string; secretVersion: number; rotatedAt: string }
>;

/** An organization asks for a test delivery to one webhook, which moves no points. */
export type WebhookTestRequested = DomainEvent<
  'WebhookTestRequested',
  { webhookId: string; requestedAt: string }
>;

export type WebhookEvent =
  | WebhookRegistered
  | WebhookDeleted
  | WebhookDeliveryResendRequested
  | WebhookSecretRotated
  | WebhookTestRequested;

/** The type of a test delivery: sent on request only, whatever events the webhook listed. */
export const WEBHOOK_TEST_EVENT_NAME = 'loyalty.webhook.test';

/** How long deliveries are signed with the previous secret too, after a rotation. */
export const PREVIOUS_SECRET_VALID_MS = 24 * 3_600_000;

/** A delivery's id, the `webhook-id` it was sent with (webhook-dispatcher.ts). */
export const DELIVERY_ID_PATTERN = /^msg_[0-9a-f]{32}$/;

export interface WebhookUrlRules {
  /** Production takes https URLs only. */
  httpsOnly: boolean;
  /** No URL whose host is a private, loopback or other non-public address. */
  publicOnly: boolean;
}

export type RegisterWebhook = DomainCommand<
  'RegisterWebhook',
  {
    webhookId: string;
    url: string;
    events: readonly string[];
    /** The deployment's rules for the URL, not the domain's (webhook-config.ts). */
    rules: WebhookUrlRules;
    now: string;
  }
>;
export type DeleteWebhook = DomainCommand<'DeleteWebhook', { webhookId: string; now: string }>;

export type ResendWebhookDelivery = DomainCommand<
  'ResendWebhookDelivery',
  { webhookId: string; deliveryId: string; now: string }
>;

export type RotateWebhookSecret = DomainCommand<
  'RotateWebhookSecret',
  { webhookId: string; now: string }
>;

export type SendWebhookTest = DomainCommand<'SendWebhookTest', { webhookId: string; now: string }>;

export type WebhookCommand =
  RegisterWebhook | DeleteWebhook | ResendWebhookDelivery | RotateWebhookSecret | SendWebhookTest;
