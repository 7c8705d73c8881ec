import type { Environment } from '../../auth/principal';
import type { WebhookEndpoint } from './webhook.state';

/** A registration as POST answers it (the Expys WebhookEndpointWithSecret, before its secret). */
export function webhookView(endpoint: WebhookEndpoint, environment: Environment) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: [...endpoint.events],
    environment: environment === 'live' ? 'LIVE' : 'SANDBOX',
    createdAt: endpoint.createdAt,
  };
}

/**
 * A registration as the list shows it (the Expys WebhookEndpoint): never its secret, and
 * disabledAt always null, since a deleted webhook is no longer listed.
 */
export function listedWebhookView(endpoint: WebhookEndpoint, environment: Environment) {
  return { ...webhookView(endpoint, environment), disabledAt: null };
}
