import { createHmac, timingSafeEqual } from 'node:crypto';
import { EXTERNAL_USER_ID_PATTERN } from '../shared/domain/external-user-id';
import { ORG_ID_PATTERN } from './org-keys';
import { Principal, Tenant, isEnvironment } from './principal';

/** Member tokens look like `mt_<base64url JSON payload>.<base64url HMAC-SHA256>`; never `expys_`. */
export const MEMBER_TOKEN_PREFIX = 'mt_';
const TOKEN_PATTERN = /^mt_([A-Za-z0-9_-]{1,1400})\.([A-Za-z0-9_-]{43})$/;
const PAYLOAD_VERSION = 1;
const KEY_TAG_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export interface MemberTokenPayload {
  v: typeof PAYLOAD_VERSION;
  orgId: string;
  environment: Tenant['environment'];
  externalUserID: string;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expires at, seconds since the epoch: the token is refused from this instant on. */
  exp: number;
  /**
   * The tag of the org key that minted it (MemberTokenIssuer.keyTag): the token is refused once
   * that key is no longer configured. Absent from tokens minted before 2026-12-07.
   */
  kid?: string;
}

export interface MintedMemberToken {
  token: string;
  expiresAt: Date;
}

export type MemberTokenCheck =
  | {
      ok: true;
      principal: Extract<Principal, { kind: 'member' }>;
      expiresAt: Date;
      /** The minting key's tag, when the token names one. */
      keyTag?: string;
    }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** Reads a token's payload without checking it; for tests and diagnostics, never for access. */
export function decodeMemberTokenPayload(token: string): unknown {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  try {
    return JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isPayload(value: unknown): value is MemberTokenPayload {
  const p = value as Partial<MemberTokenPayload> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    p.v === PAYLOAD_VERSION &&
    typeof p.orgId === 'string' &&
    ORG_ID_PATTERN.test(p.orgId) &&
    isEnvironment(p.environment) &&
    typeof p.externalUserID === 'string' &&
    EXTERNAL_USER_ID_PATTERN.test(p.externalUserID) &&
    Number.isSafeInteger(p.iat) &&
    Number.isSafeInteger(p.exp) &&
    (p.kid === undefined || (typeof p.kid === 'string' && KEY_TAG_PATTERN.test(p.kid)))
  );
}

/** Mints and verifies member tokens with one secret (MEMBER_TOKEN_SECRET) and one lifetime. */
export class MemberTokenIssuer {
  constructor(
    private readonly secret: string,
    readonly ttlSeconds: number,
  ) {
    if (secret.length === 0) throw new Error('A member token secret must not be empty');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
      throw new Error('A member token lifetime must be a positive integer');
  }

  /**
   * A token for this member of this tenant, valid from `now` for ttlSeconds; with the id of the
   * org key that asked for it, valid only while that key is configured.
   */
  mint(
    tenant: Tenant,
    externalUserID: string,
    now: Date = new Date(),
    keyId?: string,
  ): MintedMemberToken {
    const iat = Math.floor(now.getTime() / 1000);
    const payload: MemberTokenPayload = {
      v: PAYLOAD_VERSION,
      orgId: tenant.orgId,
      environment: tenant.environment,
      externalUserID,
      iat,
      // Rounded up, so that a token lives at least ttlSeconds: from iat, rounded down, a token of
      // MEMBER_TOKEN_TTL_SECONDS=1 minted late in a second lived a few milliseconds.
      exp: Math.ceil(now.getTime() / 1000) + this.ttlSeconds,
      ...(keyId === undefined ? {} : { kid: this.keyTag(keyId) }),
    };
    if (!isPayload(payload))
      throw new Error('Cannot mint a member token for an invalid tenant or externalUserID');
    const body =
      MEMBER_TOKEN_PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return {
      token: `${body}.${this.sign(body).toString('base64url')}`,
      expiresAt: new Date(payload.exp * 1000),
    };
  }

  /** Checks the format, then the signature (in constant time), then the payload and its expiry. */
  verify(token: string, now: Date = new Date()): MemberTokenCheck {
    const match = TOKEN_PATTERN.exec(token);
    if (!match) return { ok: false, reason: 'malformed' };
    // Compared as canonical base64url text, so no second spelling of a signature is accepted.
    const given = Buffer.from(match[2], 'ascii');
    const expected = Buffer.from(
      this.sign(MEMBER_TOKEN_PREFIX + match[1]).toString('base64url'),
      'ascii',
    );
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'bad_signature' };
    }
    const payload = decodeMemberTokenPayload(token);
    if (!isPayload(payload)) return { ok: false, reason: 'malformed' };
    if (now.getTime() >= payload.exp * 1000) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      principal: {
        kind: 'member',
        tenant: { orgId: payload.orgId, environment: payload.environment },
        externalUserID: payload.externalUserID,
      },
      expiresAt: new Date(payload.exp * 1000),
      ...(payload.kid === undefined ? {} : { keyTag: payload.kid }),
    };
  }

  /**
   * What a token says of the org key that minted it: a MAC of the key's id, so the readable
   * payload tells nothing about the key, and a new secret gives every key a new tag.
   */
  keyTag(keyId: string): string {
    return createHmac('sha256', this.secret)
      .update(`org-key:${keyId}`, 'utf8')
      .digest('base64url')
      .slice(0, 22);
  }

  private sign(body: string): Buffer {
    return createHmac('sha256', this.secret).update(body, 'utf8').digest();
  }
}
