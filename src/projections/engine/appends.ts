import type { WriteSetBuilder } from './write-set';

/** Rows a projection only ever inserts (ledger entries, history), held flat until the next write. */
export class Appends {
  private values: unknown[] = [];

  /** `sortKey`: leading values that form the table's key; the writer inserts in key order. */
  constructor(
    private readonly insertSql: string,
    private readonly width: number,
    private readonly sortKey = 0,
  ) {}

  /** The array to push one row's `width` values onto. */
  get row(): unknown[] {
    return this.values;
  }

  get pending(): number {
    return this.values.length / this.width;
  }

  write(out: WriteSetBuilder): void {
    // Handed over, not copied: a ledger's rows are millions of values in a rebuild.
    out.take(this.insertSql, this.width, this.sortKey, this.values);
    this.values = [];
  }

  reset(): void {
    this.values = [];
  }
}
