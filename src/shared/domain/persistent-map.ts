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

/** The bucket of `key`: its index in the root, then in that level. */
function slotOf(key: string): [number, number] {
  const hash = hashOf(key);
  return [hash & MASK, (hash >>> BITS) & MASK];
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
    const [i, j] = slotOf(key);
    return this.root[i]?.[j]?.get(key);
  }

  has(key: string): boolean {
    const [i, j] = slotOf(key);
    return this.root[i]?.[j]?.has(key) ?? false;
  }

  set(key: string, value: V): PersistentMap<V> {
    const [i, j] = slotOf(key);
    const leaf = new Map(this.root[i]?.[j]);
    const added = !leaf.has(key);
    leaf.set(key, value);
    return this.withLeaf(i, j, leaf, added ? 1 : 0);
  }

  /** The map without `key`: this same map when it has no such key. */
  delete(key: string): PersistentMap<V> {
    const [i, j] = slotOf(key);
    const old = this.root[i]?.[j];
    if (!old?.has(key)) return this;
    const leaf = new Map(old);
    leaf.delete(key);
    return this.withLeaf(i, j, leaf.size > 0 ? leaf : undefined, -1);
  }

  /** A copy of this map whose bucket (i, j) is `leaf`: only that bucket's path is new. */
  private withLeaf(i: number, j: number, leaf: Leaf<V> | undefined, grown: number) {
    const level = this.root[i];
    const nextLevel = level ? [...level] : emptyLevel<Leaf<V>>();
    nextLevel[j] = leaf;
    const root = [...this.root];
    root[i] = nextLevel;
    return new PersistentMap(root, this.size + grown);
  }

  *values(): IterableIterator<V> {
    for (const level of this.root) {
      if (!level) continue;
      for (const leaf of level) if (leaf) yield* leaf.values();
    }
  }
}
