import type Database from 'better-sqlite3';

export interface StoredCheckpoint {
  position: number;
  error: { position: number; message: string } | null;
}

/**
 * How far a checkpoint is behind the head of $all. -1 (nothing applied) counts as 0: positions
 * start above it, so from -1 the lag is the head itself (the number of events on the embedded
 * store), not one more.
 */
export function lagBehind(head: number, checkpoint: number): number {
  return Math.max(0, head - Math.max(checkpoint, 0));
}

/** rm_checkpoints: one row per projection, written in the same transaction as its rows. */
export class Checkpoints {
  private readonly readAll: Database.Statement;
  private readonly write: Database.Statement;

  constructor(db: Database.Database) {
    this.readAll = db.prepare('SELECT name, position, error_position, error FROM rm_checkpoints');
    this.write = db.prepare(
      `INSERT INTO rm_checkpoints (name, position, error_position, error) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position,
         error_position = excluded.error_position, error = excluded.error`,
    );
  }

  /** Every stored checkpoint; a projection without a row has applied nothing (-1). */
  load(): Map<string, StoredCheckpoint> {
    const rows = this.readAll.all() as Array<{
      name: string;
      position: number;
      error_position: number | null;
      error: string | null;
    }>;
    return new Map(
      rows.map((r) => [
        r.name,
        {
          position: r.position,
          error: r.error === null ? null : { position: r.error_position ?? -1, message: r.error },
        },
      ]),
    );
  }

  save(name: string, position: number, error: StoredCheckpoint['error']): void {
    this.write.run(name, position, error?.position ?? null, error?.message ?? null);
  }
}
