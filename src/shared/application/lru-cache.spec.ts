import fc from 'fast-check';
import { LruCache } from './lru-cache';

describe('LruCache', () => {
  it('keeps at most its capacity, dropping the entry read least recently', () => {
    const cache = new LruCache<string, number>(3);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1); // a is used: b is now the one to go
    cache.set('d', 4);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, 3, 4]);
  });

  it('drops the oldest when every entry was read, and a replaced value counts as a use', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.get('b');
    cache.set('c', 3); // both had a second chance: a, the oldest, goes
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 20);
    cache.set('d', 4); // c was never read, b was just replaced
    expect([cache.get('b'), cache.get('c'), cache.get('d')]).toEqual([20, undefined, 4]);
  });

  it('forgets a deleted key', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

/** The eviction as first written (a new scan from the Map's head each time): the order to keep. */
class HeadScanCache<K, V> {
  private readonly entries = new Map<K, { value: V; used: boolean }>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const slot = this.entries.get(key);
    if (slot === undefined) return undefined;
    slot.used = true;
    return slot.value;
  }

  set(key: K, value: V): void {
    const slot = this.entries.get(key);
    if (slot) {
      slot.value = value;
      slot.used = true;
      return;
    }
    this.entries.set(key, { value, used: false });
    while (this.entries.size > this.capacity && this.evictOne(key));
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private evictOne(adding: K): boolean {
    for (const [key, slot] of this.entries) {
      if (key === adding) continue;
      this.entries.delete(key);
      if (!slot.used) return true;
      slot.used = false;
      this.entries.set(key, slot);
    }
    return false;
  }
}

/** Counts what `run` does to Maps: scans started at a head, and steps taken by any iterator. */
function countMapWork(run: () => void): { scans: number; steps: number } {
  const counts = { scans: 0, steps: 0 };
  const proto = Map.prototype as unknown as Record<PropertyKey, unknown>;
  const iteratorProto = Object.getPrototypeOf(new Map().entries()) as Record<PropertyKey, unknown>;
  const restore: (() => void)[] = [];
  const wrap = (
    target: Record<PropertyKey, unknown>,
    name: PropertyKey,
    count: 'scans' | 'steps',
  ) => {
    const original = target[name] as (...args: unknown[]) => unknown;
    target[name] = function (this: unknown, ...args: unknown[]) {
      counts[count]++;
      return original.apply(this, args);
    };
    restore.push(() => (target[name] = original));
  };
  for (const name of [Symbol.iterator, 'entries', 'keys', 'values', 'forEach']) {
    wrap(proto, name, 'scans');
  }
  wrap(iteratorProto, 'next', 'steps');
  try {
    run();
  } finally {
    restore.forEach((undo) => undo());
  }
  return counts;
}

describe('LruCache eviction order', () => {
  it('evicts exactly as a scan from the head would, whatever the reads, writes and deletes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('get' as const), key: fc.nat(9) }),
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(9), value: fc.nat() }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat(9) }),
    );
    fc.assert(
      fc.property(fc.nat(6), fc.array(op, { maxLength: 300 }), (capacity, ops) => {
        const cache = new LruCache<number, number>(capacity);
        const reference = new HeadScanCache<number, number>(capacity);
        for (const o of ops) {
          if (o.kind === 'get') expect(cache.get(o.key)).toBe(reference.get(o.key));
          else if (o.kind === 'set') {
            cache.set(o.key, o.value);
            reference.set(o.key, o.value);
          } else {
            cache.delete(o.key);
            reference.delete(o.key);
          }
          expect(cache.size).toBe(reference.size);
        }
        for (let key = 0; key <= 9; key++) expect(cache.get(key)).toBe(reference.get(key));
      }),
      { numRuns: 1000, seed: 20261202 },
    );
  });

  it('after every entry had its second chance, drops next the one that was being added', () => {
    const cache = new LruCache<string, number>(3);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    ['a', 'b', 'c'].forEach((key) => cache.get(key));
    cache.set('d', 4); // a, b, c move behind d, unmarked; a, the first again, goes
    cache.set('e', 5); // d is the oldest now, never read
    expect(['b', 'c', 'd', 'e'].map((key) => cache.get(key))).toEqual([2, 3, undefined, 5]);
  });

  it('gives that entry a second chance if read, and forgets it if deleted and added again', () => {
    const read = new LruCache<string, number>(3);
    const readded = new LruCache<string, number>(3);
    for (const cache of [read, readded]) {
      ['a', 'b', 'c'].forEach((key, i) => cache.set(key, i));
      ['a', 'b', 'c'].forEach((key) => cache.get(key));
      cache.set('d', 3); // d, b, c
    }
    read.get('d');
    read.set('e', 4); // d moves behind e, and b goes
    expect(['b', 'c', 'd', 'e'].map((key) => read.get(key))).toEqual([undefined, 2, 3, 4]);
    readded.delete('d');
    readded.set('d', 30); // b, c, d
    readded.set('e', 4); // b goes
    expect(['b', 'c', 'd', 'e'].map((key) => readded.get(key))).toEqual([undefined, 2, 30, 4]);
  });

  it('never drops the entry being added, even with no room at all', () => {
    const cache = new LruCache<string, number>(0);
    for (const [i, key] of ['a', 'b', 'c', 'a'].entries()) {
      cache.set(key, i);
      expect(cache.size).toBe(1);
      expect(cache.get(key)).toBe(i);
    }
  });
});

describe('LruCache eviction cost', () => {
  const capacity = 1_000;
  const misses = 20_000;

  it('does not rescan the Map from its head for each eviction', () => {
    const cache = new LruCache<number, number>(capacity);
    for (let key = 0; key < capacity; key++) cache.set(key, key);
    let next = capacity;
    // A hot tenth of the entries read between misses, as a skewed working set would.
    const { scans } = countMapWork(() => {
      for (let i = 0; i < misses; i++) {
        for (let hot = 0; hot < 3; hot++) cache.get((i * 7 + hot * 31) % (capacity / 10));
        cache.set(next++, i);
      }
    });
    expect(cache.size).toBe(capacity);
    // Each scan from the head steps over every entry deleted since V8 last compacted the Map: one
    // per eviction made a miss cost time proportional to the capacity.
    expect(scans).toBeLessThanOrEqual(1 + misses / capacity);
  });

  it('steps over a bounded number of entries per eviction even when every entry was read', () => {
    const cache = new LruCache<number, number>(capacity);
    for (let key = 0; key < capacity; key++) cache.set(key, key);
    let next = capacity;
    let reads = 0;
    const { steps } = countMapWork(() => {
      for (let round = 0; round < 20; round++) {
        for (let key = next - capacity; key < next; key++) {
          if (cache.get(key) !== undefined) reads++;
        }
        for (let i = 0; i < capacity; i++) cache.set(next++, i);
      }
    });
    const evictions = 20 * capacity;
    // Each step drops an entry, moves one a read marked, or passes the one being added (<= 1 per
    // eviction), plus one per scan reaching the end.
    expect(steps).toBeLessThanOrEqual(2 * evictions + reads + 20);
  });
});
