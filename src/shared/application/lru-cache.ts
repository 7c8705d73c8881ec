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
  /**
   * Where the last eviction stopped. Each eviction used to start a new scan at the Map's head,
   * stepping over every entry deleted since V8 last compacted it, so a miss on a full cache cost
   * time proportional to the capacity; a kept iterator passes each slot once. A Map iterator stays
   * valid across deletions and sees entries appended after it, which is where a second chance
   * puts them. No live entry precedes it except `skipped`.
   */
  private cursor: Iterator<[K, Slot<V>]> | undefined;
  /**
   * The entry being added when the cursor went past it: a scan from the head would still find it
   * there, first, so the next eviction looks at it first if it is still that same slot (deleted, or
   * deleted and added again at the end, it is not).
   */
  private skipped: { key: K; slot: Slot<V> } | undefined;

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

  /**
   * Drops the oldest entry not read since its last chance, never the one being added. Amortised
   * O(1): the cursor only moves forward, and each entry it passes is dropped, was marked by a read
   * or a replacement since the cursor last passed it, or is the one being added.
   */
  private evictOne(adding: K): boolean {
    const skipped = this.skipped;
    if (skipped !== undefined && skipped.key !== adding) {
      this.skipped = undefined;
      const live = this.entries.get(skipped.key) === skipped.slot;
      if (live && this.secondChance(skipped.key, skipped.slot)) return true;
    }
    this.cursor ??= this.entries[Symbol.iterator]();
    for (let next = this.cursor.next(); !next.done; next = this.cursor.next()) {
      const [key, slot] = next.value;
      if (key === adding) {
        this.skipped = { key, slot };
        continue;
      }
      if (this.secondChance(key, slot)) return true;
    }
    // Past the end, which only happens when nothing but `adding` is left: it is at the head now.
    this.cursor = undefined;
    this.skipped = undefined;
    return false;
  }

  /** Drops the entry if unread since its last chance (true), else moves it to the end, unmarked. */
  private secondChance(key: K, slot: Slot<V>): boolean {
    this.entries.delete(key);
    if (!slot.used) return true;
    slot.used = false;
    this.entries.set(key, slot);
    return false;
  }
}
