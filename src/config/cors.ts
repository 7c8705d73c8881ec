/**
 * Which browser origins may call the API (CORS_ORIGINS): member-facing web apps call it from the
 * browser with a member token. Unset or blank: none, and the service sends no CORS headers.
 * `*`: any origin; safe because no credential rides on cookies (a token or key is sent by the
 * page itself in a header). Otherwise a comma-separated list of exact origins.
 */
export type CorsOrigins = '*' | readonly string[];

/** `scheme://host[:port]`, as a browser sends it in `Origin`: no path, query, userinfo or trailing slash. */
const ORIGIN = /^https?:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

export function corsOriginsFrom(env: NodeJS.ProcessEnv): CorsOrigins | undefined {
  const text = env.CORS_ORIGINS?.trim();
  if (!text) return undefined;
  if (text === '*') return '*';
  const origins = text.split(',').map((origin) => origin.trim());
  const bad = origins.find((origin) => !ORIGIN.test(origin) || !validPort(origin));
  if (bad !== undefined) {
    throw new Error(
      `CORS_ORIGINS must be * or a comma-separated list of origins such as https://app.example.com (lower case, no path or trailing slash), got '${bad}'`,
    );
  }
  return [...new Set(origins)];
}

function validPort(origin: string): boolean {
  const port = /:(\d+)$/.exec(origin)?.[1];
  return port === undefined || Number(port) <= 65535;
}

/** The request headers a browser may send, and the answer headers a page may read. */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'X-API-Key',
  'Content-Type',
  'Idempotency-Key',
  'X-Request-Id',
];
export const CORS_EXPOSED_HEADERS = [
  'X-Request-Id',
  'Idempotent-Replayed',
  'Retry-After',
  'WWW-Authenticate',
];
/** How long a browser may keep a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 600;
