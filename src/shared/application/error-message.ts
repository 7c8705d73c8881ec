/**
 * The message of anything thrown. Read from the object, not by `instanceof Error`: an error made
 * in another realm (a worker's, or jest's module registry holding better-sqlite3's SqliteError)
 * is no Error of this one, and String() of it would prefix its class name.
 */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/**
 * The code of anything thrown (a system error's ENOENT, SQLite's SQLITE_FULL), read from the
 * object for the same reason; undefined when it has none that is a string.
 */
export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
