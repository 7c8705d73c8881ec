import { ExpectedRevision } from '../../event-store/event-store.port';
import { QueuedAppend } from './sqlite-writer';

/**
 * A batch of appends as one string plus a table of lengths. Structured clone copies one long
 * string in a single pass, where hundreds of small strings and objects cost a few hundred ns each.
 */
export interface PackedBatch {
  text: string;
  /** The length of every string in `text`, in order. */
  lengths: Uint32Array;
  /** Appends per caller, then events per append. */
  shape: Uint32Array;
  callers: number;
}

const encodeExpected = (e: ExpectedRevision) => (typeof e === 'bigint' ? e.toString() : e);
const decodeExpected = (s: string): ExpectedRevision =>
  s === 'any' || s === 'no_stream' || s === 'stream_exists' ? s : BigInt(s);

export function packBatch(batch: QueuedAppend[][]): PackedBatch {
  const strings: string[] = [];
  const shape: number[] = batch.map((appends) => appends.length);
  for (const appends of batch) {
    for (const { stream, expected, events } of appends) {
      shape.push(events.length);
      strings.push(stream, encodeExpected(expected));
      for (const e of events) strings.push(e.id, e.type, e.data, e.metadata);
    }
  }
  return {
    text: strings.join(''),
    lengths: Uint32Array.from(strings, (s) => s.length),
    shape: Uint32Array.from(shape),
    callers: batch.length,
  };
}

/**
 * `s` copied out of the batch's text. V8 makes a slice of a long string a view that keeps the
 * whole string alive: a stream name kept after its batch (the writer's cache of last revisions, of
 * up to 200,000 streams) would keep the batch's every event and idempotency record with it, about
 * 100 KB a redemption of a large offer, and the writer thread ran out of memory.
 */
const detached = (s: string) => (' ' + s).slice(1);

export function unpackBatch({ text, lengths, shape, callers }: PackedBatch): QueuedAppend[][] {
  let offset = 0;
  let index = 0;
  const next = () => text.slice(offset, (offset += lengths[index++]));
  let appendIndex = callers;
  const batch: QueuedAppend[][] = [];
  for (let c = 0; c < callers; c++) {
    const appends: QueuedAppend[] = [];
    for (let a = 0; a < shape[c]; a++) {
      const stream = detached(next());
      const expected = decodeExpected(next());
      const events = Array.from({ length: shape[appendIndex++] }, () => ({
        id: next(),
        type: next(),
        data: next(),
        metadata: next(),
      }));
      appends.push({ stream, expected, events });
    }
    batch.push(appends);
  }
  return batch;
}
