import type { EventStore } from '../../src/event-store';

/**
 * An EventStore that hands each call to `target()`, asked at every call, so that a test can count,
 * refuse or swap what is behind it by spreading this and replacing a method or two. No
 * `appendAtomically`: add it where the test wants multi-stream transactions.
 */
export const delegatingStore = (target: () => EventStore): EventStore => ({
  append: (...args) => target().append(...args),
  readStream: (...args) => target().readStream(...args),
  readAll: (...args) => target().readAll(...args),
  subscribeToAll: (...args) => target().subscribeToAll(...args),
  headPosition: () => target().headPosition(),
  close: () => target().close(),
});
