import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqliteEventStore as Store } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { describeEventStoreContract } from './event-store.contract';
import { dist } from '../support/compiled';

// A worker thread runs JavaScript, so this suite uses the compiled adapter (`npm test` builds first).
const compiled = dist('infrastructure/sqlite/sqlite-event-store.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SqliteEventStore } = require(compiled) as { SqliteEventStore: typeof Store };

describeEventStoreContract(
  'SQLite with its writer thread (compiled)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'points-ledger-contract-worker-'));
    const store = SqliteEventStore.open({ path: join(dir, 'events.db'), writer: 'worker' });
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
