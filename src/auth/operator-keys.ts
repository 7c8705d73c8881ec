import { sha256Hex } from '../shared/application/sha256';

/**
 * An operator key opens the deployment's details on `/health` and `/metrics`, nothing else. They span every
 * tenant (the head of $all, each projection's position, an error that may quote any tenant's
 * event), so no organization's key may see them: one deployment serves many organizations.
 */
export const OPERATOR_KEY_PREFIX = 'pl_operator_';
/** The published development operator key (docs/auth.md), only beside the development org key. */
export const DEV_OPERATOR_API_KEY = 'pl_operator_development_00000000000000000000';
const OPERATOR_KEY_PATTERN = /^pl_operator_([A-Za-z0-9_-]+)$/;
const MIN_RANDOM_LENGTH = 32;
const MAX_RANDOM_LENGTH = 256;

/** Why `key` is not a well-formed operator key, or null. */
function operatorKeyProblem(key: string): string | null {
  const random = OPERATOR_KEY_PATTERN.exec(key)?.[1];
  if (random === undefined)
    return `the key must look like ${OPERATOR_KEY_PREFIX}<random> (random: A-Z a-z 0-9 _ -)`;
  if (random.length < MIN_RANDOM_LENGTH)
    return `the key's random part must have at least ${MIN_RANDOM_LENGTH} characters`;
  if (random.length > MAX_RANDOM_LENGTH)
    return `the key's random part must have at most ${MAX_RANDOM_LENGTH} characters`;
  return null;
}

/** The operator keys, held as sha256 digests, as OrgKeyRegistry holds the org keys. */
export class OperatorKeys {
  private readonly digests: ReadonlySet<string>;

  constructor(keys: readonly string[]) {
    const digests = new Set<string>();
    keys.forEach((key, index) => {
      const problem = operatorKeyProblem(key);
      if (problem) throw new Error(`OPERATOR_API_KEYS entry ${index + 1}: ${problem}`);
      const digest = sha256Hex(key);
      if (digests.has(digest))
        throw new Error(`OPERATOR_API_KEYS entry ${index + 1}: the key is listed twice`);
      digests.add(digest);
    });
    this.digests = digests;
  }

  /** Whether `credential` is one of the keys. Only a credential with the prefix is hashed. */
  has(credential: string): boolean {
    if (!credential.startsWith(OPERATOR_KEY_PREFIX) || credential.length > 512) return false;
    return this.digests.has(sha256Hex(credential));
  }

  get size(): number {
    return this.digests.size;
  }
}

/** Parses OPERATOR_API_KEYS: comma-separated keys, blanks around each ignored; strict. */
export function parseOperatorApiKeys(value: string): OperatorKeys {
  return new OperatorKeys(value.split(',').map((entry) => entry.trim()));
}
