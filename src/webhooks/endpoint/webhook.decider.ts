import { assertNever, Decider } from '../../shared/domain/decider';
import { hasControlCharacters } from '../../shared/domain/control-characters';
import { DomainError, validationFailed } from '../../shared/domain/domain-error';
import { fitsLength } from '../../shared/domain/values';
import {
  ALL_WEBHOOK_EVENTS,
  DeleteWebhook,
  RegisterWebhook,
  ResendWebhookDelivery,
  RotateWebhookSecret,
  SendWebhookTest,
  WEBHOOK_EVENT_NAMES,
  WEBHOOK_EVENT_SHORT_NAMES,
  WEBHOOK_LIMITS,
  WebhookCommand,
  WebhookEvent,
  WebhookUrlRules,
} from './webhook.events';
import { privateHostProblem } from '../destination';
import { evolveWebhooks, initialWebhooksState, WebhooksState } from './webhook.state';

type Decision = WebhookEvent[] | DomainError;

/** Every name a registration may list: each event's, full or short, and `*`. */
const REGISTRABLE_NAMES: ReadonlySet<string> = new Set<string>([
  ALL_WEBHOOK_EVENTS,
  ...WEBHOOK_EVENT_NAMES,
  ...WEBHOOK_EVENT_SHORT_NAMES,
]);

/**
 * Why `url` cannot receive webhooks, or null: absolute http(s), no fragment, no credentials, and
 * https or a public host if the rules ask.
 */
export function webhookUrlProblem(url: string, rules: WebhookUrlRules): string | null {
  if (!fitsLength(url, WEBHOOK_LIMITS.url))
    return `url must be at most ${WEBHOOK_LIMITS.url} characters`;
  // The URL as typed, which the list shows: the parser would forgive blanks and a missing host.
  if (/\s/.test(url) || hasControlCharacters(url))
    return 'url must not contain blanks or control characters';
  if (!/^https?:\/\/[^/?#]/i.test(url)) return 'url must be an absolute http or https URL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'url must be an absolute http or https URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return 'url must be an absolute http or https URL';
  if (rules.httpsOnly && parsed.protocol !== 'https:') return 'url must be https in production';
  if (parsed.hash !== '' || url.includes('#')) return 'url must not have a fragment';
  if (parsed.port === '0') return 'url must not name port 0, where nothing can listen';
  // GET /v1/webhooks lists the URL: a password in it would be shown to every org key.
  if (parsed.username !== '' || parsed.password !== '')
    return 'url must not hold credentials (user:password@): authenticate by the signature';
  const privateHost = rules.publicOnly ? privateHostProblem(parsed.hostname) : null;
  if (privateHost) return `url must point at a public host: ${privateHost}`;
  return null;
}

function register(command: RegisterWebhook, state: WebhooksState): Decision {
  const { webhookId, url, events, rules, now } = command.data;
  const urlProblem = webhookUrlProblem(url, rules);
  if (urlProblem) return validationFailed(urlProblem, { field: 'url' });
  if (events.length === 0 || events.length > WEBHOOK_LIMITS.events) {
    return validationFailed(`events must list 1 to ${WEBHOOK_LIMITS.events} event names`, {
      field: 'events',
    });
  }
  const unknown = events.filter((name) => !REGISTRABLE_NAMES.has(name));
  if (unknown.length > 0) {
    return validationFailed(`events names unknown event types: ${unknown.join(', ')}`, {
      field: 'events',
      unknown: [...new Set(unknown)],
      known: [ALL_WEBHOOK_EVENTS, ...WEBHOOK_EVENT_NAMES],
    });
  }
  if (state.known.has(webhookId)) return new DomainError('CONFLICT', `Webhook ${webhookId} exists`);
  if (state.active.length >= WEBHOOK_LIMITS.perTenant) {
    return new DomainError(
      'WEBHOOK_LIMIT_REACHED',
      `At most ${WEBHOOK_LIMITS.perTenant} webhooks per organization and environment: delete one first`,
      { limit: WEBHOOK_LIMITS.perTenant },
    );
  }
  const distinct = [...new Set(events)];
  return [
    {
      type: 'WebhookRegistered',
      data: { webhookId, url, events: distinct, registeredAt: now },
    },
  ];
}

const webhookNotFound = (webhookId: string) =>
  new DomainError('NOT_FOUND', `Webhook ${webhookId} not found`);

/** NOT_FOUND unless the webhook is registered and not deleted, else null. */
function notLive(state: WebhooksState, webhookId: string): DomainError | null {
  return state.active.some((w) => w.id === webhookId) ? null : webhookNotFound(webhookId);
}

function remove(command: DeleteWebhook, state: WebhooksState): Decision {
  const { webhookId, now } = command.data;
  const missing = notLive(state, webhookId);
  if (missing) return missing;
  return [{ type: 'WebhookDeleted', data: { webhookId, deletedAt: now } }];
}

/** Only a live webhook's deliveries are sent again: a deleted one's are dropped when due. */
function resend(command: ResendWebhookDelivery, state: WebhooksState): Decision {
  const { webhookId, deliveryId, now } = command.data;
  const missing = notLive(state, webhookId);
  if (missing) return missing;
  return [
    { type: 'WebhookDeliveryResendRequested', data: { webhookId, deliveryId, requestedAt: now } },
  ];
}

/** The next version of a live webhook's signing secret. */
function rotate(command: RotateWebhookSecret, state: WebhooksState): Decision {
  const { webhookId, now } = command.data;
  const endpoint = state.active.find((w) => w.id === webhookId);
  if (!endpoint) return webhookNotFound(webhookId);
  return [
    {
      type: 'WebhookSecretRotated',
      data: { webhookId, secretVersion: endpoint.secretVersion + 1, rotatedAt: now },
    },
  ];
}

function test(command: SendWebhookTest, state: WebhooksState): Decision {
  const { webhookId, now } = command.data;
  const missing = notLive(state, webhookId);
  if (missing) return missing;
  return [{ type: 'WebhookTestRequested', data: { webhookId, requestedAt: now } }];
}

export function decideWebhooks(command: WebhookCommand, state: WebhooksState): Decision {
  switch (command.type) {
    case 'RegisterWebhook':
      return register(command, state);
    case 'DeleteWebhook':
      return remove(command, state);
    case 'ResendWebhookDelivery':
      return resend(command, state);
    case 'RotateWebhookSecret':
      return rotate(command, state);
    case 'SendWebhookTest':
      return test(command, state);
    default:
      return assertNever(command);
  }
}

export const webhooksDecider: Decider<WebhookCommand, WebhooksState, WebhookEvent> = {
  decide: decideWebhooks,
  evolve: evolveWebhooks,
  initialState: initialWebhooksState,
};
