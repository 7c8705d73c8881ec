import { ServerWritableStream, status as GrpcStatus } from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { EventStore, RecordedEvent } from '../../../src/event-store';
import { StandInError, streamIdentifier, streamNameOf, toReadResp } from './convert';
import { reportError } from './status';

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;
type Predicate = (stream: string, type: string) => boolean;
type From<T> = T | 'start' | 'end';

/**
 * Streams.Read: reads of one stream, reads of $all and subscriptions to $all, with EventStoreDB's
 * semantics: $all forwards from a position is inclusive, backwards from a position exclusive, a
 * subscription starts after its position; a missing stream is answered with `stream_not_found`.
 */
export function readHandler(
  store: EventStore,
  stats: { subscriptions: number },
): (call: ReadCall) => void {
  return (call) => {
    if (call.request.getOptions()?.hasSubscription()) stats.subscriptions += 1;
    handleRead(store, call).then(
      () => {
        if (!call.cancelled) call.end();
      },
      (error: unknown) => reportError(call, error),
    );
  };
}

async function handleRead(store: EventStore, call: ReadCall): Promise<void> {
  const options = call.request.getOptions();
  if (!options) throw new StandInError(GrpcStatus.INVALID_ARGUMENT, 'read options missing');
  const out = new ResponseWriter(call);
  const predicate = filterPredicate(options);
  if (options.hasSubscription()) return subscribeToAll(store, call, out, options, predicate);
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const count = BigInt(options.getCount());
  const maxCount = count >= BigInt(Number.MAX_SAFE_INTEGER) - 1n ? undefined : Number(count);

  const streamOptions = options.getStream();
  if (streamOptions) {
    const stream = streamNameOf(streamOptions.getStreamIdentifier());
    const fromRevision: From<bigint> = streamOptions.hasRevision()
      ? BigInt(streamOptions.getRevision())
      : streamOptions.hasEnd()
        ? 'end'
        : 'start';
    const events = await store.readStream(stream, {
      fromRevision,
      direction: backwards ? 'backwards' : 'forwards',
      maxCount,
    });
    if (
      events.length === 0 &&
      (await store.readStream(stream, { direction: 'backwards', maxCount: 1 })).length === 0
    ) {
      const notFound = new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(stream));
      await out.write(new ReadResp().setStreamNotFound(notFound));
      return;
    }
    for (const e of events) if (!(await out.write(toReadResp(e, false)))) return;
    return;
  }

  const all = options.getAll();
  if (!all)
    throw new StandInError(GrpcStatus.INVALID_ARGUMENT, 'read of neither a stream nor $all');
  const from = allPosition(all);
  // Filtered reads scan everything and filter afterwards: fine for test-sized stores.
  const limit = predicate ? undefined : maxCount;
  let events: RecordedEvent[];
  if (!backwards) {
    events = await store.readAll({ fromPosition: from, direction: 'forwards', maxCount: limit });
  } else if (typeof from === 'bigint') {
    const before = await store.readAll({
      fromPosition: from,
      direction: 'backwards',
      maxCount: limit === undefined ? undefined : limit + 1,
    });
    events = before.filter((e) => e.position < from);
  } else {
    events = await store.readAll({ fromPosition: from, direction: 'backwards', maxCount: limit });
  }
  if (predicate) events = events.filter((e) => predicate(e.stream, e.type));
  if (maxCount !== undefined) events = events.slice(0, maxCount);
  for (const e of events) if (!(await out.write(toReadResp(e, true)))) return;
}

async function subscribeToAll(
  store: EventStore,
  call: ReadCall,
  out: ResponseWriter,
  options: ReadReq.Options,
  predicate: Predicate | undefined,
): Promise<void> {
  const all = options.getAll();
  if (!all)
    throw new StandInError(
      GrpcStatus.UNIMPLEMENTED,
      'the stand-in implements subscriptions to $all only',
    );
  const subscription = store.subscribeToAll({ fromPosition: allPosition(all) });
  const stop = () => void subscription.unsubscribe();
  call.once('cancelled', stop);
  try {
    const confirmation = new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID());
    if (!(await out.write(new ReadResp().setConfirmation(confirmation)))) return;
    for await (const e of subscription) {
      if (predicate && !predicate(e.stream, e.type)) continue;
      if (!(await out.write(toReadResp(e, true)))) return;
    }
  } finally {
    call.removeListener('cancelled', stop);
    await subscription.unsubscribe();
  }
}

function allPosition(all: ReadReq.Options.AllOptions): From<bigint> {
  const position = all.getPosition();
  if (position) return BigInt(position.getCommitPosition());
  return all.hasEnd() ? 'end' : 'start';
}

/** EventStoreDB's filter: prefixes, or else a regex searched in the stream name or event type. */
function filterPredicate(options: ReadReq.Options): Predicate | undefined {
  const filter = options.getFilter();
  if (!filter) return undefined;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression) return undefined;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  return (stream, type) => {
    const value = onStream ? stream : type;
    if (prefixes.length > 0) return prefixes.some((p) => value.startsWith(p));
    return regex ? regex.test(value) : true;
  };
}

/** Writes with backpressure; `false` once the call is gone (cancelled, or the connection dropped). */
class ResponseWriter {
  private readonly gone = new AbortController();

  constructor(private readonly call: ReadCall) {
    call.once('cancelled', () => this.gone.abort());
  }

  async write(message: ReadResp): Promise<boolean> {
    if (this.call.cancelled) return false;
    if (this.call.write(message)) return true;
    try {
      await once(this.call, 'drain', { signal: this.gone.signal });
    } catch {
      return false;
    }
    return !this.call.cancelled;
  }
}
