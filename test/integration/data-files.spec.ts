import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp } from '../support/test-app';
import { dist } from '../support/compiled';

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

  it('refuses a database file this user may not write, which SQLite would open read-only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'points-ledger-readonly-'));
    const path = join(dir, 'events.db');
    try {
      writeFileSync(path, '');
      // Root may write any file, so the check then runs as nobody, on a file of root's.
      const asRoot = process.getuid?.() === 0;
      chmodSync(dir, 0o755);
      chmodSync(path, asRoot ? 0o600 : 0o400);
      const compiled = dist('infrastructure/private-files.js');
      const check = spawnSync(
        process.execPath,
        ['-e', `require(${JSON.stringify(compiled)}).makePrivateFile(${JSON.stringify(path)})`],
        { encoding: 'utf8', ...(asRoot ? { uid: 65534, gid: 65534 } : {}) },
      );
      expect(check.status).not.toBe(0);
      expect(check.stderr).toContain(`Cannot write ${path}: this user (uid`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
