import { createHmac, timingSafeEqual } from 'node:crypto';

/** The prefix of a signing secret, as Standard Webhooks writes one: base64 of the key bytes after it. */
export const SECRET_PREFIX = 'whsec_';

/**
 * A webhook's signing secret, derived, never stored: HMAC-SHA256 of `<tenantKey>:<webhookId>`
 * under WEBHOOK_SIGNING_KEY, and of `<tenantKey>:<webhookId>:v<n>` for the secret that its n-th
 * rotation less one made (version 1 is the one it was registered with). Every replica with the
 * same key derives the same secret, and a registration's events hold no secret that a copy of the
 * store would leak.
 */
export function signingSecretOf(
  signingKey: string,
  tenantKey: string,
  webhookId: string,
  version = 1,
): string {
  const input =
    version === 1 ? `${tenantKey}:${webhookId}` : `${tenantKey}:${webhookId}:v${version}`;
  const bytes = createHmac('sha256', signingKey).update(input).digest();
  return `${SECRET_PREFIX}${bytes.toString('base64')}`;
}

/** The key bytes a `whsec_` secret stands for. */
function secretBytes(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

/**
 * The `webhook-signature` header of a message (Standard Webhooks): `v1,` and the base64
 * HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` under the secret's key bytes.
 */
export function signatureOf(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretBytes(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/** Whether one of the space-separated signatures of `header` signs the message: a receiver's check. */
export function verifySignature(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
  header: string,
): boolean {
  const expected = Buffer.from(signatureOf(secret, id, timestamp, body));
  return header.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
