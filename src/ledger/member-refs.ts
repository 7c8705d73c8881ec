import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  StreamUnreadableError,
  WrongExpectedVersionError,
} from '../event-store/event-store.errors';
import { EventStore, NO_STREAM } from '../event-store/event-store.port';
import { sha256Hex } from '../shared/application/sha256';
import { LruCache } from '../shared/application/lru-cache';
import { MEMBER_REF_HEX } from './streams';

/**
 * How a member's digest (its `memberRef`: the wallet stream's id, and the first part of its
 * redemption ids) is made from the tenant and the company's member id. A redemption id leaves the
 * service, so the digest must not let its holder confirm a guessed member id (an email): it is an
 * HMAC under a key chosen for the store. Stores written before the key existed keep the plain
 * SHA-256 that named their wallet streams, since a stream's name cannot change.
 */
export type MemberRefScheme = { kind: 'hmac-sha256'; key: string } | { kind: 'sha256' };

/** The stream that records the scheme of a store: one event, written once, by whoever is first. */
export const MEMBER_REF_SCHEME_STREAM = 'settings-memberrefs';
export const MEMBER_REF_SCHEME_CHOSEN = 'MemberRefSchemeChosen';
const KEY_BYTES = 32;

/** The digests of one scheme, recently seen members cached: a hot member is hashed once. */
export class MemberRefs {
  private readonly recent = new LruCache<string, string>(100_000);
  private readonly key: Buffer | null;

  constructor(readonly scheme: MemberRefScheme) {
    this.key = scheme.kind === 'hmac-sha256' ? Buffer.from(scheme.key, 'hex') : null;
  }

  of(tenantKey: string, externalUserID: string): string {
    const text = `${tenantKey}\n${externalUserID}`;
    let ref = this.recent.get(text);
    if (ref === undefined) {
      const digest = this.key
        ? createHmac('sha256', this.key).update(text).digest('hex')
        : sha256Hex(text);
      ref = digest.slice(0, MEMBER_REF_HEX);
      this.recent.set(text, ref);
    }
    return ref;
  }
}

/** The scheme recorded in the store, or undefined when none is. */
async function recordedScheme(store: EventStore): Promise<MemberRefScheme | undefined> {
  const [chosen] = await store.readStream(MEMBER_REF_SCHEME_STREAM, { maxCount: 1 });
  if (chosen === undefined) return undefined;
  const data = chosen.data as Partial<{ kind: unknown; key: unknown }>;
  if (
    data.kind === 'hmac-sha256' &&
    typeof data.key === 'string' &&
    /^[0-9a-f]{64}$/.test(data.key)
  )
    return { kind: 'hmac-sha256', key: data.key };
  // Guessing would name every member's wallet anew, away from its events. The data is not quoted:
  // it may hold the key.
  throw new StreamUnreadableError(
    chosen.stream,
    chosen.revision,
    chosen.position,
    `${chosen.type} of kind ${JSON.stringify(data.kind) ?? 'none'}: this version reads kind hmac-sha256 with a key of 64 hex characters`,
  );
}

/**
 * The store's scheme as recorded, without writing one: for readers that must not write (the CLI).
 * A store that records none names its wallets, if it has any, by the plain digest (loadMemberRefs
 * keeps that scheme for a store with wallets and no record); one with no wallet has no stream under
 * any name, so the plain digest names a stream that reads as empty there too. No read of `$all`.
 */
export async function recordedMemberRefs(store: EventStore): Promise<MemberRefs> {
  return new MemberRefs((await recordedScheme(store)) ?? { kind: 'sha256' });
}

/** Whether the store holds a wallet event: one named before schemes were recorded, if there is none. */
async function holdsWallets(store: EventStore): Promise<boolean> {
  const filter = { streamNamePrefixes: [WALLET_STREAMS] };
  return (await store.readAll({ filter, maxCount: 1 })).length > 0;
}
const WALLET_STREAMS = 'wallet-';

/**
 * The store's scheme: the recorded one; else, in a store with no wallet yet, a new key, recorded
 * with the expectation that the stream does not exist, so that of two replicas choosing at once
 * one wins and the other reads its choice; else (wallets written before schemes were recorded,
 * named by the plain digest) the plain digest, which such a store keeps for good: its wallets stay.
 */
export async function loadMemberRefs(store: EventStore): Promise<MemberRefs> {
  const recorded = await recordedScheme(store);
  if (recorded) return new MemberRefs(recorded);
  if (await holdsWallets(store)) return new MemberRefs({ kind: 'sha256' });
  const scheme: MemberRefScheme = {
    kind: 'hmac-sha256',
    key: randomBytes(KEY_BYTES).toString('hex'),
  };
  try {
    await store.append(
      MEMBER_REF_SCHEME_STREAM,
      [
        {
          id: randomUUID(),
          type: MEMBER_REF_SCHEME_CHOSEN,
          data: scheme,
          metadata: { schemaVersion: 1, occurredAt: new Date().toISOString() },
        },
      ],
      NO_STREAM,
    );
    return new MemberRefs(scheme);
  } catch (error) {
    if (!(error instanceof WrongExpectedVersionError)) throw error;
    return loadMemberRefs(store); // another replica chose first: its choice is recorded
  }
}

/**
 * The store's MemberRefs, loaded once at first need; a load that fails (the store unreachable) is
 * tried again by the next command rather than kept.
 */
export class MemberRefsOfStore {
  private loading: Promise<MemberRefs> | undefined;

  constructor(private readonly store: EventStore) {}

  get(): Promise<MemberRefs> {
    this.loading ??= loadMemberRefs(this.store).catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  /** The digest of a member of a tenant, once the store's scheme is loaded. */
  async of(tenantKey: string, externalUserID: string): Promise<string> {
    return (await this.get()).of(tenantKey, externalUserID);
  }
}
