import { LruCache } from './lru-cache';

/** A stream's folded state and the revision it reflects ('no_stream' for a stream not yet written). */
export interface Versioned<S> {
  state: S;
  revision: bigint | 'no_stream';
}

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

  forget(stream: string): void {
    this.states.delete(stream);
  }
}
