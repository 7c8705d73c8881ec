import type { WriteSetBuilder } from './write-set';

/**
 * Rows a projection reads and changes, kept in memory across commits: a hot row (an
 * organization's totals, an active member's wallet) is read once and written once per commit,
 * not once per event. Changed rows stay until written; clean ones are evicted past `capacity`.
 * The cache is right only while nobody else writes the tables: the engine resets the projection,
 * and with it this cache (`reset`), after a failure or when the stored checkpoint is not the one
 * it wrote.
 *
 * Keys are (tenant, id) in two levels of maps rather than one concatenated string: the ids are
 * strings parsed from the event, whose hash V8 computes once, where a fresh concatenation would be
 * hashed again on every lookup.
 */
const MAX_KNOWN = 4_000_000;

/** Rows carry the number of the write they are due in: cheaper than a Set of changed rows. */
export interface Cached {
  dueIn?: number;
  /** Set when the cache let the row go: whoever kept a reference to it must look it up again. */
  evicted?: boolean;
}

export class RowCache<R extends Cached> {
  private readonly tenants = new Map<string, Map<string, R>>();
  private dirty: R[] = [];
  private epoch = 0;
  private size = 0;
  /** The table started empty and no row has left the cache since: it holds every row there is. */
  private complete = false;
  /**
   * Once such a cache has let rows go: the ids of every row the table has, so that a miss still
   * needs no lookup. Built only then: while the cache is complete, it is its own list of ids.
   */
  private known: Map<string, Set<string>> | null = null;
  private knownCount = 0;

  /** `load` reads a row from the table (called only for a row that may be there); `save` writes one. */
  constructor(
    private readonly capacity: number,
    private readonly load: (tenant: string, id: string) => R | undefined,
    private readonly save: (row: R, out: WriteSetBuilder) => void,
  ) {}

  /** The cached row, else the stored one (kept from now on), else undefined. */
  find(tenant: string, id: string): R | undefined {
    const cached = this.tenants.get(tenant)?.get(id);
    if (cached || this.surelyNotStored(tenant, id)) return cached;
    const stored = this.load(tenant, id);
    return stored && this.keep(tenant, id, stored);
  }

  /** Keeps a row: one read from the table, or a new one its projection will mark changed. */
  keep(tenant: string, id: string, row: R): R {
    let rows = this.tenants.get(tenant);
    if (!rows) this.tenants.set(tenant, (rows = new Map()));
    const before = rows.size;
    rows.set(id, row);
    if (rows.size !== before) this.size++;
    if (this.known) this.remember(tenant, id);
    return row;
  }

  /** Keeps a new or changed row and marks it for the next write. */
  put(tenant: string, id: string, row: R): void {
    this.keep(tenant, id, row);
    this.touch(row);
  }

  /** Marks a row this cache already holds as changed. */
  touch(row: R): void {
    if (row.dueIn === this.epoch) return;
    row.dueIn = this.epoch;
    this.dirty.push(row);
  }

  get pending(): number {
    return this.dirty.length;
  }

  write(out: WriteSetBuilder): void {
    for (const row of this.dirty) this.save(row, out);
    this.dirty = [];
    this.epoch++;
  }

  /** Call once what was written is stored: a row evicted earlier could be read back stale. */
  trim(): void {
    if (this.size > this.capacity) this.evict();
  }

  /** Drops every row held; `empty`: the table holds no rows now (its projection's checkpoint is -1). */
  reset(empty: boolean): void {
    this.tenants.clear();
    this.dirty = [];
    this.epoch++;
    this.size = 0;
    this.complete = empty;
    this.known = null;
    this.knownCount = 0;
  }

  /**
   * For a row the cache does not hold: true when it certainly is not stored either, because the
   * table started empty and never had it. A complete cache holds every row, so a miss settles it.
   */
  private surelyNotStored(tenant: string, id: string): boolean {
    return this.complete || (this.known !== null && !this.known.get(tenant)?.has(id));
  }

  private remember(tenant: string, id: string): void {
    if (!this.known) return;
    let ids = this.known.get(tenant);
    if (!ids) this.known.set(tenant, (ids = new Set()));
    if (ids.has(id)) return;
    ids.add(id);
    // Past a few million ids the set costs more memory than the lookups it saves.
    if (++this.knownCount > MAX_KNOWN) this.known = null;
  }

  /** The cache is about to let rows go: from now on it keeps a list of the ids it has had. */
  private rememberAll(): void {
    this.complete = false;
    this.known = new Map();
    for (const [tenant, rows] of this.tenants)
      for (const id of rows.keys()) this.remember(tenant, id);
  }

  /** Drops the oldest clean rows down to half (Map order is insertion order: close enough to LRU). */
  private evict(): void {
    if (this.complete) this.rememberAll();
    let left = this.size - Math.floor(this.capacity / 2);
    for (const rows of this.tenants.values()) {
      for (const [id, row] of rows) {
        if (left <= 0) return;
        if (row.dueIn === this.epoch) continue;
        row.evicted = true;
        rows.delete(id);
        this.size--;
        left--;
      }
    }
  }
}
