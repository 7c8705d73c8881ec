import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../event-store/event-store.port';

/**
 * Tamper evidence (docs/audit.md, Seals): each stream's events form a hash chain, each link the
 * SHA-256 of the link before it and of one event. The last link of a stream therefore stands for
 * all of the stream's events up to it: change, remove or insert any one of them and every later
 * link changes. A seal keeps each stream's last link and one root over them all; an auditor who
 * keeps the root where the ledger's operators cannot write can later prove the events unchanged.
 *
 * The chain is computed from the events, not stored in them: anyone able to edit an event could
 * rewrite a stored chain after it too, so only a root kept elsewhere makes an edit evident. Being
 * derived, it costs the write path nothing and covers every event already written.
 */
export const CHAIN_FORMAT = 'points-ledger-chain/1';

export type Link = Buffer;

/** The link before a stream's first event: a stream's chain cannot be passed off as another's. */
export function chainStart(stream: string): Link {
  return createHash('sha256').update(`${CHAIN_FORMAT}\n${stream}`).digest();
}

/**
 * The next link. It covers what an event says and where it stands: its revision, id, type, data
 * and metadata (and why it is unreadable, for an event whose body is not JSON). Not its position
 * in `$all` or the store's created time, which another store would assign anew: a chain survives
 * the events' move to another store (an export read into EventStoreDB).
 */
export function chainNext(previous: Link, event: RecordedEvent): Link {
  const body = JSON.stringify([
    String(event.revision),
    event.id,
    event.type,
    event.data,
    event.metadata,
    event.unreadable ?? null,
  ]);
  return createHash('sha256').update(previous).update(body).digest();
}

/** Each stream's last link and the revision it stands at, as events of `$all` are added in order. */
export class StreamChains {
  private readonly heads = new Map<string, { revision: bigint; link: Link }>();

  add(event: RecordedEvent): { revision: bigint; link: Link } {
    const previous = this.heads.get(event.stream)?.link ?? chainStart(event.stream);
    const head = { revision: event.revision, link: chainNext(previous, event) };
    this.heads.set(event.stream, head);
    return head;
  }

  head(stream: string): { revision: bigint; link: Link } | undefined {
    return this.heads.get(stream);
  }

  /** Every stream's head, sorted by stream name (code-unit order, as `sealRoot` takes them). */
  sorted(): SealedStream[] {
    return [...this.heads.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([stream, head]) => ({
        stream,
        revision: head.revision,
        link: head.link.toString('hex'),
      }));
  }
}

/** One stream's line of a seal: its last link when sealed, and that event's revision. */
export interface SealedStream {
  stream: string;
  revision: bigint;
  /** Hex. */
  link: string;
}

/** What a seal says of itself, beside its streams: when, up to where, and how many events. */
export interface SealSummary {
  sealedAt: string;
  /** The head of `$all` when sealed, as decimal digits: what check-seal counts as sealed. */
  head: string;
  events: number;
}

/**
 * The root of a seal: one SHA-256 over its summary and every stream's line, in the order given
 * (sorted). The summary is in it because the head decides what check-seal calls `added`: a seal
 * whose head was lowered would otherwise pass events slipped in after it.
 */
export function sealRoot(summary: SealSummary, streams: readonly SealedStream[]): string {
  const hash = createHash('sha256').update(`${CHAIN_FORMAT} root\n`);
  hash.update(
    `${JSON.stringify([summary.sealedAt, summary.head, summary.events, streams.length])}\n`,
  );
  for (const s of streams)
    hash.update(`${JSON.stringify([s.stream, String(s.revision), s.link])}\n`);
  return hash.digest('hex');
}
