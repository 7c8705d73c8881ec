import type { Entry } from './engine-types';
import { CheckpointWrite, WriteSet, WriteSetBuilder } from './write-set';

/** One projection's part of a commit; `position` null: the part records that it stopped. */
export interface CommitPart {
  entry: Entry;
  position: number | null;
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
      checkpoints.push({ name, expected: null, position: entry.committed, error: entry.error });
      parts.push({ entry, position: null });
    } else if (hasUnstored(entry) && include(entry)) {
      entry.projection.write(out);
      checkpoints.push({ name, expected: entry.committed, position: entry.applied, error: null });
      parts.push({ entry, position: entry.applied });
    }
  }
  return { set: out.build(checkpoints), parts };
}
