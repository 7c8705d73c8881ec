import { DEV_WEBHOOK_SIGNING_KEY, isProduction } from '../auth/auth-config';

export interface WebhookConfig {
  /** The key every webhook's signing secret is derived from (webhook-signing.ts). */
  signingKey: string;
  usingDevelopmentKey: boolean;
  /** Whether this replica delivers (WEBHOOK_DELIVERY=off: it only takes registrations). */
  delivery: boolean;
  /** Production registers https URLs only. */
  httpsOnly: boolean;
  /**
   * Register and deliver to public addresses only (WEBHOOK_PRIVATE_DESTINATIONS=deny, the default
   * in production), so that no organization can make the service call into its own network.
   */
  publicOnly: boolean;
}

/**
 * Reads WEBHOOK_SIGNING_KEY, WEBHOOK_DELIVERY and WEBHOOK_PRIVATE_DESTINATIONS. Outside
 * production a missing key falls back to the published development key; with NODE_ENV=production
 * a missing key or the development key stops start-up (anybody could sign webhooks as the service
 * with it). A key that is set is held to the secrets' rules by loadConfig, which knows the other
 * keys it must differ from.
 */
export function loadWebhookConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  const production = isProduction(env);
  const key = env.WEBHOOK_SIGNING_KEY || undefined;
  const delivery = (env.WEBHOOK_DELIVERY ?? 'on').trim().toLowerCase();
  if (delivery !== 'on' && delivery !== 'off') {
    throw new Error(`WEBHOOK_DELIVERY must be on or off, got '${env.WEBHOOK_DELIVERY}'`);
  }
  const privateDestinations = (env.WEBHOOK_PRIVATE_DESTINATIONS ?? (production ? 'deny' : 'allow'))
    .trim()
    .toLowerCase();
  if (privateDestinations !== 'allow' && privateDestinations !== 'deny') {
    throw new Error(
      `WEBHOOK_PRIVATE_DESTINATIONS must be allow or deny, got '${env.WEBHOOK_PRIVATE_DESTINATIONS}'`,
    );
  }
  const isDevelopmentKey =
    key !== undefined && key.trim().toLowerCase() === DEV_WEBHOOK_SIGNING_KEY.toLowerCase();
  if (production && (key === undefined || isDevelopmentKey)) {
    throw new Error(
      'WEBHOOK_SIGNING_KEY must be set, and not to the published development key, when NODE_ENV=production; see docs/webhooks.md',
    );
  }
  return {
    signingKey: key ?? DEV_WEBHOOK_SIGNING_KEY,
    usingDevelopmentKey: key === undefined || isDevelopmentKey,
    delivery: delivery === 'on',
    httpsOnly: production,
    publicOnly: privateDestinations === 'deny',
  };
}
