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
