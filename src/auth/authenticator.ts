import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthConfig } from './auth-config';
import { MemberTokenIssuer } from './member-token';
import { OPERATOR_KEY_PREFIX } from './operator-keys';
import { ORG_KEY_PREFIX } from './org-keys';
import { Principal } from './principal';
import { tenantKey } from './tenancy';
import { countHeader } from '../shared/http/raw-headers';

/** The AuthConfig of the running app (APP_CONFIG.auth). */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');

export function unauthorized(message: string): UnauthorizedException {
  return new UnauthorizedException({ code: 'UNAUTHORIZED', message });
}

/**
 * A credential is visible ASCII. Node reads header bytes as Latin-1, so a byte 0xA0 beside a key
 * arrives as a no-break space: JavaScript's `trim()` and `\s` would take it for a blank and accept
 * a spelling of the key that is not the key, which a proxy matching keys exactly would not.
 */
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;
/** The Bearer scheme, well-formed or not: `Bearer`, alone or followed by white space. */
const BEARER_SCHEME = /^Bearer(?:\s|$)/i;
const SINGLE_TOKEN = /^[\x21-\x7e]+$/;
/** HTTP's optional white space around a header value: spaces and tabs only. */
const trimOws = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');
const MALFORMED_AUTHORIZATION = 'The Authorization header must be "Bearer <credential>"';

/**
 * The credential a request carries: `Authorization: Bearer <credential>` first, then
 * `X-API-Key: <credential>`. None, or only a malformed one, is 401 UNAUTHORIZED. Node keeps only
 * the first of several Authorization headers, so `rawHeaders` is read to refuse them, as two
 * X-API-Key headers are: which credential counts must not depend on their order.
 */
export function credentialFrom(
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[],
): string {
  if (headers.authorization !== undefined && countHeader(rawHeaders, 'authorization') > 1)
    throw unauthorized('Send one Authorization header, not several');
  const authorization =
    headers.authorization === undefined ? undefined : trimOws(headers.authorization);
  const bearer = authorization ? BEARER.exec(authorization) : null;
  if (bearer) return bearer[1];
  // A Bearer header that is malformed is refused even beside an X-API-Key: falling back to the
  // other header would serve a request whose two credentials may name two organizations.
  if (authorization && BEARER_SCHEME.test(authorization))
    throw unauthorized(MALFORMED_AUTHORIZATION);
  const apiKey = headers['x-api-key'];
  if (apiKey !== undefined) {
    const key = Array.isArray(apiKey) ? undefined : trimOws(apiKey);
    if (key && SINGLE_TOKEN.test(key)) return key;
    throw unauthorized('The X-API-Key header must hold exactly one API key');
  }
  if (authorization) throw unauthorized(MALFORMED_AUTHORIZATION);
  throw unauthorized(
    'Missing credential: send "Authorization: Bearer <API key or member token>" or "X-API-Key: <API key>"',
  );
}

/**
 * Turns a credential into a Principal. One starting with `expys_` is an organization's API key
 * (looked up by digest); anything else is a member token (signature, expiry, and its organization
 * and environment must still have a configured key).
 */
@Injectable()
export class Authenticator {
  /** The tag member tokens carry for each configured org key, and that key's tenant. */
  private readonly tenantOfKeyTag = new Map<string, string>();

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly tokens: MemberTokenIssuer,
  ) {
    for (const [keyId, tenant] of config.orgKeys.keyIds())
      this.tenantOfKeyTag.set(tokens.keyTag(keyId), tenantKey(tenant));
  }

  /** Whether the credential is an operator key: it opens /health's details, and no tenant's data. */
  isOperatorKey(credential: string): boolean {
    return this.config.operatorKeys.has(credential);
  }

  authenticate(credential: string, now: Date = new Date()): Principal {
    if (credential.startsWith(OPERATOR_KEY_PREFIX)) throw unauthorized('Unknown operator key');
    if (credential.startsWith(ORG_KEY_PREFIX)) {
      const known = this.config.orgKeys.identify(credential);
      if (!known) throw unauthorized('Unknown API key');
      return { kind: 'org', tenant: known.tenant, keyId: known.keyId };
    }
    const check = this.tokens.verify(credential, now);
    if (!check.ok) {
      throw unauthorized(
        check.reason === 'expired' ? 'The member token has expired' : 'Invalid member token',
      );
    }
    const { tenant } = check.principal;
    if (!this.config.orgKeys.hasTenant(tenant)) throw unauthorized('Invalid member token');
    // A token minted with a key that is no longer configured (rotated out, leaked) is revoked.
    if (check.keyTag !== undefined && this.tenantOfKeyTag.get(check.keyTag) !== tenantKey(tenant)) {
      throw unauthorized(
        'The member token was minted with an API key that is no longer valid: exchange a new one',
      );
    }
    return check.principal;
  }
}
