import { ServerErrorResponse, status as GrpcStatus } from '@grpc/grpc-js';
import { StandInError } from './convert';

/** Any failure as the gRPC status the stand-in answers with. */
export function toServiceError(error: unknown): ServerErrorResponse & { details: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof StandInError ? error.code : GrpcStatus.UNKNOWN;
  return Object.assign(new Error(message), { code, details: message });
}

/** Ends a streaming call with an error status, unless the client is already gone. */
export function reportError(
  call: { cancelled: boolean; emit(event: 'error', error: unknown): boolean },
  error: unknown,
): void {
  if (!call.cancelled) call.emit('error', toServiceError(error));
}
