import type Database from 'better-sqlite3';

/**
 * Sorted runs of about 1 MiB each. SQLite sorts an index's keys in memory up to the page cache's
 * size; the writer's cache is 512 MiB during a rebuild, and one sort that large is slow (it
 * walks a long linked list of records). Small runs, sorted two at a time by SQLite's helper
 * threads and merged from temporary files, took a rebuild's index build from about 1.4 s to
 * 0.7-1.0 s (docs/performance.md). The reading thread is idle meanwhile, so the helper has a core.
 */
const SORT_RUN_KIB = 1024;
const SORT_THREADS = 2;

/**
 * Runs CREATE INDEX statements with small sorted runs and helper threads, then puts the
 * connection's own settings back. A connection with temp_store=MEMORY sorts in memory whatever
 * the cache size: there this changes nothing.
 */
export function buildIndexes(db: Database.Database, statements: readonly string[]): void {
  if (statements.length === 0) return;
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  const threads = db.pragma('threads', { simple: true }) as number;
  db.pragma(`cache_size = ${-SORT_RUN_KIB}`);
  db.pragma(`threads = ${SORT_THREADS}`);
  try {
    for (const statement of statements) db.exec(statement);
  } finally {
    db.pragma(`cache_size = ${cacheSize}`);
    db.pragma(`threads = ${threads}`);
  }
}
