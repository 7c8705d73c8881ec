import { hasTable } from './migrations';
import { readDatabaseFile } from './open-database';

/**
 * What SQLite's integrity check cannot see in an events.db: events missing from the log. The
 * store never deletes one, so positions count the events from 1 and each stream's revisions count
 * its events from 0; a gap is an event lost from the file (or removed from it by hand), which
 * a replay would fold past without noticing. Read-only; at most `limit` streams are named.
 */
export function eventLogGaps(path: string, limit = 10): string[] {
  return readDatabaseFile(path, (db) => {
    if (!hasTable(db, 'events')) return ['no events table: not an event store'];
    const gaps: string[] = [];
    const log = db.prepare('SELECT count(*) AS count, max(position) AS last FROM events').get() as {
      count: number;
      last: number | null;
    };
    if (log.last !== null && log.last !== log.count)
      gaps.push(
        `positions 1 to ${log.last} hold ${log.count} events: ${log.last - log.count} missing`,
      );
    const streams = db
      .prepare(
        `SELECT stream, count(*) AS count, max(revision) AS last FROM events
         GROUP BY stream HAVING min(revision) <> 0 OR last <> count - 1 LIMIT ${limit}`,
      )
      .all() as Array<{ stream: string; count: number; last: number }>;
    for (const s of streams)
      gaps.push(`stream ${s.stream}: revisions 0 to ${s.last} hold ${s.count} events`);
    return gaps;
  });
}

/**
 * Event ids stored more than once. A command makes a new id for each event it decides, and the store
 * writes a batch again only where it is not stored yet (an idempotent re-append), so a second copy
 * is a row put there by hand, whose points every replay counts twice. No index keeps ids apart, as
 * it would cost every append: this groups the whole table, about a second a million events, which
 * is why `ledger check` runs it and a start does not. At most `limit` ids are named.
 */
export function duplicateEventIds(path: string, limit = 10): string[] {
  return readDatabaseFile(path, (db) => {
    if (!hasTable(db, 'events')) return [];
    const copies = db
      .prepare(
        `SELECT id, count(*) AS count, group_concat(position, ', ') AS positions FROM events
         GROUP BY id HAVING count > 1 LIMIT ${limit}`,
      )
      .all() as Array<{ id: string; count: number; positions: string }>;
    return copies.map(
      (c) => `event id ${c.id} is stored ${c.count} times, at positions ${c.positions}`,
    );
  });
}
