import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, CreateAppOptions } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';

/** Org keys, and the operator key, the end-to-end tests authenticate with (never used outside tests). */
export const KEYS = {
  acmeSandbox: 'expys_sandbox_acmeTestKey000000000001',
  acmeLive: 'expys_live_acmeTestKey00000000000000001',
  globexSandbox: 'expys_sandbox_globexTestKey0000000001',
  operator: 'pl_operator_testOperatorKey00000000000000000001',
};

export const TEST_ENV = {
  ORG_API_KEYS: `acme:${KEYS.acmeSandbox},acme:${KEYS.acmeLive},globex:${KEYS.globexSandbox}`,
  OPERATOR_API_KEYS: KEYS.operator,
  MEMBER_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123456789',
};

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  dataDir: string;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * The real application on the embedded store in a fresh data directory, listening on a free port.
 * `beforeListen` sees the app before its routes are registered (to add a Fastify onRoute hook);
 * `env` adds to the configuration's environment.
 */
export async function startTestApp(
  dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-e2e-')),
  options: CreateAppOptions = {},
  beforeListen?: (app: NestFastifyApplication) => void,
  env: NodeJS.ProcessEnv = {},
): Promise<TestApp> {
  const app = await createApp(loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, ...env }), {
    logger: false,
    ...options,
  });
  beforeListen?.(app);
  await app.listen(0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  return {
    app,
    baseUrl,
    dataDir,
    close: async (options) => {
      await app.close();
      if (!options?.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small JSON client: `api(baseUrl, credential)('POST', '/v1/...', body, { 'Idempotency-Key': k })`. */
export function api(baseUrl: string, credential: string) {
  return async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${credential}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      headers: response.headers,
    };
  };
}

/** The head of $all as /health shows it to the operator key: a test's "was anything appended?". */
export async function headPosition(baseUrl: string): Promise<string> {
  const health = await api(baseUrl, KEYS.operator)('GET', '/health');
  return health.body.eventStore.headPosition as string;
}
