/** Which side of an organization's program a request works in; data of the two never mixes. */
export type Environment = 'sandbox' | 'live';

export const ENVIRONMENTS: readonly Environment[] = ['sandbox', 'live'];

export function isEnvironment(value: unknown): value is Environment {
  return value === 'sandbox' || value === 'live';
}

/** The unit of isolation: one organization in one environment. */
export interface Tenant {
  orgId: string;
  environment: Environment;
}

/** Who a request authenticated as: an organization's API key, or a member token. */
export type Principal =
  | {
      kind: 'org';
      tenant: Tenant;
      /** Which of the organization's keys it was (the key's digest): its member tokens name it. */
      keyId?: string;
    }
  | { kind: 'member'; tenant: Tenant; externalUserID: string };
