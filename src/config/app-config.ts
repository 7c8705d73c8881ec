import { resolve } from 'node:path';
import { AuthConfig, loadAuthConfig } from '../auth/auth-config';
import { SqliteSynchronous } from '../infrastructure/sqlite/sqlite-event-store';

export interface AppConfig {
  port: number;
  host: string;
  /** Where the embedded store keeps its files. */
  dataDir: string;
  /** Set: use EventStoreDB. Unset: the embedded SQLite store under dataDir. */
  eventStoreConnectionString: string | undefined;
  sqliteSynchronous: SqliteSynchronous;
  production: boolean;
  /** Org API keys and member-token settings (docs/auth.md). */
  auth: AuthConfig;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

const SYNCHRONOUS: readonly SqliteSynchronous[] = ['FULL', 'NORMAL', 'OFF'];

/** Reads the configuration from the environment; a bad value stops start-up with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got '${env.PORT}'`);
  const synchronous = (env.SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase() as SqliteSynchronous;
  if (!SYNCHRONOUS.includes(synchronous)) {
    throw new Error(
      `SQLITE_SYNCHRONOUS must be one of ${SYNCHRONOUS.join(', ')}, got '${env.SQLITE_SYNCHRONOUS}'`,
    );
  }
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(env.DATA_DIR ?? './data'),
    eventStoreConnectionString: env.EVENTSTORE_CONNECTION_STRING || undefined,
    sqliteSynchronous: synchronous,
    production: env.NODE_ENV === 'production',
    auth: loadAuthConfig(env),
  };
}
