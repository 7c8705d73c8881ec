import { sha256Hex } from '../shared/application/sha256';
import { Environment, Tenant } from './principal';

/** The organization a development start-up (no ORG_API_KEYS, NODE_ENV not production) serves. */
export const DEV_ORG_ID = 'dev-org';
/** Its published sandbox key (docs/auth.md). Refused in production. */
export const DEV_ORG_API_KEY = 'expys_sandbox_dev_0000000000000000';

/** Every org key starts with this; clients classify credentials by it. */
export const ORG_KEY_PREFIX = 'expys_';
/**
 * No '.': it separates environment, organization and id in stream names (`wallet-sandbox.acme.<ref>`),
 * so an org id with a dot could make one tenant's stream prefix match another tenant's streams.
 */
export const ORG_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** `expys_<environment>_<random>`, the random part 16 to 256 URL-safe characters. */
const ORG_KEY_PATTERN = /^expys_(sandbox|live)_([A-Za-z0-9_-]+)$/;
const MIN_RANDOM_LENGTH = 16;
const MAX_RANDOM_LENGTH = 256;

export interface OrgKeyEntry {
  orgId: string;
  key: string;
}

function digest(key: string): string {
  return sha256Hex(key);
}

/** A key's environment when it is well formed, otherwise the reason it is not. */
export function classifyOrgKey(key: string): { environment: Environment } | { problem: string } {
  const match = ORG_KEY_PATTERN.exec(key);
  if (!match)
    return {
      problem:
        'the key must look like expys_sandbox_<random> or expys_live_<random> (random: A-Z a-z 0-9 _ -)',
    };
  const random = match[2];
  if (random.length < MIN_RANDOM_LENGTH)
    return { problem: `the key's random part must have at least ${MIN_RANDOM_LENGTH} characters` };
  if (random.length > MAX_RANDOM_LENGTH)
    return { problem: `the key's random part must have at most ${MAX_RANDOM_LENGTH} characters` };
  return { environment: match[1] as Environment };
}

/**
 * How an error names an entry's org, cut to 64 characters. Never a text that may be a key: an
 * entry written `<key>:<orgId>` puts the key where the orgId belongs.
 */
function orgLabel(orgId: string): string {
  if (orgId.startsWith('expys_')) return '(its orgId looks like a key: write <orgId>:<key>)';
  return `(org '${orgId.length > 64 ? `${orgId.slice(0, 64)}…` : orgId}')`;
}

/**
 * The organizations' API keys, held only as sha256 digests: a lookup hashes the presented key and
 * finds its digest in a map, so no secret is ever compared character by character.
 */
export class OrgKeyRegistry {
  private readonly byDigest = new Map<string, Tenant>();
  private readonly tenants = new Set<string>();

  constructor(entries: readonly OrgKeyEntry[]) {
    entries.forEach((entry, index) => {
      const where = `ORG_API_KEYS entry ${index + 1} ${orgLabel(entry.orgId)}`;
      if (!ORG_ID_PATTERN.test(entry.orgId)) {
        throw new Error(
          `${where}: the orgId must be 1-64 characters of A-Z a-z 0-9 _ - (no dot: it separates names in stream ids)`,
        );
      }
      const kind = classifyOrgKey(entry.key);
      if ('problem' in kind) throw new Error(`${where}: ${kind.problem}`);
      const hash = digest(entry.key);
      if (this.byDigest.has(hash)) throw new Error(`${where}: the key is listed twice`);
      const tenant: Tenant = { orgId: entry.orgId, environment: kind.environment };
      this.byDigest.set(hash, tenant);
      this.tenants.add(`${tenant.environment}.${tenant.orgId}`);
    });
  }

  /** The tenant a key belongs to, or undefined for an unknown or malformed key. */
  lookup(key: string): Tenant | undefined {
    return this.identify(key)?.tenant;
  }

  /** The tenant of a configured key and the key's id (its digest, never the key), or undefined. */
  identify(key: string): { tenant: Tenant; keyId: string } | undefined {
    if (key.length > 512) return undefined;
    const keyId = digest(key);
    const tenant = this.byDigest.get(keyId);
    return tenant && { tenant: { ...tenant }, keyId };
  }

  /** Every configured key's id and the tenant it serves. */
  keyIds(): ReadonlyArray<readonly [string, Tenant]> {
    return [...this.byDigest].map(([id, tenant]) => [id, { ...tenant }] as const);
  }

  /** Whether some configured key still serves this organization in this environment. */
  hasTenant(tenant: Tenant): boolean {
    return this.tenants.has(`${tenant.environment}.${tenant.orgId}`);
  }

  hasKey(key: string): boolean {
    return this.byDigest.has(digest(key));
  }

  get size(): number {
    return this.byDigest.size;
  }

  get organizationCount(): number {
    return new Set([...this.byDigest.values()].map((t) => t.orgId)).size;
  }
}

/**
 * Parses ORG_API_KEYS: comma-separated `<orgId>:<key>` pairs, whitespace around an entry ignored.
 * Strict: an empty or malformed entry, a bad orgId, a malformed key or a key listed twice throws.
 * Error messages name the entry and, when it has a ':', its org; never the key.
 */
export function parseOrgApiKeys(value: string): OrgKeyRegistry {
  const entries = value.split(',').map((raw, index) => {
    const entry = raw.trim();
    const separator = entry.indexOf(':');
    // Without a ':' the entry may be a key alone, so it names no org.
    if (separator < 0) throw new Error(`ORG_API_KEYS entry ${index + 1}: expected <orgId>:<key>`);
    const orgId = entry.slice(0, separator).trim();
    if (entry.indexOf(':', separator + 1) >= 0) {
      throw new Error(`ORG_API_KEYS entry ${index + 1} ${orgLabel(orgId)}: expected <orgId>:<key>`);
    }
    return { orgId, key: entry.slice(separator + 1).trim() };
  });
  return new OrgKeyRegistry(entries);
}

/** The development registry: org `dev-org` with the published sandbox key. */
export function developmentOrgKeys(): OrgKeyRegistry {
  return new OrgKeyRegistry([{ orgId: DEV_ORG_ID, key: DEV_ORG_API_KEY }]);
}
