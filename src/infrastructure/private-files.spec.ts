import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePrivateDirectory } from './private-files';

describe('makePrivateDirectory', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'private-files-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory and its missing parents for this user only, and leaves one that exists', () => {
    const deep = join(dir, 'a', 'b', 'c');
    makePrivateDirectory(deep);
    makePrivateDirectory(deep);
    for (const path of [join(dir, 'a'), join(dir, 'a', 'b'), deep])
      expect(statSync(path).mode & 0o777).toBe(0o700);
  });

  it('refuses a path that is a file, or under one', () => {
    writeFileSync(join(dir, 'file'), '');
    expect(() => makePrivateDirectory(join(dir, 'file'))).toThrow(/EEXIST/);
    expect(() => makePrivateDirectory(join(dir, 'file', 'data'))).toThrow(/ENOTDIR/);
  });

  it('answers at once where directories cannot be made, as under /proc', () => {
    expect(() => makePrivateDirectory('/proc/points-ledger-data')).toThrow(/ENOENT/);
    expect(() => makePrivateDirectory('/proc/points-ledger/data')).toThrow(/ENOENT/);
  });
});
