const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

/** FNV-1a: cheap, and spreads ids that differ only in their last characters. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

type Leaf<V> = ReadonlyMap<string, V>;
type Level<V> = ReadonlyArray<Leaf<V> | undefined>;

const emptyLevel = <T>(): Array<T | undefined> => new Array<T | undefined>(WIDTH).fill(undefined);

/**
 * An immutable map from strings for state that events evolve: `set` returns a new map that shares
 * all but one of its 1,024 buckets with the old one, so folding a member's n-th redemption copies
 * about n/1,024 entries instead of all n (a copied Map made a cold load quadratic). Iteration
 * order is by bucket, not by insertion.
 */
export class PersistentMap<V> {
  private static readonly EMPTY = new PersistentMap<never>(emptyLevel(), 0);

  private constructor(
    private readonly root: ReadonlyArray<Level<V> | undefined>,
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return PersistentMap.EMPTY;
  }

  get(key: string): V | undefined {
    const hash = hashOf(key);
    return this.root[hash & MASK]?.[(hash >>> BITS) & MASK]?.get(key);
  }

  has(key: string): boolean {
    const hash = hashOf(key);
    return this.root[hash & MASK]?.[(hash >>> BITS) & MASK]?.has(key) ?? false;
  }

  set(key: string, value: V): PersistentMap<V> {
    const hash = hashOf(key);
    const i = hash & MASK;
    const j = (hash >>> BITS) & MASK;
    const level = this.root[i];
    const leaf = new Map(level?.[j]);
    const added = !leaf.has(key);
    leaf.set(key, value);
    const nextLevel = level ? [...level] : emptyLevel<Leaf<V>>();
    nextLevel[j] = leaf;
    const root = [...this.root];
    root[i] = nextLevel;
    return new PersistentMap(root, this.size + (added ? 1 : 0));
  }

  *values(): IterableIterator<V> {
    for (const level of this.root) {
      if (!level) continue;
      for (const leaf of level) if (leaf) yield* leaf.values();
    }
  }
}
