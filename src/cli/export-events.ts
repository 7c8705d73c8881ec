import { EventEmitter } from 'node:events';
import { ORG_ID_PATTERN } from '../auth/org-keys';
import type { Tenant } from '../auth/principal';
import { parseTenantKey, tenantKey } from '../auth/tenancy';
import { isSubscriberStream } from '../ledger/streams';
import type { RecordedEvent } from '../event-store/event-store.port';
import type { CliIo, EventsReading } from './ledger';
import { namingReadDamage, pagesOfAll } from './read-all-pages';

export interface ExportArguments {
  /** Only the events whose metadata names this environment and organization. */
  tenant?: Tenant;
  /** Exclusive: only the events after this position of `$all`. */
  after?: bigint;
}

/** `--tenant <environment>.<orgId>` and `--after <position>`; a string says what is wrong. */
export function exportArguments(args: readonly string[]): ExportArguments | string {
  const parsed: ExportArguments = {};
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if (name !== '--tenant' && name !== '--after') return `export does not take '${name}'`;
    if (value === undefined) return `export ${name} needs a value`;
    // The last of two would win without a word: `--tenant a --tenant b` exports b's alone.
    if (args.slice(0, i).includes(name)) return `export takes ${name} once`;
    if (name === '--tenant') {
      const tenant = parseTenantKey(value);
      if (!tenant || !ORG_ID_PATTERN.test(tenant.orgId))
        return `export --tenant takes <environment>.<orgId>, environment sandbox or live, not '${value}'`;
      parsed.tenant = tenant;
    } else {
      if (!/^\d+$/.test(value)) return `export --after takes a position (digits), not '${value}'`;
      parsed.after = BigInt(value);
    }
  }
  return parsed;
}

export interface ExportEventsOptions extends ExportArguments, EventsReading {}

/** One line of the export: the envelope, 64-bit integers as strings of digits. */
export function exportLine(event: RecordedEvent): string {
  const line = {
    position: String(event.position),
    stream: event.stream,
    revision: String(event.revision),
    id: event.id,
    type: event.type,
    created: event.created.toISOString(),
    data: event.data,
    metadata: event.metadata,
    ...(event.unreadable === undefined ? {} : { unreadable: event.unreadable }),
  };
  return `${JSON.stringify(line)}\n`;
}

/**
 * Writes lines to `out`, waiting for a full stream to drain, so that a slow reader slows the
 * export instead of the export buffering the store. `write` resolves to false once the reader
 * has closed the stream: process.stdout is never destroyed, it emits 'error' (EPIPE) and 'close'.
 */
function lineWriter(out: CliIo['out']) {
  const stream = out instanceof EventEmitter ? out : undefined;
  let closed = false;
  let failure: string | undefined;
  const onClose = (error?: NodeJS.ErrnoException) => {
    closed = true;
    if (error && error.code !== 'EPIPE') failure ??= error.code ?? error.message;
  };
  stream?.on('close', onClose).on('error', onClose);
  const drained = (emitter: EventEmitter) =>
    new Promise<void>((resolve) => {
      const done = () => {
        emitter.off('drain', done).off('close', done).off('error', done);
        resolve();
      };
      emitter.on('drain', done).on('close', done).on('error', done);
    });
  return {
    async write(text: string): Promise<boolean> {
      if (closed) return false;
      if (out.write(text) === false && stream && !closed) await drained(stream);
      return !closed;
    },
    dispose: () => stream?.off('close', onClose).off('error', onClose),
    /** Why the writes stopped: the reader closed stdout, or a write failed (ENOSPC). */
    stopped: () =>
      failure === undefined ? 'the reader closed stdout' : `stdout failed (${failure})`,
  };
}

/**
 * The tenant's events are those whose metadata names it; an unreadable one has no metadata to
 * read (the store hands out `{}`), so the name of its stream decides: it must be exported, marked,
 * not left out without a word.
 */
const matches = (event: RecordedEvent, tenant: Tenant | undefined) =>
  tenant === undefined ||
  (event.unreadable === undefined
    ? event.metadata.environment === tenant.environment && event.metadata.orgId === tenant.orgId
    : isSubscriberStream(event.stream, tenantKey(tenant)));

/**
 * `ledger export`: the events of `$all` after `after` up to the head found at the start, one
 * JSON object a line on stdout (exportLine), those of `tenant` only if one is given. Only reads:
 * safe beside a running service, and it takes no lock. Exit 0; 1 when an event is unreadable
 * (it is exported, marked, and named on stderr). A reader that closes the pipe ends it, exit 0.
 */
export async function exportEvents(options: ExportEventsOptions): Promise<number> {
  const { store, io, tenant } = options;
  const out = lineWriter(io.out);
  const head = await store.headPosition();
  let exported = 0;
  let unreadable = 0;
  let last: bigint | undefined;
  let closed = false;
  try {
    pages: for await (const page of pagesOfAll(store, { after: options.after, head })) {
      for (const event of page) {
        if (!matches(event, tenant)) continue;
        if (!(await out.write(exportLine(event)))) {
          closed = true;
          break pages;
        }
        exported++;
        last = event.position;
        if (event.unreadable === undefined) continue;
        unreadable++;
        io.err.write(
          `ledger: unreadable event ${event.stream} revision ${event.revision} position ${event.position}: ${event.unreadable}\n`,
        );
      }
      // A turn of the event loop a page: stdout to a pipe is written synchronously on Linux, and
      // hears that its reader left (EPIPE) only in a callback, which a loop of reads that resolve
      // at once would not let run.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    throw namingReadDamage(options.eventsPath, error);
  } finally {
    out.dispose();
  }
  const upTo = last === undefined ? '' : `, the last at position ${last}`;
  const why = closed ? `; stopped: ${out.stopped()}` : '';
  io.err.write(
    `Exported ${exported} ${exported === 1 ? 'event' : 'events'}${upTo} (head of $all: ${head})${why}\n`,
  );
  return unreadable === 0 ? 0 : 1;
}
