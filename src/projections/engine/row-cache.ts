import type { WriteSetBuilder } from './write-set';

/**
 * Rows a projection reads and changes, kept in memory across commits: a hot row (an
 * organization's totals, an active member's wallet) is read once and written once per commit,
 * not once per event. Changed rows stay until written; clean ones are evicted past `capacity`.
 * The cache is right only while nobody else writes the tables: the engine calls `forget` after a
 * failure or when the stored checkpoint is not the one it wrote.
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
  /** While the table started empty: the ids of every row it has, so a miss needs no lookup. */
  private known: Map<string, Set<string>> | null = null;
  private knownCount = 0;

  constructor(
    private readonly capacity: number,
    private readonly save: (row: R, out: WriteSetBuilder) => void,
  ) {}

  get(tenant: string, id: string): R | undefined {
    return this.tenants.get(tenant)?.get(id);
  }

  /** True when the row certainly is not stored: the table started empty and never had it. */
  absent(tenant: string, id: string): boolean {
    return this.known !== null && !this.known.get(tenant)?.has(id);
  }

  /** Keeps a row read from the database, or a new one. */
  keep(tenant: string, id: string, row: R): R {
    let rows = this.tenants.get(tenant);
    if (!rows) this.tenants.set(tenant, (rows = new Map()));
    if (!rows.has(id)) this.size++;
    rows.set(id, row);
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
    this.known = empty ? new Map() : null;
    this.knownCount = 0;
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

  /** Drops the oldest clean rows down to half (Map order is insertion order: close enough to LRU). */
  private evict(): void {
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
