import type Database from 'better-sqlite3';

export interface StoredCheckpoint {
  position: number;
  error: { position: number; message: string } | null;
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
