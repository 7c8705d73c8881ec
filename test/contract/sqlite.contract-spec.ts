import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { describeEventStoreContract } from './event-store.contract';

describeEventStoreContract(
  'SQLite (embedded, on disk)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'points-ledger-contract-'));
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    return {
      store,
      teardown: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { atomicAppends: true, skipsBodies: true, leanReads: true },
);
