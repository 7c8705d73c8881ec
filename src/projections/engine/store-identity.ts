import type { EventStore, RecordedEvent } from '../../event-store/event-store.port';
import type { ReadModelDb } from '../read-model-db';
import { Checkpoints } from './checkpoints';

const FIRST_EVENT = 'first_event_id';

/** What tells which store this is and how far it goes: its first event and its head (-1: none). */
export interface StoreEnds {
  first: RecordedEvent | undefined;
  head: number;
}

/**
 * The store's ends, read once for all the checks below: a check at start-up or by `ledger status`
 * asks several questions of the same two facts, and on EventStoreDB each read is a round trip.
 */
export async function storeEnds(store: EventStore): Promise<StoreEnds> {
  const [[first], head] = await Promise.all([store.readAll({ maxCount: 1 }), store.headPosition()]);
  return { first, head: Number(head) };
}

/**
 * Whether the read models come from this store. They record the id of the store's first event; a
 * new DATA_DIR or another EventStoreDB has another first event (or none), or a head below the
 * checkpoints (`furthest`). Rows whose origin was never recorded cannot be vouched for: only
 * empty read models (no checkpoint) match then. Records the first event's id when none is yet.
 */
export function readModelsMatch(
  ends: StoreEnds,
  readModels: ReadModelDb,
  furthest: number,
): boolean {
  const match = fromThisStore(ends, readModels, furthest);
  if (match && ends.first && readModels.meta(FIRST_EVENT) === undefined)
    recordFirstEvent(readModels, ends.first.id);
  return match;
}

/** readModelsMatch without recording anything: for a look at read-only files (`ledger status`). */
export function fromThisStore(
  { first, head }: StoreEnds,
  readModels: ReadModelDb,
  furthest = furthestCheckpoint(readModels),
): boolean {
  const known = readModels.meta(FIRST_EVENT);
  const mismatch = known === undefined ? furthest >= 0 : first?.id !== known;
  return !mismatch && furthest <= head;
}

/** The furthest position any projection has stored (-1: the read models hold nothing). */
export function furthestCheckpoint(readModels: ReadModelDb): number {
  const stored = new Checkpoints(readModels.db).load();
  return Math.max(-1, ...[...stored.values()].map((c) => c.position));
}

/**
 * Why the store lacks events that the read models were built from, or null. The store is empty,
 * or it is their store (the same first event) and ends before their checkpoints: a wrong DATA_DIR
 * or connection string, a deleted or truncated events.db, an older copy put in place by hand.
 * Serving would fork the ledger (balances read 0, old Idempotency-Keys run again), so the service
 * refuses; `ledger restore` or an explicit `ledger rebuild` resolves it. Another store with events
 * of its own is not this case: its read models are rebuilt (readModelsMatch).
 */
export function missingEvents(
  { first, head }: StoreEnds,
  readModels: ReadModelDb,
  checkpoints = furthestCheckpoint(readModels),
): string | null {
  const furthest = builtUpTo(readModels, checkpoints);
  if (furthest < 0) return null;
  if (first && first.id !== readModels.meta(FIRST_EVENT)) return null;
  if (head >= furthest) return null;
  const holds = first ? `ends at position ${head}` : 'is empty';
  return (
    `The event store ${holds}, but the read models were built from it up to position ${furthest}: ` +
    'its events are missing (a wrong DATA_DIR or EVENTSTORE_CONNECTION_STRING, or a deleted, ' +
    'truncated or older events.db). Restore a backup with `ledger restore`, or run `ledger rebuild` ' +
    'to serve this store as it is'
  );
}

const LOST_EVENTS = 'lost_events';
/** How far read models dropped by a schema reset had been built (keptAcrossReset). */
const BUILT_UP_TO = 'built_up_to';

/** How far the read models were built: their checkpoints, or as far as before a schema reset. */
function builtUpTo(readModels: ReadModelDb, checkpoints = furthestCheckpoint(readModels)): number {
  return Math.max(checkpoints, Number(readModels.meta(BUILT_UP_TO) ?? -1));
}

/**
 * What a schema reset (ReadModelDb.open) keeps of the read models it drops: their origin, a noted
 * refusal, and how far they were built. Without them, the start that resets them (the first start
 * of a release with a migration) would take an emptied store for a new one and serve it.
 */
export function keptAcrossReset(readModels: ReadModelDb): Array<[string, string]> {
  const kept: Array<[string, string]> = [];
  for (const key of [FIRST_EVENT, LOST_EVENTS]) {
    const value = readModels.meta(key);
    if (value !== undefined) kept.push([key, value]);
  }
  const furthest = builtUpTo(readModels);
  if (furthest >= 0) kept.push([BUILT_UP_TO, String(furthest)]);
  return kept;
}

/**
 * Why the service must not serve this store, or null: it lacks events (missingEvents), or it did
 * once and now holds other events, such as writes made on the emptied store while the check could
 * not run (EventStoreDB unreachable at start). A refusal is noted in the read models, so that such
 * a store is not taken for another one and the read models dropped; the note goes once the store
 * holds their events again, or with the read models (a rebuild, a restore).
 */
export function refusalFor(
  ends: StoreEnds,
  readModels: ReadModelDb,
  furthest = furthestCheckpoint(readModels),
  mode: 'record' | 'look' = 'record',
): string | null {
  const record = mode === 'record'; // 'look': read-only files (`ledger status`)
  const missing = missingEvents(ends, readModels, furthest);
  if (missing) {
    if (record) readModels.setMeta(LOST_EVENTS, missing);
    return missing;
  }
  const noted = readModels.meta(LOST_EVENTS);
  if (noted === undefined) return null;
  const matches = record ? readModelsMatch : fromThisStore;
  if (!matches(ends, readModels, furthest)) return noted;
  if (record) readModels.deleteMeta(LOST_EVENTS);
  return null;
}

/** Whether the read models have no recorded origin yet (they started on an empty store). */
export function originUnknown(readModels: ReadModelDb): boolean {
  return readModels.meta(FIRST_EVENT) === undefined;
}

/** Records the id of the store's first event, met by read models that started empty or replayed. */
export function recordFirstEvent(readModels: ReadModelDb, eventId: string): void {
  readModels.setMeta(FIRST_EVENT, eventId);
}
