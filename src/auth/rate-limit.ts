import { HttpException, HttpStatus } from '@nestjs/common';
import { wholeNumber } from '../config/whole-number';
import { LruCache } from '../shared/application/lru-cache';
import { tenantKey } from './tenancy';
import { Principal } from './principal';

/** Requests a minute per member token and per organization's key; undefined: no limit. */
export interface RateLimits {
  memberPerMinute: number | undefined;
  orgPerMinute: number | undefined;
}

const MAX_PER_MINUTE = 1_000_000;

/** Reads RATE_LIMIT_MEMBER_PER_MINUTE and RATE_LIMIT_ORG_PER_MINUTE: unset, blank or 0 is no limit. */
export function loadRateLimits(env: NodeJS.ProcessEnv): RateLimits {
  return {
    memberPerMinute: perMinute(env, 'RATE_LIMIT_MEMBER_PER_MINUTE'),
    orgPerMinute: perMinute(env, 'RATE_LIMIT_ORG_PER_MINUTE'),
  };
}

function perMinute(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const expected = `a whole number of requests a minute from 0 (no limit) to ${MAX_PER_MINUTE}`;
  const limit = wholeNumber({ [name]: value }, name, 0, 0, MAX_PER_MINUTE, expected);
  return limit === 0 ? undefined : limit;
}

/** A bucket of `limit` requests, refilled at `limit` a minute: a minute's worth may come at once. */
interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Counts each credential's requests on this replica, in token buckets keyed by the member (within
 * its tenant) or by the organization in its environment. The buckets of credentials not seen for a
 * while are let go first; one let go starts full again, which only ever errs towards letting
 * requests through.
 */
export class RateLimiter {
  private readonly buckets = new LruCache<string, Bucket>(100_000);

  constructor(private readonly limits: RateLimits) {}

  /**
   * Takes one request of `principal`'s allowance, or throws 429 RATE_LIMITED with Retry-After.
   * `nowMs` is monotonic (performance.now): a wall clock set back would empty every bucket.
   */
  take(principal: Principal, nowMs: number = performance.now()): void {
    const limit =
      principal.kind === 'member' ? this.limits.memberPerMinute : this.limits.orgPerMinute;
    if (limit === undefined) return;
    const key =
      principal.kind === 'member'
        ? `member\n${tenantKey(principal.tenant)}\n${principal.externalUserID}`
        : `org\n${tenantKey(principal.tenant)}`;
    const perMs = limit / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: limit, at: nowMs };
    bucket.tokens = Math.min(limit, bucket.tokens + Math.max(0, nowMs - bucket.at) * perMs);
    bucket.at = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    throw new HttpException(
      {
        code: 'RATE_LIMITED',
        message: `More than ${limit} requests a minute with this ${principal.kind === 'member' ? 'member token' : 'API key'}: retry after ${retryAfterSeconds} s (with the same Idempotency-Key)`,
        retryAfterSeconds,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
