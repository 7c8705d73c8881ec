import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { RecordedEvent } from '../event-store/event-store.port';
import { type SealedStream, sealRoot, StreamChains } from '../audit/stream-chain';
import { messageOf } from '../shared/application/error-message';
import type { EventsReading } from './ledger';
import { visitAllWithProgress } from './read-all-pages';

/** The first line of a seal file names its format; the lines after it are its streams. */
export const SEAL_FORMAT = 'points-ledger-seal/1';

/** Findings printed per kind: a store changed throughout must not flood a terminal. */
export const SHOWN_PER_KIND = 100;

/** `check-seal` could not compare (an unreadable seal file, or event store). */
export const NOT_CHECKED = 3;

export interface SealHeader {
  format: typeof SEAL_FORMAT;
  sealedAt: string;
  /** The head of `$all` when sealed: the seal holds every event up to it. */
  head: string;
  events: number;
  streams: number;
  root: string;
}

export interface SealOptions extends EventsReading {
  file: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * `ledger seal <file>`: each stream's hash chain (stream-chain.ts) over every event up to the head
 * of `$all`, written to a new file with the root over them all. Only reads the events.
 */
export async function sealEvents(options: SealOptions): Promise<number> {
  const { store, io, file } = options;
  // Before reading a store of millions of events; 'wx' below still settles a race.
  if (existsSync(file)) return sealNotWritten(io, `${file} exists: a seal never replaces a file`);
  const head = await store.headPosition();
  const chains = new StreamChains();
  io.err.write(`Sealing the events up to position ${head}\n`);
  const events = await visitAllWithProgress(options, head, (event) => chains.add(event));
  const streams = chains.sorted();
  const summary = { sealedAt: new Date().toISOString(), head: String(head), events };
  const header: SealHeader = {
    format: SEAL_FORMAT,
    ...summary,
    streams: streams.length,
    root: sealRoot(summary, streams),
  };
  const lines = [header, ...streams.map((s) => ({ ...s, revision: String(s.revision) }))];
  try {
    // 'wx': a seal never replaces a file, an older seal least of all.
    writeFileSync(file, lines.map((line) => `${JSON.stringify(line)}\n`).join(''), { flag: 'wx' });
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
    // A write that failed after 'wx' made the file (a full disk) leaves it cut short: it is no
    // seal, and it would make the next seal under that name refused as a file that exists.
    if (!exists) rmSync(file, { force: true });
    return sealNotWritten(
      io,
      exists
        ? `${file} exists: a seal never replaces a file`
        : `no seal written at ${file}: ${messageOf(error)}`,
    );
  }
  io.out.write(
    `Sealed ${fmt(events)} events in ${fmt(streams.length)} streams up to position ${head} in ${file}\n` +
      `root ${header.root}\n` +
      'Keep the root where the ledger and its operators cannot change it (docs/audit.md, Seals).\n',
  );
  return 0;
}

function sealNotWritten(io: EventsReading['io'], why: string): number {
  io.err.write(`ledger: ${why}\n`);
  return 1;
}

/** A seal file read back and checked against its own root; a string says why it cannot be used. */
export function readSeal(file: string): { header: SealHeader; streams: SealedStream[] } | string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return `cannot read the seal ${file}: ${messageOf(error)}`;
  }
  const notSeal = `${file} is not a seal of this ledger (${SEAL_FORMAT})`;
  let header: SealHeader;
  let streams: SealedStream[];
  try {
    const [first, ...rest] = text.split('\n').filter((line) => line !== '');
    header = JSON.parse(first ?? 'null') as SealHeader;
    if (
      header?.format !== SEAL_FORMAT ||
      typeof header.head !== 'string' ||
      !/^(-1|\d+)$/.test(header.head) || // -1: a store that held no event yet
      typeof header.sealedAt !== 'string' ||
      !Number.isSafeInteger(header.events)
    )
      return notSeal;
    streams = rest.map((line) => {
      const s = JSON.parse(line) as { stream: unknown; revision: unknown; link: unknown };
      if (
        typeof s.stream !== 'string' ||
        typeof s.revision !== 'string' ||
        !/^\d+$/.test(s.revision) ||
        typeof s.link !== 'string' ||
        !/^[0-9a-f]{64}$/.test(s.link)
      )
        throw new Error('a stream line is malformed');
      return { stream: s.stream, revision: BigInt(s.revision), link: s.link };
    });
  } catch {
    return notSeal;
  }
  if (sealRoot(header, streams) !== header.root || streams.length !== header.streams)
    return `${file} does not match its own root: the seal file was changed after it was written`;
  return { header, streams };
}

export type FindingKind = 'altered' | 'missing' | 'added';

export interface Finding {
  kind: FindingKind;
  stream: string;
  message: string;
}

/**
 * What the events up to the seal's head no longer agree with in it. Pure: fed the events of `$all`
 * in order (those written since the seal included), then `finish()`.
 *  - altered: a sealed stream's chain at its sealed revision differs: an event up to it was
 *    changed, removed or inserted;
 *  - missing: a sealed stream no longer reaches its sealed revision;
 *  - added: an event at or before the seal's head that the seal does not hold.
 */
export class SealCheck {
  private readonly sealed = new Map<string, SealedStream>();
  private readonly chains = new StreamChains();
  private readonly compared = new Set<string>();
  private readonly head: bigint;

  constructor(header: SealHeader, streams: readonly SealedStream[]) {
    this.head = BigInt(header.head);
    for (const s of streams) this.sealed.set(s.stream, s);
  }

  check(event: RecordedEvent): Finding | undefined {
    const sealed = this.sealed.get(event.stream);
    const beyondSeal = !sealed || event.revision > sealed.revision;
    if (beyondSeal) {
      if (event.position > this.head) return undefined; // written since the seal
      return {
        kind: 'added',
        stream: event.stream,
        message: `revision ${event.revision} at position ${event.position} (${event.type}) is at or before the seal's head, yet the seal does not hold it`,
      };
    }
    const link = this.chains.add(event).link.toString('hex');
    if (event.revision !== sealed.revision) return undefined;
    this.compared.add(event.stream);
    if (link === sealed.link) return undefined;
    return {
      kind: 'altered',
      stream: event.stream,
      message: `its events up to revision ${sealed.revision} no longer match the seal: one of them was changed, removed or inserted`,
    };
  }

  finish(): Finding[] {
    return [...this.sealed.values()]
      .filter((s) => !this.compared.has(s.stream))
      .map((s) => {
        const now = this.chains.head(s.stream);
        const reach = now ? `now ends at revision ${now.revision}` : 'now holds none of them';
        return {
          kind: 'missing' as const,
          stream: s.stream,
          message: `sealed up to revision ${s.revision}, it ${reach}: events were removed`,
        };
      });
  }
}

/**
 * `ledger check-seal <file>`: reads `$all` up to its present head and tells whether the events a
 * seal holds are still those it sealed. Exit 0 they are, 1 not (each finding printed), 3 not
 * checked (the seal file unreadable or changed, no event store).
 */
export async function checkSeal(options: SealOptions): Promise<number> {
  const { store, io, file } = options;
  const seal = readSeal(file);
  if (typeof seal === 'string') {
    io.err.write(`ledger: check-seal could not compare: ${seal}\n`);
    return NOT_CHECKED;
  }
  const { header, streams } = seal;
  const check = new SealCheck(header, streams);
  const shown = new Map<FindingKind, number>();
  const found = new Map<FindingKind, number>();
  const print = (finding: Finding | undefined) => {
    if (!finding) return;
    found.set(finding.kind, (found.get(finding.kind) ?? 0) + 1);
    const count = (shown.get(finding.kind) ?? 0) + 1;
    shown.set(finding.kind, count);
    if (count <= SHOWN_PER_KIND)
      io.out.write(`${finding.kind} ${finding.stream}: ${finding.message}\n`);
  };
  const head = await store.headPosition();
  io.err.write(`Checking the seal of ${header.sealedAt} (root ${header.root})\n`);
  await visitAllWithProgress(options, head, (event) => print(check.check(event)));
  check.finish().forEach(print);
  const total = [...found.values()].reduce((a, b) => a + b, 0);
  for (const [kind, n] of found) {
    if (n > SHOWN_PER_KIND) io.out.write(`${kind}: ${fmt(n - SHOWN_PER_KIND)} more not shown\n`);
  }
  const what = `${fmt(header.events)} events in ${fmt(header.streams)} streams sealed up to position ${header.head} (root ${header.root})`;
  if (total === 0) {
    io.out.write(`Checked ${what}: all as sealed\n`);
    return 0;
  }
  const kinds = [...found.entries()].map(([kind, n]) => `${kind} ${fmt(n)}`).join(', ');
  io.out.write(
    `Checked ${what}: ${fmt(total)} ${total === 1 ? 'finding' : 'findings'} (${kinds})\n`,
  );
  return 1;
}
