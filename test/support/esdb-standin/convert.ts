/**
 * Protobuf <-> port conversions of the EventStoreDB stand-in, using the message classes that
 * `@eventstore/db-client` ships (so the bytes on the wire are the client's own encoding).
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Code } from '@eventstore/db-client/generated/code_pb';
import {
  AllStreamPosition,
  Empty,
  StreamIdentifier,
  UUID,
  Unknown,
  WrongExpectedVersion as SharedWrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import {
  EventData,
  ExpectedRevision,
  JsonObject,
  JsonValue,
  RecordedEvent,
} from '../../../src/event-store';

/** An error the stand-in reports to the client as a gRPC status. */
export class StandInError extends Error {
  constructor(
    readonly code: GrpcStatus,
    message: string,
  ) {
    super(message);
  }
}

export const streamNameOf = (identifier: StreamIdentifier | undefined): string =>
  Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');

export const streamIdentifier = (name: string): StreamIdentifier =>
  new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));

export function uuidOf(uuid: UUID | undefined): string {
  if (!uuid) throw new StandInError(GrpcStatus.INVALID_ARGUMENT, 'event id missing');
  if (uuid.hasString()) return uuid.getString();
  const structured = uuid.getStructured();
  if (!structured) throw new StandInError(GrpcStatus.INVALID_ARGUMENT, 'event id empty');
  const hex = (bits: string) => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0');
  const h = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function parseJson(bytes: Uint8Array, what: string): JsonValue {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as JsonValue;
  } catch {
    throw new StandInError(
      GrpcStatus.INVALID_ARGUMENT,
      `${what} is not JSON (the stand-in stores JSON events only)`,
    );
  }
}

export function toEventData(
  message: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage,
): EventData {
  const properties = message.getMetadataMap();
  const type = properties.get('type');
  if (!type)
    throw new StandInError(
      GrpcStatus.INVALID_ARGUMENT,
      "required metadata property 'type' missing",
    );
  if (properties.get('content-type') !== 'application/json') {
    throw new StandInError(
      GrpcStatus.INVALID_ARGUMENT,
      'the stand-in stores application/json events only',
    );
  }
  const metadataBytes = message.getCustomMetadata_asU8();
  const metadata = metadataBytes.length > 0 ? parseJson(metadataBytes, 'metadata') : {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new StandInError(GrpcStatus.INVALID_ARGUMENT, 'metadata must be a JSON object');
  }
  return {
    id: uuidOf(message.getId()),
    type,
    data: parseJson(message.getData_asU8(), 'data'),
    metadata: metadata as JsonObject,
  };
}

/** A stored event as a Read response. `allPosition` marks reads of $all, which carry the position twice. */
export function toReadResp(event: RecordedEvent, allPosition: boolean): ReadResp {
  const position = event.position.toString();
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(event.id))
    .setStreamIdentifier(streamIdentifier(event.stream))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(position)
    .setPreparePosition(position)
    .setData(Buffer.from(JSON.stringify(event.data), 'utf8'))
    .setCustomMetadata(
      Object.keys(event.metadata).length > 0
        ? Buffer.from(JSON.stringify(event.metadata), 'utf8')
        : new Uint8Array(),
    );
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('content-type', 'application/json')
    // .NET ticks (100 ns) since the Unix epoch, as EventStoreDB sends them.
    .set('created', (BigInt(event.created.getTime()) * 10_000n).toString());
  const read = new ReadResp.ReadEvent().setEvent(recorded);
  if (allPosition) read.setCommitPosition(position);
  else read.setNoPosition(new Empty());
  return new ReadResp().setEvent(read);
}

export function expectedFromAppendOptions(options: AppendReq.Options): ExpectedRevision {
  if (options.hasRevision()) return BigInt(options.getRevision());
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  return 'any';
}

export function expectedFromBatchOptions(options: BatchAppendReq.Options): ExpectedRevision {
  if (options.hasStreamPosition()) return BigInt(options.getStreamPosition());
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  return 'any';
}

/** The Append RPC reports a conflict in its response message (EventStoreDB 20.6.1+). */
export function appendWrongExpectedVersion(
  expected: ExpectedRevision,
  actual: bigint | 'no_stream',
): AppendResp {
  const wev = new AppendResp.WrongExpectedVersion();
  if (actual === 'no_stream') wev.setCurrentNoStream(new Empty());
  else wev.setCurrentRevision(actual.toString());
  if (expected === 'any') wev.setExpectedAny(new Empty());
  else if (expected === 'no_stream') wev.setExpectedNoStream(new Empty());
  else if (expected === 'stream_exists') wev.setExpectedStreamExists(new Empty());
  else wev.setExpectedRevision(expected.toString());
  return new AppendResp().setWrongExpectedVersion(wev);
}

/** `position` undefined: the write was an idempotent repeat, which EventStoreDB reports without one. */
export function appendSuccess(revision: bigint, position: bigint | undefined): AppendResp {
  const success = new AppendResp.Success().setCurrentRevision(revision.toString());
  if (position === undefined) success.setNoPosition(new Empty());
  else
    success.setPosition(
      new AppendResp.Position().setCommitPosition(`${position}`).setPreparePosition(`${position}`),
    );
  return new AppendResp().setSuccess(success);
}

export function batchSuccess(
  revision: bigint,
  position: bigint | undefined,
): BatchAppendResp.Success {
  const success = new BatchAppendResp.Success().setCurrentRevision(revision.toString());
  if (position === undefined) success.setNoPosition(new GoogleEmpty());
  else
    success.setPosition(
      new AllStreamPosition().setCommitPosition(`${position}`).setPreparePosition(`${position}`),
    );
  return success;
}

/** BatchAppend reports failures as a google.rpc.Status whose details the client unpacks by type name. */
export function batchWrongExpectedVersion(
  expected: ExpectedRevision,
  actual: bigint | 'no_stream',
): Status {
  const wev = new SharedWrongExpectedVersion();
  if (actual === 'no_stream') wev.setCurrentNoStream(new GoogleEmpty());
  else wev.setCurrentStreamRevision(actual.toString());
  if (expected === 'any') wev.setExpectedAny(new GoogleEmpty());
  else if (expected === 'no_stream') wev.setExpectedNoStream(new GoogleEmpty());
  else if (expected === 'stream_exists') wev.setExpectedStreamExists(new GoogleEmpty());
  else wev.setExpectedStreamPosition(expected.toString());
  return status(
    Code.FAILED_PRECONDITION,
    'Wrong expected version',
    wev.serializeBinary(),
    'WrongExpectedVersion',
  );
}

export function batchUnknownError(message: string): Status {
  return status(Code.UNKNOWN, message, new Unknown().serializeBinary(), 'Unknown');
}

function status(code: Code, message: string, details: Uint8Array, type: string): Status {
  const any = new Any();
  any.pack(details, `event_store.client.${type}`);
  return new Status().setCode(code).setMessage(message).setDetails(any);
}
