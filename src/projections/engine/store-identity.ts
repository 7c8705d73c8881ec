import type { EventStore } from '../../event-store/event-store.port';
import type { ReadModelDb } from '../read-model-db';

const FIRST_EVENT = 'first_event_id';

/**
 * Whether the read models come from this store. They record the id of the store's first event; a
 * new DATA_DIR or another EventStoreDB has another first event (or none), or a head below the
 * checkpoints (`furthest`). Rows whose origin was never recorded cannot be vouched for: only
 * empty read models (no checkpoint) match then. Records the first event's id when none is yet.
 */
export async function readModelsMatch(
  store: EventStore,
  readModels: ReadModelDb,
  furthest: number,
): Promise<boolean> {
  const [first] = await store.readAll({ maxCount: 1 });
  const head = Number(await store.headPosition());
  const known = readModels.meta(FIRST_EVENT);
  const mismatch = known === undefined ? furthest >= 0 : first?.id !== known;
  if (mismatch || furthest > head) return false;
  if (first && known === undefined) recordFirstEvent(readModels, first.id);
  return true;
}

/** Whether the read models have no recorded origin yet (they started on an empty store). */
export function originUnknown(readModels: ReadModelDb): boolean {
  return readModels.meta(FIRST_EVENT) === undefined;
}

/** Records the id of the store's first event, met by read models that started empty. */
export function recordFirstEvent(readModels: ReadModelDb, eventId: string): void {
  readModels.setMeta(FIRST_EVENT, eventId);
}

/** A rebuild replays from this store: record it as the read models' origin. */
export async function recordOrigin(store: EventStore, readModels: ReadModelDb): Promise<void> {
  const [first] = await store.readAll({ maxCount: 1 });
  if (first) recordFirstEvent(readModels, first.id);
}
