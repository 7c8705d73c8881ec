import {
  ServerDuplexStream,
  ServerReadableStream,
  sendUnaryData,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import { UUID } from '@eventstore/db-client/generated/shared_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
} from '@eventstore/db-client/generated/streams_pb';
import {
  EventData,
  EventStore,
  ExpectedRevision,
  WrongExpectedVersionError,
} from '../../../src/event-store';
import {
  StandInError,
  appendSuccess,
  appendWrongExpectedVersion,
  batchSuccess,
  batchUnknownError,
  batchWrongExpectedVersion,
  expectedFromAppendOptions,
  expectedFromBatchOptions,
  streamIdentifier,
  streamNameOf,
  toEventData,
  uuidOf,
} from './convert';
import { toServiceError } from './status';

type Outcome =
  | { ok: true; revision: bigint; position: bigint | undefined }
  | { ok: false; expected: ExpectedRevision; actual: bigint | 'no_stream' };

/**
 * Appends through the backing store. A write that the store recognised as an idempotent repeat
 * (its events lie at or before the head position read beforehand) is reported without a position,
 * as EventStoreDB does for an "already committed" write.
 */
async function appendToStore(
  store: EventStore,
  stream: string,
  events: EventData[],
  expected: ExpectedRevision,
): Promise<Outcome> {
  const headBefore = await store.headPosition();
  try {
    const result = await store.append(stream, events, expected);
    const position = result.position > headBefore ? result.position : undefined;
    return { ok: true, revision: result.nextExpectedRevision, position };
  } catch (error) {
    if (error instanceof WrongExpectedVersionError)
      return { ok: false, expected, actual: error.actual };
    throw error;
  }
}

/** Streams.Append: one client-streaming call per append, options first, then the events. */
export function appendHandler(
  store: EventStore,
): (
  call: ServerReadableStream<AppendReq, AppendResp>,
  callback: sendUnaryData<AppendResp>,
) => void {
  return (call, callback) => {
    (async () => {
      let options: AppendReq.Options | undefined;
      const events: EventData[] = [];
      for await (const request of call as AsyncIterable<AppendReq>) {
        if (!options) {
          options = request.getOptions();
          if (!options)
            throw new StandInError(
              GrpcStatus.INVALID_ARGUMENT,
              'the first append message must be options',
            );
          continue;
        }
        const message = request.getProposedMessage();
        if (!message)
          throw new StandInError(GrpcStatus.INVALID_ARGUMENT, 'expected a proposed message');
        events.push(toEventData(message));
      }
      if (!options) throw new StandInError(GrpcStatus.INVALID_ARGUMENT, 'append without options');
      const outcome = await appendToStore(
        store,
        streamNameOf(options.getStreamIdentifier()),
        events,
        expectedFromAppendOptions(options),
      );
      return outcome.ok
        ? appendSuccess(outcome.revision, outcome.position)
        : appendWrongExpectedVersion(outcome.expected, outcome.actual);
    })().then(
      (response) => callback(null, response),
      (error: unknown) => callback(toServiceError(error)),
    );
  };
}

interface PendingBatch {
  stream: string;
  expected: ExpectedRevision;
  events: EventData[];
}

/**
 * Streams.BatchAppend: one long-lived bidirectional call carrying many appends, each identified by
 * a correlation id and possibly split over several requests (the last one `is_final`).
 */
export function batchAppendHandler(
  store: EventStore,
): (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => void {
  return (call) => {
    const pending = new Map<string, PendingBatch>();
    let inFlight = 0;
    let inputEnded = false;
    const endIfDone = () => {
      if (inputEnded && inFlight === 0 && !call.cancelled) call.end();
    };
    const respond = (
      correlationId: UUID | undefined,
      stream: string,
      fill: (r: BatchAppendResp) => void,
    ) => {
      if (call.cancelled || call.writableEnded) return;
      const response = new BatchAppendResp()
        .setCorrelationId(correlationId)
        .setStreamIdentifier(streamIdentifier(stream));
      fill(response);
      call.write(response);
    };

    call.on('data', (request: BatchAppendReq) => {
      const correlationId = request.getCorrelationId();
      let key: string | undefined;
      let batch: PendingBatch | undefined;
      try {
        key = uuidOf(correlationId);
        const options = request.getOptions();
        if (options) {
          const stream = streamNameOf(options.getStreamIdentifier());
          pending.set(key, { stream, expected: expectedFromBatchOptions(options), events: [] });
        }
        batch = pending.get(key);
        if (!batch) return;
        batch.events.push(...request.getProposedMessagesList().map(toEventData));
      } catch (error) {
        if (key) pending.delete(key);
        respond(correlationId, batch?.stream ?? '', (r) =>
          r.setError(batchUnknownError(toServiceError(error).details)),
        );
        return;
      }
      if (!request.getIsFinal()) return;
      pending.delete(key);
      const { stream, expected, events } = batch;
      inFlight += 1;
      appendToStore(store, stream, events, expected)
        .then(
          (outcome) =>
            respond(correlationId, stream, (r) =>
              outcome.ok
                ? r.setSuccess(batchSuccess(outcome.revision, outcome.position))
                : r.setError(batchWrongExpectedVersion(outcome.expected, outcome.actual)),
            ),
          (error: unknown) =>
            respond(correlationId, stream, (r) =>
              r.setError(batchUnknownError(toServiceError(error).details)),
            ),
        )
        .finally(() => {
          inFlight -= 1;
          endIfDone();
        });
    });
    call.on('end', () => {
      inputEnded = true;
      endIfDone();
    });
    call.on('error', () => undefined); // the client went away; nothing left to answer
  };
}
