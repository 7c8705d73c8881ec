import { BadRequestException, NotFoundException } from '@nestjs/common';
import { EXTERNAL_USER_ID_PATTERN, EXTERNAL_USER_ID_RULE } from '../shared/domain/external-user-id';
import { Principal, Tenant, isEnvironment } from './principal';

/**
 * The member a request acts on.
 * - A member token acts on its own member only. Naming another externalUserID is answered 404
 *   NOT_FOUND (not 403), so a member cannot probe which other members exist.
 * - An org key acts on the member it names; none named is 400 VALIDATION_FAILED.
 * An empty string counts as "not given" (as `?externalUserID=` arrives).
 */
export function resolveMember(
  principal: Principal,
  externalUserIDFromRequest?: string | null,
): string {
  const given = externalUserIDFromRequest || undefined;
  if (principal.kind === 'member') {
    if (given !== undefined && given !== principal.externalUserID) {
      throw new NotFoundException({ code: 'NOT_FOUND', message: 'Not found' });
    }
    return principal.externalUserID;
  }
  if (given === undefined) {
    throw new BadRequestException({
      code: 'VALIDATION_FAILED',
      message: 'externalUserID is required',
      details: { fields: [{ field: 'externalUserID', problems: ['externalUserID is required'] }] },
    });
  }
  if (!EXTERNAL_USER_ID_PATTERN.test(given)) {
    const problem = `externalUserID must be ${EXTERNAL_USER_ID_RULE}`;
    throw new BadRequestException({
      code: 'VALIDATION_FAILED',
      message: problem,
      details: { fields: [{ field: 'externalUserID', problems: [problem] }] },
    });
  }
  return given;
}

/**
 * A stable, unambiguous name for a tenant, for stream names and read-model keys:
 * `<environment>.<orgId>`, e.g. `sandbox.dev-org`. The environment has no dot, so the first dot
 * splits it back (parseTenantKey).
 */
export function tenantKey(tenant: Tenant): string {
  return `${tenant.environment}.${tenant.orgId}`;
}

export function parseTenantKey(key: string): Tenant | undefined {
  const dot = key.indexOf('.');
  const environment = key.slice(0, dot);
  const orgId = key.slice(dot + 1);
  if (dot < 0 || !isEnvironment(environment) || orgId.length === 0) return undefined;
  return { orgId, environment };
}

/** Whether two tenants are the same organization in the same environment. */
export function sameTenant(a: Tenant, b: Tenant): boolean {
  return a.orgId === b.orgId && a.environment === b.environment;
}
