import type { EventStore } from '../../event-store/event-store.port';
import type { ReadModelDb } from '../read-model-db';

const FIRST_EVENT = 'first_event_id';

/**
 * Whether the read models come from this store. They record the id of the store's first event; a
 * new DATA_DIR or another EventStoreDB has another first event (or none), or a head below the
 * checkpoints (`furthest`). Records the first event's id when none is recorded yet.
 */
export async function readModelsMatch(
  store: EventStore,
  readModels: ReadModelDb,
  furthest: number,
): Promise<boolean> {
  const [first] = await store.readAll({ maxCount: 1 });
  const head = Number(await store.headPosition());
  const known = readModels.meta(FIRST_EVENT);
  const mismatch = first ? known !== undefined && known !== first.id : furthest >= 0;
  if (mismatch || furthest > head) return false;
  if (first && known === undefined) readModels.setMeta(FIRST_EVENT, first.id);
  return true;
}

/** A rebuild replays from this store: record it as the read models' origin. */
export async function recordOrigin(store: EventStore, readModels: ReadModelDb): Promise<void> {
  const [first] = await store.readAll({ maxCount: 1 });
  if (first) readModels.setMeta(FIRST_EVENT, first.id);
}
