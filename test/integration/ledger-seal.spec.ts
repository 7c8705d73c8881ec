import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEAL_FORMAT } from '../../src/cli/seal-events';
import { chainNext, chainStart, sealRoot } from '../../src/audit/stream-chain';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { credited } from '../support/wallet-events';
import { runLedger, runLedgerHere } from '../support/ledger-cli';

/** `ledger seal` and `ledger check-seal`: tamper evidence of the events, by hash chains and a root. */
describe('ledger seal and check-seal (integration)', () => {
  let dir: string;
  let sealFile: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-seal-spec-'));
    sealFile = join(dir, 'seal.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (argv: string[]) => runLedgerHere(argv, { DATA_DIR: dir });

  const eventsPath = () => join(dir, 'events.db');

  /** Three members with three credits each: positions 1-9, m0's at 1, 4, 7. */
  async function writeLedger(): Promise<void> {
    const store = SqliteEventStore.open({ path: eventsPath() });
    for (let round = 0; round < 3; round++)
      for (let m = 0; m < 3; m++)
        await store.append(`wallet-sandbox.acme.m${m}`, [credited(`m${m}`, 10 + round)], 'any');
    await store.close();
  }

  /** Runs SQL on events.db behind the store's back, as someone with the file could. */
  function tamper(sql: string): void {
    const db = new Database(eventsPath());
    db.prepare(sql).run();
    db.close();
  }

  it('seals every stream, and a check of the untouched events finds them all as sealed', async () => {
    await writeLedger();
    const sealed = await run(['seal', sealFile]);
    expect(sealed.code).toBe(0);
    expect(sealed.out).toMatch(
      /^Sealed 9 events in 3 streams up to position 9 in .*\nroot [0-9a-f]{64}\n/,
    );
    const [header, ...streams] = readFileSync(sealFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(header).toMatchObject({ format: SEAL_FORMAT, head: '9', events: 9, streams: 3 });
    expect(sealed.out).toContain(`root ${header.root}\n`);
    expect(streams.map((s) => [s.stream, s.revision])).toEqual([
      ['wallet-sandbox.acme.m0', '2'],
      ['wallet-sandbox.acme.m1', '2'],
      ['wallet-sandbox.acme.m2', '2'],
    ]);

    const checked = await run(['check-seal', sealFile]);
    expect(checked.code).toBe(0);
    expect(checked.out).toBe(
      `Checked 9 events in 3 streams sealed up to position 9 (root ${header.root}): all as sealed\n`,
    );
  });

  it("computes each stream's chain from its events, link by link, and the root over the streams", async () => {
    await writeLedger();
    expect((await run(['seal', sealFile])).code).toBe(0);
    const store = SqliteEventStore.open({ path: eventsPath(), readonly: true });
    const events = await store.readStream('wallet-sandbox.acme.m1');
    await store.close();
    const link = events.reduce(chainNext, chainStart('wallet-sandbox.acme.m1')).toString('hex');
    const [header, ...streams] = readFileSync(sealFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(streams[1].link).toBe(link);
    expect(
      sealRoot(
        header,
        streams.map((s) => ({ ...s, revision: BigInt(s.revision) })),
      ),
    ).toBe(header.root);
  });

  it('checks the seal of a store that held no event yet', async () => {
    await SqliteEventStore.open({ path: eventsPath() }).close();
    expect((await run(['seal', sealFile])).code).toBe(0);
    expect(JSON.parse(readFileSync(sealFile, 'utf8').split('\n')[0])).toMatchObject({
      head: '-1',
      events: 0,
    });
    await writeLedger();
    const checked = await run(['check-seal', sealFile]);
    expect([checked.code, checked.out]).toEqual([0, expect.stringContaining('all as sealed')]);
  });

  it('still finds the events as sealed once more are written after the seal', async () => {
    await writeLedger();
    expect((await run(['seal', sealFile])).code).toBe(0);
    const store = SqliteEventStore.open({ path: eventsPath() });
    await store.append('wallet-sandbox.acme.m0', [credited('m0', 5)], 'any');
    await store.append('wallet-sandbox.acme.m9', [credited('m9', 5)], 'no_stream');
    await store.close();
    expect((await run(['check-seal', sealFile])).code).toBe(0);
  });

  it.each([
    [
      'an amount edited',
      'UPDATE events SET data = replace(data, \'"amount":11\', \'"amount":1100\') WHERE position = 4',
    ],
    [
      'metadata edited',
      "UPDATE events SET metadata = replace(metadata, 'org:acme', 'org:evil') WHERE position = 1",
    ],
    ['an event removed from the middle', 'DELETE FROM events WHERE position = 4'],
    ['an event retyped', "UPDATE events SET type = 'PointsRefunded' WHERE position = 7"],
    ['an event made unreadable', "UPDATE events SET data = 'not json' WHERE position = 1"],
  ])('names the stream whose chain breaks: %s', async (_what, sql) => {
    await writeLedger();
    expect((await run(['seal', sealFile])).code).toBe(0);
    tamper(sql);
    const checked = await run(['check-seal', sealFile]);
    expect(checked.code).toBe(1);
    expect(checked.out).toContain(
      'altered wallet-sandbox.acme.m0: its events up to revision 2 no longer match the seal',
    );
    expect(checked.out).not.toContain('wallet-sandbox.acme.m1');
    expect(checked.out).toMatch(/: 1 finding \(altered 1\)\n$/);
  });

  it("reports a stream cut short, and an event slipped in before the seal's head", async () => {
    await writeLedger();
    expect((await run(['seal', sealFile])).code).toBe(0);
    tamper('DELETE FROM events WHERE position = 9'); // m2's last sealed event
    tamper(
      "INSERT INTO events (position, stream, revision, id, type, data, metadata, created) SELECT 0, 'wallet-sandbox.acme.ghost', 0, 'ghost', type, data, metadata, created FROM events WHERE position = 1",
    );
    const checked = await run(['check-seal', sealFile]);
    expect(checked.code).toBe(1);
    expect(checked.out).toContain(
      "added wallet-sandbox.acme.ghost: revision 0 at position 0 (PointsCredited) is at or before the seal's head, yet the seal does not hold it\n",
    );
    expect(checked.out).toContain(
      'missing wallet-sandbox.acme.m2: sealed up to revision 2, it now ends at revision 1: events were removed\n',
    );
    expect(checked.out).toMatch(/: 2 findings \(added 1, missing 1\)\n$/);
  });

  it('refuses a seal file changed after it was written, and one that is not a seal (exit 3)', async () => {
    await writeLedger();
    expect((await run(['seal', sealFile])).code).toBe(0);
    const original = readFileSync(sealFile, 'utf8');
    const [header, ...streams] = original
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const flip = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
    // Every field counts: a stream's link, and the summary (a lowered head would pass events
    // slipped in after it as sealed).
    const forgeries = [
      { ...header, head: '5' },
      { ...header, events: 1 },
      { ...header, sealedAt: '2020-01-01T00:00:00.000Z' },
    ].map((h) => [h, ...streams]);
    forgeries.push([header, { ...streams[0], link: flip(streams[0].link) }, ...streams.slice(1)]);
    for (const lines of forgeries) {
      writeFileSync(sealFile, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
      const changed = await run(['check-seal', sealFile]);
      expect(changed.code).toBe(3);
      expect(changed.err).toContain('does not match its own root: the seal file was changed');
    }
    writeFileSync(sealFile, original);
    expect((await run(['check-seal', sealFile])).code).toBe(0);

    writeFileSync(join(dir, 'other.json'), '{"hello":1}\n');
    const other = await run(['check-seal', join(dir, 'other.json')]);
    expect([other.code, other.err]).toEqual([
      3,
      `ledger: check-seal could not compare: ${join(dir, 'other.json')} is not a seal of this ledger (${SEAL_FORMAT})\n`,
    ]);
    expect((await run(['check-seal', join(dir, 'none.jsonl')])).code).toBe(3);
  });

  it('never replaces a file, and needs a file to write', async () => {
    await writeLedger();
    writeFileSync(sealFile, 'kept');
    const again = await run(['seal', sealFile]);
    expect(again.code).toBe(1);
    expect(again.err).toBe(`ledger: ${sealFile} exists: a seal never replaces a file\n`);
    expect(readFileSync(sealFile, 'utf8')).toBe('kept');
    expect((await run(['seal'])).code).toBe(2);
    expect((await run(['check-seal'])).code).toBe(2);
  });

  it('leaves no file behind when the seal cannot be written whole, so a second try can write it', async () => {
    await writeLedger();
    // A full disk: the file is made, and the write into it fails.
    // The module object itself, as the compiled seal-events calls it (an import * is a frozen copy).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('node:fs') as typeof import('node:fs');
    const write = jest.spyOn(fs, 'writeFileSync').mockImplementationOnce((path) => {
      fs.closeSync(fs.openSync(path as string, 'wx'));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    try {
      const full = await run(['seal', sealFile]);
      expect([full.code, full.err.trim().split('\n').at(-1)]).toEqual([
        1,
        `ledger: no seal written at ${sealFile}: ENOSPC: no space left on device, write`,
      ]);
      expect(fs.existsSync(sealFile)).toBe(false);
    } finally {
      write.mockRestore();
    }
    expect((await run(['seal', sealFile])).code).toBe(0);
    expect((await run(['check-seal', sealFile])).code).toBe(0);
  });

  it('seals and checks through the built CLI, as an operator runs it', async () => {
    await writeLedger();
    const sealed = await runLedger(dir, ['seal', sealFile]);
    expect(sealed.code).toBe(0);
    expect(sealed.err).toContain('Sealing the events up to position 9');
    const checked = await runLedger(dir, ['check-seal', sealFile]);
    expect([checked.code, checked.out]).toEqual([0, expect.stringContaining('all as sealed')]);
  });
});
