import { resolve } from 'node:path';
import {
  AuthConfig,
  DEV_MEMBER_TOKEN_SECRET,
  isProduction,
  loadAuthConfig,
  weakSecretProblem,
} from '../auth/auth-config';
import { CorsOrigins, corsOriginsFrom } from './cors';
import { wholeNumber } from './whole-number';
import { DEFAULT_STATE_CACHE_SIZE } from '../shared/application/state-cache';
import { SqliteSynchronous } from '../infrastructure/sqlite/sqlite-event-store';
import { loadWebhookConfig, WebhookConfig } from '../webhooks/webhook-config';

export interface AppConfig {
  port: number;
  host: string;
  /** Where the embedded store keeps its files. */
  dataDir: string;
  /** Set: use EventStoreDB. Unset: the embedded SQLite store under dataDir. */
  eventStoreConnectionString: string | undefined;
  sqliteSynchronous: SqliteSynchronous;
  /** NODE_ENV is `production` or `prod` (isProduction). */
  production: boolean;
  /** Org API keys and member-token settings (docs/auth.md). */
  auth: AuthConfig;
  /** Aggregate states the command side keeps in memory. */
  stateCacheSize: number;
  /** Browser origins allowed to call the API (CORS_ORIGINS, cors.ts); undefined: no CORS. */
  corsOrigins: CorsOrigins | undefined;
  /** The webhooks' signing key and whether this replica delivers (docs/webhooks.md). */
  webhooks: WebhookConfig;
  /** How often the hold sweeper releases expired holds (HOLD_SWEEP_INTERVAL_MS); 0: never. */
  holdSweepIntervalMs: number;
  /** Events of `$all` one read of the events feed looks at, at most (EVENTS_FEED_WINDOW). */
  eventsFeedWindow: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

const SYNCHRONOUS: readonly SqliteSynchronous[] = ['FULL', 'NORMAL', 'OFF'];

/**
 * The directory of the embedded store and the read models: DATA_DIR, absolute; `./data` when it is
 * unset or empty (never the current directory). The service and the ledger CLI both read it here.
 */
export function dataDirFrom(env: NodeJS.ProcessEnv): string {
  return resolve(env.DATA_DIR || './data');
}

/** Reads the configuration from the environment; a bad value stops start-up with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = wholeNumber(env, 'PORT', 3000, 0, 65535, 'a port number (0-65535)');
  const stateCacheSize = wholeNumber(
    env,
    'STATE_CACHE_SIZE',
    DEFAULT_STATE_CACHE_SIZE,
    1,
    1e9,
    'from 1 to 1000000000',
  );
  const holdSweepIntervalMs = wholeNumber(
    env,
    'HOLD_SWEEP_INTERVAL_MS',
    5_000,
    0,
    86_400_000,
    'from 0 (off) to 86400000',
  );
  const eventsFeedWindow = wholeNumber(
    env,
    'EVENTS_FEED_WINDOW',
    20_000,
    1,
    10_000_000,
    'from 1 to 10000000',
  );
  const synchronous = (env.SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase() as SqliteSynchronous;
  if (!SYNCHRONOUS.includes(synchronous)) {
    throw new Error(
      `SQLITE_SYNCHRONOUS must be one of ${SYNCHRONOUS.join(', ')}, got '${env.SQLITE_SYNCHRONOUS}'`,
    );
  }
  const production = isProduction(env);
  if (production && synchronous === 'OFF') {
    throw new Error(
      'SQLITE_SYNCHRONOUS=OFF is for tests only and refused when NODE_ENV=production (a power loss or system crash could lose acknowledged events or damage events.db): use FULL or NORMAL',
    );
  }
  const auth = loadAuthConfig(env);
  const webhooks = loadWebhookConfig(env);
  if (!webhooks.usingDevelopmentKey) signingKeyApart(webhooks.signingKey, auth);
  return {
    port,
    // Empty is unset, as for DATA_DIR: '' would listen on every interface and log http://:port.
    host: env.HOST || '0.0.0.0',
    dataDir: dataDirFrom(env),
    eventStoreConnectionString: env.EVENTSTORE_CONNECTION_STRING || undefined,
    sqliteSynchronous: synchronous,
    production,
    auth,
    stateCacheSize,
    corsOrigins: corsOriginsFrom(env),
    webhooks,
    holdSweepIntervalMs,
    eventsFeedWindow,
  };
}

/**
 * WEBHOOK_SIGNING_KEY held to MEMBER_TOKEN_SECRET's rules, and apart from it: every webhook secret
 * derives from it, so an organization whose key it is could sign webhooks to every other
 * organization's receivers.
 */
function signingKeyApart(key: string, auth: AuthConfig): void {
  const problem = weakSecretProblem('WEBHOOK_SIGNING_KEY', key, auth, [DEV_MEMBER_TOKEN_SECRET]);
  if (problem) throw new Error(problem);
  if (key.trim() === auth.memberTokenSecret.trim())
    throw new Error(
      'WEBHOOK_SIGNING_KEY must not be MEMBER_TOKEN_SECRET: a receiver that learns one must not learn the other',
    );
}
