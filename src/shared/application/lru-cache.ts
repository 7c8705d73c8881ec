interface Slot<V> {
  value: V;
  /** Read since it was (re)inserted: it gets a second chance before eviction. */
  used: boolean;
}

/**
 * A Map that forgets its least recently used entries beyond a bound, approximately ("second
 * chance"): a read only marks its entry, where moving it to the end would delete and re-insert it
 * on every hit of a hot path; eviction moves marked entries to the end instead of dropping them.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, Slot<V>>();

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

  /** Drops the oldest entry not read since its last chance, never the one being added. */
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
