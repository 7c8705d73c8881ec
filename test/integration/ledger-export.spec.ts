import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/ledger';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import type { RecordedEvent } from '../../src/event-store';
import { runLedger } from '../support/ledger-cli';
import { createOffer, credit } from '../support/fixtures';
import { api, KEYS, startTestApp } from '../support/test-app';
import { credited } from '../support/wallet-events';

interface Line {
  position: string;
  stream: string;
  revision: string;
  id: string;
  type: string;
  created: string;
  data: unknown;
  metadata: Record<string, unknown>;
  unreadable?: string;
}

/** `ledger export`: the events of $all as JSON lines, for an auditor's own tools. */
describe('ledger export (integration)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-export-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The built CLI, as an operator runs it; `firstLineOnly` closes stdout after its first line. */
  const exportCli = (args: string[] = [], firstLineOnly = false) =>
    runLedger(dir, ['export', ...args], { firstLineOnly });
  const linesOf = (out: string) =>
    out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);
  const asLine = (e: RecordedEvent): Line => ({
    position: String(e.position),
    stream: e.stream,
    revision: String(e.revision),
    id: e.id,
    type: e.type,
    created: e.created.toISOString(),
    data: e.data,
    metadata: e.metadata,
  });

  /** acme in sandbox and in live, and globex in sandbox: offers, credits, redemptions, keys. */
  async function writeThroughTheApp(): Promise<void> {
    const app = await startTestApp(dir);
    try {
      for (const key of [KEYS.acmeSandbox, KEYS.acmeLive, KEYS.globexSandbox]) {
        const org = api(app.baseUrl, key);
        const offer = await createOffer(org, { pointsPrice: 100, maxTotal: 5 });
        await credit(org, 'ada', 1_000);
        const redeemed = await org(
          'POST',
          '/v1/redemptions',
          { offer, externalUserID: 'ada' },
          { 'Idempotency-Key': 'red-1' },
        );
        expect(redeemed.status).toBe(201);
        expect(
          (await org('POST', `/v1/redemptions/${redeemed.body.id}/cancel`, {})).status,
        ).toBeLessThan(300);
      }
      // Beside the running service, which holds DATA_DIR's lock: the export takes none.
      const beside = await exportCli(['--tenant', 'sandbox.acme']);
      expect(beside.code).toBe(0);
      expect(linesOf(beside.out).length).toBeGreaterThan(0);
    } finally {
      await app.close({ keepData: true });
    }
  }

  async function storedEvents(): Promise<RecordedEvent[]> {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db'), readonly: true });
    try {
      return await store.readAll();
    } finally {
      await store.close();
    }
  }

  it("writes every event as the store reads it, one tenant's with --tenant, after a position with --after", async () => {
    await writeThroughTheApp();
    const events = await storedEvents();
    const all = await exportCli();
    expect(all.code).toBe(0);
    expect(all.out.endsWith('\n')).toBe(true);
    const lines = linesOf(all.out);
    expect(lines).toEqual(events.map(asLine));
    const positions = lines.map((l) => BigInt(l.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(positions).size).toBe(positions.length);
    expect(all.err).toBe(
      `Exported ${events.length} events, the last at position ${events.at(-1)!.position} (head of $all: ${events.at(-1)!.position})\n`,
    );

    // One tenant: its wallets' and offers' events, exactly; no other org's or environment's, no
    // idempotency record (its metadata names no tenant) and no settings.
    const acme = linesOf((await exportCli(['--tenant', 'sandbox.acme'])).out);
    const ofAcme = events.filter(
      (e) => e.metadata.environment === 'sandbox' && e.metadata.orgId === 'acme',
    );
    expect(acme).toEqual(ofAcme.map(asLine));
    expect(new Set(acme.map((l) => l.stream.split('.')[0]))).toEqual(
      new Set(['wallet-sandbox', 'offer-sandbox']),
    );
    expect(
      acme.every(
        (l) =>
          l.stream.startsWith('wallet-sandbox.acme.') || l.stream.startsWith('offer-sandbox.acme.'),
      ),
    ).toBe(true);
    const inAcmeStreams = events.filter((e) => /^(wallet|offer)-sandbox\.acme\./.test(e.stream));
    expect(acme.map((l) => l.id)).toEqual(inAcmeStreams.map((e) => e.id));
    expect(events.some((e) => e.stream.startsWith('idempotency-sandbox.acme.'))).toBe(true);
    expect(acme.some((l) => l.type === 'PointsDebited')).toBe(true);
    const live = linesOf((await exportCli(['--tenant', 'live.acme'])).out);
    expect(live.length).toBeGreaterThan(0);
    expect(live.every((l) => /^(wallet|offer)-live\.acme\./.test(l.stream))).toBe(true);

    // Resumes exactly after a position, alone and with --tenant.
    const middle = events[Math.floor(events.length / 2)].position;
    const after = await exportCli(['--after', String(middle)]);
    expect(after.code).toBe(0);
    expect(linesOf(after.out)).toEqual(events.filter((e) => e.position > middle).map(asLine));
    const both = linesOf(
      (await exportCli(['--after', String(middle), '--tenant', 'sandbox.acme'])).out,
    );
    expect(both).toEqual(ofAcme.filter((e) => e.position > middle).map(asLine));
    const none = await exportCli(['--after', String(events.at(-1)!.position)]);
    expect([none.code, none.out]).toEqual([0, '']);
  });

  it('exports an unreadable event marked, names it, and exits 1', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    for (let m = 0; m < 3; m++)
      await store.append(`wallet-sandbox.acme.m${m}`, [credited(`m${m}`, 1)], 'no_stream');
    await store.close();
    const db = new Database(path);
    db.prepare("UPDATE events SET data = 'not json' WHERE position = 2").run();
    db.close();
    const result = await exportCli();
    expect(result.code).toBe(1);
    const lines = linesOf(result.out);
    expect(lines.map((l) => l.position)).toEqual(['1', '2', '3']);
    expect(lines[1]).toMatchObject({ stream: 'wallet-sandbox.acme.m1', data: {} });
    expect(lines[1].unreadable).toEqual(expect.any(String));
    expect(lines[0].unreadable).toBeUndefined();
    expect(result.err).toContain(
      `ledger: unreadable event wallet-sandbox.acme.m1 revision 0 position 2: ${lines[1].unreadable}\n`,
    );
  });

  it("keeps a tenant's unreadable event in its export, by its stream's name, and no other tenant's", async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    await store.append('wallet-sandbox.acme.m0', [credited('m0', 1)], 'no_stream');
    await store.append('wallet-sandbox.acme.m1', [credited('m1', 2)], 'no_stream');
    await store.append('wallet-live.acme.m2', [credited('m2', 3)], 'no_stream');
    await store.close();
    const db = new Database(path);
    // Its metadata is what names the tenant: the store cannot read it, nor the data.
    db.prepare(
      "UPDATE events SET data = 'not json', metadata = '{' WHERE position IN (2, 3)",
    ).run();
    db.close();
    const acme = await exportCli(['--tenant', 'sandbox.acme']);
    expect(acme.code).toBe(1);
    expect(linesOf(acme.out).map((l) => [l.position, l.unreadable === undefined])).toEqual([
      ['1', true],
      ['2', false],
    ]);
    expect(acme.err).toContain(
      'ledger: unreadable event wallet-sandbox.acme.m1 revision 0 position 2',
    );
    const live = await exportCli(['--tenant', 'live.acme']);
    expect(live.code).toBe(1);
    expect(linesOf(live.out).map((l) => l.stream)).toEqual(['wallet-live.acme.m2']);
    const globex = await exportCli(['--tenant', 'sandbox.globex']);
    expect([globex.code, globex.out]).toEqual([0, '']);
  });

  it('exits 3 and says so when its output cannot be written (a full disk), as every command does', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    await store.append('wallet-sandbox.acme.m0', [credited('m0', 1)], 'no_stream');
    await store.close();
    const member = ['--tenant', 'sandbox.acme', '--member', 'm0'];
    for (const args of [['export'], ['status'], ['check'], ['balance', ...member]]) {
      const full = await runLedger(dir, args, { stdoutTo: '/dev/full' });
      expect({ args, code: full.code, last: full.err.trim().split('\n').at(-1) }).toEqual({
        args,
        code: 3,
        last: 'ledger: the output could not be written: ENOSPC: no space left on device, write',
      });
    }
    const exported = await runLedger(dir, ['export'], { stdoutTo: '/dev/full' });
    expect(exported.err).toContain('stopped: stdout failed (ENOSPC)');
  });

  it('ends quietly with exit 0 when the reader closes the pipe, and waits for a full one to drain', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    for (let m = 0; m < 20; m++)
      await store.append(
        `wallet-sandbox.acme.m${m}`,
        Array.from({ length: 500 }, () => credited(`m${m}`, 1)),
        'no_stream',
      );
    await store.close();
    const head = await exportCli([], true);
    expect(head.code).toBe(0);
    expect(Number(/^Exported (\d+)/.exec(head.err)?.[1])).toBeLessThan(10_000);
    expect(head.err).toMatch(
      /^Exported \d+ events?, the last at position \d+ \(head of \$all: 10000\); stopped: the reader closed stdout\n$/,
    );

    // A reader that never drains: the export writes one line past a full buffer, and waits.
    const out = Object.assign(new EventEmitter(), {
      lines: 0,
      write() {
        this.lines++;
        return false;
      },
    });
    const running = main(['export'], { DATA_DIR: dir }, { out, err: { write: () => true } });
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 20 && out.lines === 0; i++) await new Promise((r) => setImmediate(r));
    expect(out.lines).toBe(1);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(out.lines).toBe(1);
    out.emit('drain');
    for (let i = 0; i < 20 && out.lines === 1; i++) await new Promise((r) => setImmediate(r));
    expect(out.lines).toBe(2);
    out.emit('close');
    expect(await running).toBe(0);
    expect(out.lines).toBe(2);
  });

  it('refuses a bad --tenant or --after with exit 2, and exits 3 with no event store', async () => {
    for (const args of [
      ['--tenant', 'acme'],
      ['--tenant', 'staging.acme'],
      ['--tenant', 'sandbox.'],
      ['--tenant'],
      ['--after', '-1'],
      ['--after', 'x'],
      ['--org', 'acme'],
      ['--tenant', 'live.acme', '--tenant', 'sandbox.acme'],
      ['--after', '5', '--after', '0'],
    ]) {
      const bad = await exportCli(args);
      expect([bad.code, bad.out]).toEqual([2, '']);
      expect(bad.err).toMatch(/^ledger: export .*\n\nUsage: ledger <command>/);
    }
    const none = await exportCli();
    expect([none.code, none.out]).toEqual([3, '']);
    expect(none.err).toBe(
      `ledger: export could not run: No event store at ${join(dir, 'events.db')} (set DATA_DIR or EVENTSTORE_CONNECTION_STRING)\n`,
    );
  });
});
