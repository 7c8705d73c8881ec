import { HttpException } from '@nestjs/common';
import { Principal, Tenant } from './principal';
import { loadRateLimits, RateLimiter } from './rate-limit';

const acme: Tenant = { orgId: 'acme', environment: 'sandbox' };
const member = (externalUserID: string, tenant = acme): Principal => ({
  kind: 'member',
  tenant: { ...tenant },
  externalUserID,
});
const org: Principal = { kind: 'org', tenant: acme };

/** The answer of one request: 'ok', or the 429's status, code and Retry-After. */
function attempt(limiter: RateLimiter, principal: Principal, nowMs: number) {
  try {
    limiter.take(principal, nowMs);
    return 'ok';
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const body = error.getResponse() as { code: string; retryAfterSeconds: number };
    return [error.getStatus(), body.code, body.retryAfterSeconds];
  }
}

describe('loadRateLimits', () => {
  it('has no limit unless one is set: unset, blank and 0 are none', () => {
    for (const value of [undefined, '', ' ', '0'])
      expect(
        loadRateLimits({ RATE_LIMIT_MEMBER_PER_MINUTE: value, RATE_LIMIT_ORG_PER_MINUTE: value }),
      ).toEqual({ memberPerMinute: undefined, orgPerMinute: undefined });
    expect(
      loadRateLimits({ RATE_LIMIT_MEMBER_PER_MINUTE: ' 120 ', RATE_LIMIT_ORG_PER_MINUTE: '6000' }),
    ).toEqual({ memberPerMinute: 120, orgPerMinute: 6000 });
  });

  it.each(['-1', '1.5', '1e3', 'ten', '1000001'])('refuses %p, naming the variable', (value) => {
    expect(() => loadRateLimits({ RATE_LIMIT_MEMBER_PER_MINUTE: value })).toThrow(
      /^RATE_LIMIT_MEMBER_PER_MINUTE must be a whole number of requests a minute/,
    );
  });
});

describe('RateLimiter', () => {
  it("lets a minute's allowance through at once, then answers 429 RATE_LIMITED until it refills", () => {
    const limiter = new RateLimiter({ memberPerMinute: 3, orgPerMinute: undefined });
    const t0 = 1_000_000;
    expect([0, 1, 2].map((i) => attempt(limiter, member('ann'), t0 + i))).toEqual([
      'ok',
      'ok',
      'ok',
    ]);
    // 3 a minute: one more every 20 s.
    expect(attempt(limiter, member('ann'), t0 + 3)).toEqual([429, 'RATE_LIMITED', 20]);
    expect(attempt(limiter, member('ann'), t0 + 15_000)).toEqual([429, 'RATE_LIMITED', 5]);
    expect(attempt(limiter, member('ann'), t0 + 20_003)).toBe('ok');
    expect(attempt(limiter, member('ann'), t0 + 20_004)).toEqual([429, 'RATE_LIMITED', 20]);
  });

  it('counts each member of each tenant apart, and organizations apart from their members', () => {
    const limiter = new RateLimiter({ memberPerMinute: 1, orgPerMinute: 2 });
    expect(attempt(limiter, member('ann'), 0)).toBe('ok');
    expect(attempt(limiter, member('ann'), 0)).toEqual([429, 'RATE_LIMITED', 60]);
    expect(attempt(limiter, member('bob'), 0)).toBe('ok');
    expect(attempt(limiter, member('ann', { orgId: 'acme', environment: 'live' }), 0)).toBe('ok');
    expect(attempt(limiter, member('ann', { orgId: 'globex', environment: 'sandbox' }), 0)).toBe(
      'ok',
    );
    expect([attempt(limiter, org, 0), attempt(limiter, org, 0)]).toEqual(['ok', 'ok']);
    expect(attempt(limiter, org, 0)).toEqual([429, 'RATE_LIMITED', 30]);
  });

  it('takes a clock that went back as no time passed, not as a debt', () => {
    const limiter = new RateLimiter({ memberPerMinute: 5, orgPerMinute: undefined });
    const t0 = 10_000_000;
    expect(attempt(limiter, member('ann'), t0)).toBe('ok');
    // An hour earlier (a clock set back): the 4 left are still there, and no more.
    const earlier = t0 - 3_600_000;
    expect([1, 2, 3, 4].map(() => attempt(limiter, member('ann'), earlier))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
    expect(attempt(limiter, member('ann'), earlier)).toEqual([429, 'RATE_LIMITED', 12]);
  });

  it('limits nobody whose kind has no limit', () => {
    const limiter = new RateLimiter({ memberPerMinute: 1, orgPerMinute: undefined });
    for (let i = 0; i < 1_000; i++) expect(attempt(limiter, org, 0)).toBe('ok');
  });
});
