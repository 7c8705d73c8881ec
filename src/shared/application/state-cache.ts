import { LruCache } from './lru-cache';

/** A stream's folded state and the revision it reflects ('no_stream' for a stream not yet written). */
export interface Versioned<S> {
  state: S;
  revision: bigint | 'no_stream';
  /** The stream has moved past `revision` (an append conflicted): read what came after it. */
  stale?: true;
}

/** The revision the next event appended after `revision` gets. */
export const nextRevision = (revision: bigint | 'no_stream'): bigint =>
  revision === 'no_stream' ? 0n : revision + 1n;

/** STATE_CACHE_SIZE when unset. */
export const DEFAULT_STATE_CACHE_SIZE = 100_000;

/**
 * Folded aggregate states by stream name, shared by every aggregate so that anything which learns a
 * stream changed under it can drop that one entry.
 */
export class StateCache {
  private readonly states: LruCache<string, Versioned<unknown>>;

  constructor(capacity = DEFAULT_STATE_CACHE_SIZE) {
    this.states = new LruCache(capacity);
  }

  get<S>(stream: string): Versioned<S> | undefined {
    return this.states.get(stream) as Versioned<S> | undefined;
  }

  set<S>(stream: string, versioned: Versioned<S>): void {
    this.states.set(stream, versioned);
  }

  /**
   * The stream moved past the cached revision. The entry is kept, as the state at that revision
   * (every cached revision was read or written), and the next load reads only what came after.
   */
  markStale(stream: string): void {
    const entry = this.states.get(stream);
    if (entry) this.states.set(stream, { ...entry, stale: true });
  }
}
