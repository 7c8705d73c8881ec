import { DEV_OPERATOR_API_KEY, OperatorKeys, parseOperatorApiKeys } from './operator-keys';
import { wholeNumber } from '../config/whole-number';
import { DEV_ORG_API_KEY, OrgKeyRegistry, developmentOrgKeys, parseOrgApiKeys } from './org-keys';
import { RateLimits, loadRateLimits } from './rate-limit';

/** The published webhook development key (docs/webhooks.md), which no other secret may be either. */
export const DEV_WEBHOOK_SIGNING_KEY = 'points-ledger-development-webhook-signing-key';

/** The published development secret (docs/auth.md). Refused in production. */
export const DEV_MEMBER_TOKEN_SECRET = 'points-ledger-development-member-token-secret';
export const DEFAULT_MEMBER_TOKEN_TTL_SECONDS = 3600;
const MIN_SECRET_LENGTH = 32;
/** Fewer different characters than this is a placeholder (`'x'.repeat(32)`), not a random value. */
const MIN_DISTINCT_SECRET_CHARACTERS = 8;
const MAX_TTL_SECONDS = 7 * 24 * 3600;

type DefaultedVariable = 'ORG_API_KEYS' | 'MEMBER_TOKEN_SECRET' | 'OPERATOR_API_KEYS';

export interface AuthConfig {
  orgKeys: OrgKeyRegistry;
  /** Who sees the deployment's details on /health; none when OPERATOR_API_KEYS is not set. */
  operatorKeys: OperatorKeys;
  memberTokenSecret: string;
  memberTokenTtlSeconds: number;
  /** Requests a minute per member token and per org key, on each replica (none by default). */
  rateLimits: RateLimits;
  /** True when a published development default stands in for one of the variables. */
  usingDevelopmentDefaults: boolean;
  /** Which of the variables were defaulted. */
  developmentDefaults: readonly DefaultedVariable[];
}

/**
 * Whether NODE_ENV asks for production: `production` or `prod`, in any case, blanks around it
 * ignored. The one place that decides it (loadConfig's `production` reads it too): a near miss such
 * as `PRODUCTION` must not start on the published development key and secret.
 */
export function isProduction(env: NodeJS.ProcessEnv): boolean {
  const value = env.NODE_ENV?.trim().toLowerCase();
  return value === 'production' || value === 'prod';
}

/**
 * Whether `secret` is one of the published `values`, also as it arrives from a file (a trailing
 * newline) or retyped in another case: each is one guess away from it.
 */
function spellsOneOf(secret: string, values: readonly string[]): boolean {
  const spelled = secret.trim().toLowerCase();
  return values.some((value) => value.toLowerCase() === spelled);
}

const isDevelopmentSecret = (secret: string) => spellsOneOf(secret, [DEV_MEMBER_TOKEN_SECRET]);

/**
 * Why `secret`, the value of the variable `name`, cannot sign what the service signs (member
 * tokens, webhooks), or null: anyone who guesses it, or holds it for another purpose, could sign
 * in the service's name. `published`: the development values of docs/auth.md and docs/webhooks.md
 * it must not be (its own is refused elsewhere, with the production rule).
 */
export function weakSecretProblem(
  name: string,
  secret: string,
  holders: { orgKeys: OrgKeyRegistry; operatorKeys: OperatorKeys },
  published: readonly string[],
): string | null {
  const characters = secret.replace(/\s/gu, '');
  if (characters.length < MIN_SECRET_LENGTH) {
    return `${name} must have at least ${MIN_SECRET_LENGTH} characters that are not white space`;
  }
  const distinct = new Set(characters).size;
  if (distinct < MIN_DISTINCT_SECRET_CHARACTERS) {
    return `${name} has only ${distinct} different characters: use a random value, such as the output of \`openssl rand -base64 32\``;
  }
  if (spellsOneOf(secret, [DEV_ORG_API_KEY, DEV_OPERATOR_API_KEY, ...published])) {
    return `${name} must not be a key or secret published in the docs (a development value): anybody could sign with it`;
  }
  if (holders.orgKeys.hasKey(secret.trim())) {
    return `${name} must not be one of the keys of ORG_API_KEYS (the clients hold those)`;
  }
  if (holders.operatorKeys.has(secret.trim())) {
    return `${name} must not be one of the keys of OPERATOR_API_KEYS`;
  }
  return null;
}

const DEVELOPMENT_OPERATOR_KEYS = new OperatorKeys([DEV_OPERATOR_API_KEY]);

/**
 * OPERATOR_API_KEYS, or when it is not set: the published development key beside the development
 * org key (a development start serves one organization, so its details are that organization's),
 * and otherwise no operator key at all (`ledger status` still shows the details on the host).
 */
function loadOperatorKeys(
  env: NodeJS.ProcessEnv,
  production: boolean,
  developmentOrgKeysInUse: boolean,
): OperatorKeys {
  const value = env.OPERATOR_API_KEYS?.trim();
  if (!value) return developmentOrgKeysInUse ? DEVELOPMENT_OPERATOR_KEYS : new OperatorKeys([]);
  const keys = parseOperatorApiKeys(value);
  if (production && keys.has(DEV_OPERATOR_API_KEY)) {
    throw new Error(
      'OPERATOR_API_KEYS must not contain the published development key when NODE_ENV=production',
    );
  }
  return keys;
}

/**
 * Reads ORG_API_KEYS, OPERATOR_API_KEYS, MEMBER_TOKEN_SECRET and MEMBER_TOKEN_TTL_SECONDS.
 * Outside production a missing key list falls back to the published development key, and with it
 * a missing secret and operator key list to the published development ones. Real keys need a real
 * secret whatever NODE_ENV says: signed with the published one, anybody could mint tokens for
 * their members. With NODE_ENV=production (see isProduction) either one missing (or set to the
 * development value) stops start-up.
 */
export function loadAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const production = isProduction(env);
  const keysValue = env.ORG_API_KEYS?.trim() || undefined;
  const secretValue = env.MEMBER_TOKEN_SECRET || undefined;
  const defaulted: DefaultedVariable[] = [];

  if (production && (!keysValue || !secretValue)) {
    const missing = [!keysValue && 'ORG_API_KEYS', !secretValue && 'MEMBER_TOKEN_SECRET'].filter(
      Boolean,
    );
    throw new Error(
      `${missing.join(' and ')} must be set when NODE_ENV=production (the development defaults are refused); see docs/auth.md`,
    );
  }

  let orgKeys: OrgKeyRegistry;
  if (keysValue) {
    orgKeys = parseOrgApiKeys(keysValue);
    if (production && orgKeys.hasKey(DEV_ORG_API_KEY)) {
      throw new Error(
        'ORG_API_KEYS must not contain the published development key when NODE_ENV=production',
      );
    }
  } else {
    orgKeys = developmentOrgKeys();
    defaulted.push('ORG_API_KEYS');
  }

  const operatorKeys = loadOperatorKeys(env, production, keysValue === undefined);
  if (operatorKeys === DEVELOPMENT_OPERATOR_KEYS) defaulted.push('OPERATOR_API_KEYS');

  let memberTokenSecret: string;
  if (keysValue && (!secretValue || isDevelopmentSecret(secretValue))) {
    throw new Error(
      'MEMBER_TOKEN_SECRET must be set, and not to the published development secret, when ORG_API_KEYS is (anybody could sign member tokens for your organizations); see docs/auth.md',
    );
  }
  if (secretValue) {
    const problem = weakSecretProblem(
      'MEMBER_TOKEN_SECRET',
      secretValue,
      { orgKeys, operatorKeys },
      [DEV_WEBHOOK_SIGNING_KEY],
    );
    if (problem) throw new Error(problem);
    if (production && isDevelopmentSecret(secretValue)) {
      throw new Error(
        'MEMBER_TOKEN_SECRET must not be the published development secret when NODE_ENV=production',
      );
    }
    memberTokenSecret = secretValue;
  } else {
    memberTokenSecret = DEV_MEMBER_TOKEN_SECRET;
    defaulted.push('MEMBER_TOKEN_SECRET');
  }

  return {
    orgKeys,
    operatorKeys,
    memberTokenSecret,
    // Read as the other numbers are (wholeNumber): an empty or padded value stops the start.
    memberTokenTtlSeconds: wholeNumber(
      env,
      'MEMBER_TOKEN_TTL_SECONDS',
      DEFAULT_MEMBER_TOKEN_TTL_SECONDS,
      1,
      MAX_TTL_SECONDS,
      `a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`,
    ),
    rateLimits: loadRateLimits(env),
    usingDevelopmentDefaults: defaulted.length > 0,
    developmentDefaults: defaulted,
  };
}
