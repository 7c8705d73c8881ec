import { HttpException } from '@nestjs/common';
import { Principal } from './principal';
import { memberFilter, parseTenantKey, resolveMember, sameTenant, tenantKey } from './tenancy';

const ORG: Principal = { kind: 'org', tenant: { orgId: 'acme', environment: 'sandbox' } };
const MEMBER: Principal = {
  kind: 'member',
  tenant: { orgId: 'acme', environment: 'sandbox' },
  externalUserID: 'u-1',
};

function failure(run: () => unknown): { status: number; body: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpException)
      return { status: error.getStatus(), body: error.getResponse() };
    throw error;
  }
  throw new Error('expected an HttpException');
}

describe('resolveMember', () => {
  it('gives a member itself, whether or not it names itself', () => {
    expect(resolveMember(MEMBER)).toBe('u-1');
    expect(resolveMember(MEMBER, '')).toBe('u-1');
    expect(resolveMember(MEMBER, 'u-1')).toBe('u-1');
  });

  it('answers a member naming another member 404, so it cannot probe', () => {
    expect(failure(() => resolveMember(MEMBER, 'u-2'))).toEqual({
      status: 404,
      body: { code: 'NOT_FOUND', message: 'Not found' },
    });
  });

  it('gives an org the member it names', () => {
    expect(resolveMember(ORG, 'u-9')).toBe('u-9');
  });

  it('answers an org that names no member 400 VALIDATION_FAILED', () => {
    for (const given of [undefined, null, '']) {
      expect(failure(() => resolveMember(ORG, given))).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED', message: 'externalUserID is required' },
      });
    }
  });

  it('answers an org that names an invalid member 400 VALIDATION_FAILED', () => {
    for (const given of ['x'.repeat(129), 'a\u0000b', 'line\nbreak', ' ', '   ', '\u00a0\u3000']) {
      expect(failure(() => resolveMember(ORG, given))).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED', details: { fields: [{ field: 'externalUserID' }] } },
      });
    }
  });
});

describe('memberFilter', () => {
  it("narrows a member's list to itself, named or not, and another member is 404", () => {
    for (const given of [undefined, '', 'u-1']) expect(memberFilter(MEMBER, given)).toBe('u-1');
    expect(failure(() => memberFilter(MEMBER, 'u-2'))).toMatchObject({ status: 404 });
  });

  it("gives an org every member's when it names none, else the one it names", () => {
    expect(memberFilter(ORG, undefined)).toBeUndefined();
    expect(memberFilter(ORG, 'u-9')).toBe('u-9');
  });

  it("answers an org that sends an empty member 400, not every member's records", () => {
    expect(failure(() => memberFilter(ORG, ''))).toEqual({
      status: 400,
      body: {
        code: 'VALIDATION_FAILED',
        message: "externalUserID must not be empty: leave it out to list every member's records",
        details: {
          fields: [
            {
              field: 'externalUserID',
              problems: [
                "externalUserID must not be empty: leave it out to list every member's records",
              ],
            },
          ],
        },
      },
    });
  });
});

describe('tenantKey', () => {
  it('names environment then org, and parses back', () => {
    expect(tenantKey({ orgId: 'dev-org', environment: 'sandbox' })).toBe('sandbox.dev-org');
    expect(tenantKey({ orgId: 'a.b', environment: 'live' })).toBe('live.a.b');
    expect(parseTenantKey('live.a.b')).toEqual({ orgId: 'a.b', environment: 'live' });
    expect(parseTenantKey('test.acme')).toBeUndefined();
    expect(parseTenantKey('sandbox.')).toBeUndefined();
    expect(parseTenantKey('sandbox')).toBeUndefined();
  });

  it('keeps environments and orgs apart', () => {
    const keys = new Set([
      tenantKey({ orgId: 'acme', environment: 'sandbox' }),
      tenantKey({ orgId: 'acme', environment: 'live' }),
      tenantKey({ orgId: 'globex', environment: 'sandbox' }),
    ]);
    expect(keys.size).toBe(3);
    expect(
      sameTenant({ orgId: 'acme', environment: 'live' }, { orgId: 'acme', environment: 'sandbox' }),
    ).toBe(false);
  });
});
