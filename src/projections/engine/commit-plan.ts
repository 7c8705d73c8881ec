import type { Entry } from './engine-types';
import { CheckpointWrite, WriteSet, WriteSetBuilder } from './write-set';

/** One projection's part of a commit: the checkpoint it stores, and whether it records a stop. */
export interface CommitPart {
  entry: Entry;
  position: number;
  stop: boolean;
}

/** A running projection that has folded events it has not stored. */
export function hasUnstored(entry: Entry): boolean {
  return !entry.error && entry.applied > entry.committed;
}

/**
 * What a commit writes: each projection that folded something new and that `include` picks. A
 * stop is recorded with the next commit.
 */
export function planCommit(
  entries: readonly Entry[],
  include: (entry: Entry) => boolean,
): { set: WriteSet; parts: CommitPart[] } {
  const parts: CommitPart[] = [];
  const out = new WriteSetBuilder();
  const checkpoints: CheckpointWrite[] = [];
  for (const entry of entries) {
    const { name } = entry.projection;
    if (entry.errorUnsaved) {
      // A stop met again after a replay (Entry.stopAt) keeps what was folded before the event.
      const keeps = entry.applied > entry.committed;
      if (keeps) entry.projection.write(out);
      const expected = keeps ? entry.committed : null;
      checkpoints.push({ name, expected, position: entry.applied, error: entry.error });
      parts.push({ entry, position: entry.applied, stop: true });
    } else if (hasUnstored(entry) && include(entry)) {
      entry.projection.write(out);
      checkpoints.push({ name, expected: entry.committed, position: entry.applied, error: null });
      parts.push({ entry, position: entry.applied, stop: false });
    }
  }
  return { set: out.build(checkpoints), parts };
}
