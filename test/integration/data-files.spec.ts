import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp } from '../support/test-app';

describe('data files (integration)', () => {
  it("keeps every tenant's data from other local users, whatever the umask", async () => {
    const parent = mkdtempSync(join(tmpdir(), 'points-ledger-files-'));
    const dataDir = join(parent, 'data');
    const umask = process.umask(0o022);
    try {
      const t = await startTestApp(dataDir);
      const modes = () =>
        Object.fromEntries(
          readdirSync(dataDir).map((name) => [name, statSync(join(dataDir, name)).mode & 0o777]),
        );
      try {
        expect(statSync(dataDir).mode & 0o777).toBe(0o700);
        const files = modes();
        expect(Object.keys(files)).toEqual(
          expect.arrayContaining([
            'events.db',
            'events.db-wal',
            'read-models.db',
            'read-models.lock',
          ]),
        );
        for (const [name, mode] of Object.entries(files))
          expect([name, mode]).toEqual([name, 0o600]);
      } finally {
        await t.close({ keepData: true });
      }
    } finally {
      process.umask(umask);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
