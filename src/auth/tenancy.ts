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
    throw invalidExternalUserID('externalUserID is required');
  }
  if (!EXTERNAL_USER_ID_PATTERN.test(given)) {
    throw invalidExternalUserID(`externalUserID must be ${EXTERNAL_USER_ID_RULE}`);
  }
  return given;
}

/**
 * The member a list is narrowed to: a member token's own always; for an org key the member it
 * names, or none (every member's) when the parameter is left out. An empty value from an org key
 * is 400: a caller whose customer id came out empty would otherwise get every member's records
 * and might show them as that customer's (as `?email=` on GET /v1/members).
 */
export function memberFilter(principal: Principal, given: string | undefined): string | undefined {
  if (principal.kind === 'member') return resolveMember(principal, given);
  if (given !== '') return given;
  throw invalidExternalUserID(
    "externalUserID must not be empty: leave it out to list every member's records",
  );
}

const invalidExternalUserID = (problem: string) =>
  new BadRequestException({
    code: 'VALIDATION_FAILED',
    message: problem,
    details: { fields: [{ field: 'externalUserID', problems: [problem] }] },
  });

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
