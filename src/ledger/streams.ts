import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../shared/application/sha256';

/**
 * Stream names and ids. Streams are `category-<tenantKey>.<id>` (EventStoreDB's category-id form:
 * the category never contains '-'), so `$ce-wallet` and prefix filters such as
 * `wallet-sandbox.acme.` select one tenant's wallets.
 *
 * A wallet stream is named by a digest of the member (its memberRef, member-refs.ts), not by the
 * member's own id: a redemption id embeds that digest, so any redemption leads to its wallet
 * without a lookup, and the ids handed out do not spell the company's member id.
 */
export const MEMBER_REF_HEX = 24;

export function walletStream(tenantKey: string, ref: string): string {
  return `wallet-${tenantKey}.${ref}`;
}

export function walletStreamPrefix(tenantKey: string): string {
  return `wallet-${tenantKey}.`;
}

export function offerStream(tenantKey: string, offerId: string): string {
  return `offer-${tenantKey}.${offerId}`;
}

export function offerStreamPrefix(tenantKey: string): string {
  return `offer-${tenantKey}.`;
}

/**
 * A tenant's webhook registrations: one stream per organization and environment, since the
 * per-tenant cap and the list read them all together.
 */
export function webhooksStream(tenantKey: string): string {
  return `webhooks-${tenantKey}`;
}

export const WEBHOOKS_CATEGORY_PREFIX = 'webhooks-';

/**
 * The streams of one tenant that a subscriber may read (the events feed): its wallets, its offers
 * and its webhook registrations; never its idempotency records, which are the service's own. As
 * prefixes of a filtered read of `$all`: the webhooks one also matches a longer org id's stream
 * (`webhooks-sandbox.acme-2`), which isSubscriberStream then leaves out.
 */
export function subscriberStreamPrefixes(tenantKey: string): string[] {
  return [walletStreamPrefix(tenantKey), offerStreamPrefix(tenantKey), webhooksStream(tenantKey)];
}

/** Whether `stream` is one of the tenant's that subscriberStreamPrefixes selects. */
export function isSubscriberStream(stream: string, tenantKey: string): boolean {
  return (
    stream.startsWith(walletStreamPrefix(tenantKey)) ||
    stream.startsWith(offerStreamPrefix(tenantKey)) ||
    stream === webhooksStream(tenantKey)
  );
}

const REDEMPTION_ID = new RegExp(`^red_([0-9a-f]{${MEMBER_REF_HEX}})[0-9a-f]{16}$`);

/** Random hex from randomUUID, which draws on a pooled buffer (randomBytes calls the CSPRNG each time). */
function randomHex(length: number): string {
  return randomUUID().replace(/-/g, '').slice(0, length);
}

/**
 * A new redemption's id. Under an Idempotency-Key it is the key's, the same on every retry and
 * replica. Where stock is reserved in one append and the redemption written in the next
 * (EventStoreDB), an attempt that lost its wallet write to conflicts leaves its reservation; the
 * retry finds that reservation under the same id and uses it, instead of reserving again under a
 * new one and leaving the first held forever.
 */
export function newRedemptionId(
  ref: string,
  idempotency?: { tenantKey: string; key: string },
): string {
  const tail = idempotency
    ? sha256Hex(`redemption\n${idempotency.tenantKey}\n${idempotency.key}`).slice(0, 16)
    : randomHex(16);
  return `red_${ref}${tail}`;
}

/** The member digest a redemption id carries, or null when the id is not one of ours. */
export function memberRefOfRedemption(redemptionId: string): string | null {
  return REDEMPTION_ID.exec(redemptionId)?.[1] ?? null;
}

export const newOfferId = () => `off_${randomHex(20)}`;
export const newTransactionId = () => `txn_${randomHex(20)}`;
export const newWebhookId = () => `wh_${randomHex(20)}`;

/** The shape of a coupon code as `newCouponCode` makes it, in capitals. */
export const COUPON_CODE_SHAPE = /^PL-[A-Z2-9]{5}-[A-Z2-9]{5}$/;

/** That shape in any case, as a person may type a code (JSON Schema patterns take no flags). */
export const COUPON_CODE_ANY_CASE = /^[Pp][Ll]-[A-Za-z2-9]{5}-[A-Za-z2-9]{5}$/;

/** A coupon code a person can read out: no 0/O or 1/I. */
export function newCouponCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const hex = randomHex(20);
  const chars = Array.from(
    { length: 10 },
    (_, i) => alphabet[parseInt(hex.slice(2 * i, 2 * i + 2), 16) % alphabet.length],
  ).join('');
  return `PL-${chars.slice(0, 5)}-${chars.slice(5)}`;
}
