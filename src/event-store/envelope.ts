import { randomUUID } from 'node:crypto';
import { EventData, JsonObject, JsonValue, RecordedEvent } from './event-store.port';

/** What every event records besides its data (docs/events.md). */
export interface EventMetadata extends JsonObject {
  schemaVersion: number;
  occurredAt: string;
  requestId: string | null;
  idempotencyKey: string | null;
  /** 'org:<orgId>', 'member:<externalUserID>' or 'system'. */
  actor: string;
  environment: string;
  orgId: string;
  correlationId: string | null;
  causationId: string | null;
}

/** Who asked for a change, and in answer to which request. */
export type EventContext = Omit<EventMetadata, 'schemaVersion'>;

export interface TypedEvent {
  type: string;
  data: unknown;
}

export const CURRENT_SCHEMA_VERSION = 1;

export function toEventData(event: TypedEvent, context: EventContext): EventData {
  return {
    id: randomUUID(),
    type: event.type,
    data: event.data as JsonValue,
    metadata: { schemaVersion: CURRENT_SCHEMA_VERSION, ...context },
  };
}

export function toTypedEvent<E extends TypedEvent>(recorded: RecordedEvent): E {
  return { type: recorded.type, data: recorded.data } as E;
}
