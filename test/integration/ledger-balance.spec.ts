import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import type { RecordedEvent } from '../../src/event-store';
import { MEMBER_REF_SCHEME_STREAM, MemberRefs } from '../../src/ledger/member-refs';
import { walletStream } from '../../src/ledger/streams';
import { runLedger } from '../support/ledger-cli';
import { createOffer, credit } from '../support/fixtures';
import { api, headPosition, KEYS, startTestApp } from '../support/test-app';
import { credited, walletEvent } from '../support/wallet-events';

type Figures = {
  balance: number;
  amountReceived: number;
  amountSpent: number;
  refunded: number;
  pending: number;
};

/** `ledger balance`: a member's wallet at a past instant or position, folded from its stream. */
describe('ledger balance (integration)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-balance-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The built CLI, as an operator runs it. */
  const balanceCli = (args: string[]) => runLedger(dir, ['balance', ...args]);
  /** The answer of a run that must succeed. */
  const balanceOf = async (args: string[]) => {
    const run = await balanceCli(args);
    expect([run.code, run.err]).toEqual([0, '']);
    expect(run.out.endsWith('}\n')).toBe(true);
    return JSON.parse(run.out) as Figures & Record<string, unknown>;
  };
  const figuresOf = (answer: Figures): Figures => ({
    balance: answer.balance,
    amountReceived: answer.amountReceived,
    amountSpent: answer.amountSpent,
    refunded: answer.refunded,
    pending: answer.pending,
  });
  const ZERO: Figures = { balance: 0, amountReceived: 0, amountSpent: 0, refunded: 0, pending: 0 };

  async function streamOf(member: string, tenant: string): Promise<RecordedEvent[]> {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db'), readonly: true });
    try {
      const all = await store.readAll();
      return all.filter(
        (e) => e.stream.startsWith(`wallet-${tenant}.`) && e.metadata.externalUserID === member,
      );
    } finally {
      await store.close();
    }
  }

  it('answers what GET /v1/wallet answered after each write, at an instant, a position or now, and keeps tenants apart', async () => {
    const app = await startTestApp(dir);
    const acme = api(app.baseUrl, KEYS.acmeSandbox);
    const acmeLive = api(app.baseUrl, KEYS.acmeLive);
    const globex = api(app.baseUrl, KEYS.globexSandbox);
    /** After each write to ada in sandbox.acme: the API's figures and the head of $all. */
    const snapshots: { figures: Figures; head: bigint }[] = [];
    const snapshot = async () => {
      const wallet = await acme('GET', '/v1/wallet?externalUserID=ada');
      expect(wallet.status).toBe(200);
      snapshots.push({
        figures: figuresOf(wallet.body),
        head: BigInt(await headPosition(app.baseUrl)),
      });
    };
    try {
      const offer = await createOffer(acme, { pointsPrice: 300 });
      const other = await createOffer(acme, { pointsPrice: 200 });
      await credit(acme, 'ada', 1_000);
      await snapshot();
      // The same member id in the other environment and in another organization, between ada's writes.
      await credit(acmeLive, 'ada', 7);
      await credit(globex, 'ada', 3);
      const redeemed = await acme('POST', '/v1/redemptions', { offer, externalUserID: 'ada' });
      expect(redeemed.status).toBe(201);
      await snapshot();
      const kept = await acme('POST', '/v1/redemptions', { offer: other, externalUserID: 'ada' });
      expect(kept.status).toBe(201);
      await snapshot();
      await credit(acmeLive, 'ada', 5);
      const canceled = await acme('POST', `/v1/redemptions/${redeemed.body.id}/cancel`, {});
      expect(canceled.status).toBeLessThan(300);
      await snapshot();
      await credit(acme, 'ada', 50);
      await snapshot();
      const archived = await acme('DELETE', '/v1/members/ada?retainBalance=false');
      expect(archived.status).toBe(200);
      await snapshot();
      expect(snapshots.at(-1)!.figures.balance).toBe(0);
      expect(snapshots.map((s) => s.figures.refunded)).toEqual([0, 0, 0, 300, 300, 300]);

      // Now, beside the running service: today's GET /v1/wallet.
      const today = await acme('GET', '/v1/wallet?externalUserID=ada');
      const now = await balanceOf(['--tenant', 'sandbox.acme', '--member', 'ada']);
      expect(figuresOf(now)).toEqual(figuresOf(today.body));
      expect(now).not.toHaveProperty('at');
      expect(now).not.toHaveProperty('position');
      const liveToday = await acmeLive('GET', '/v1/wallet?externalUserID=ada');
      const live = await balanceOf(['--tenant', 'live.acme', '--member', 'ada']);
      expect(figuresOf(live)).toEqual(figuresOf(liveToday.body));
      expect(live.balance).toBe(12);
      expect((await balanceOf(['--tenant', 'sandbox.globex', '--member', 'ada'])).balance).toBe(3);
    } finally {
      await app.close({ keepData: true });
    }

    const events = await streamOf('ada', 'sandbox.acme');
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
    const now = await balanceOf(['--tenant', 'sandbox.acme', '--member', 'ada']);
    expect(now).toMatchObject({
      tenant: 'sandbox.acme',
      externalUserID: 'ada',
      events: events.length,
      lastPosition: String(events.at(-1)!.position),
      lastRevision: String(events.at(-1)!.revision),
    });

    // The last of ada's events each write made, and when it occurred.
    const lastOf = snapshots.map(({ head }) => events.filter((e) => e.position <= head).at(-1)!);
    const instants = lastOf.map((e) => e.metadata.occurredAt as string);
    for (const [k, { figures, head }] of snapshots.entries()) {
      const last = lastOf[k];
      const folded = events.indexOf(last) + 1;
      // At the position the write left $all at, and at that of its own last event.
      for (const position of [head, last.position]) {
        const at = await balanceOf([
          '--tenant',
          'sandbox.acme',
          '--member',
          'ada',
          '--position',
          String(position),
        ]);
        expect(figuresOf(at)).toEqual(figures);
        expect(at).toMatchObject({
          position: String(position),
          events: folded,
          lastPosition: String(last.position),
          lastRevision: String(last.revision),
        });
      }
      // At the instant its last event occurred (included): what the API answered after the last
      // write whose events occurred by then (two writes may share a millisecond).
      const j = instants.lastIndexOf(instants[k]);
      const at = await balanceOf([
        '--tenant',
        'sandbox.acme',
        '--member',
        'ada',
        '--at',
        instants[k],
      ]);
      expect(figuresOf(at)).toEqual(snapshots[j].figures);
      expect(at).toMatchObject({ at: instants[k], lastPosition: String(lastOf[j].position) });
      // The same instant written in another zone.
      const ms = Date.parse(instants[k]);
      const inBerlin = new Date(ms + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
      const there = await balanceOf([
        '--tenant',
        'sandbox.acme',
        '--member',
        'ada',
        '--at',
        inBerlin,
      ]);
      expect(figuresOf(there)).toEqual(snapshots[j].figures);
    }

    // A position between two of ada's events (another tenant's credit was written between them).
    const next = events[events.indexOf(lastOf[2]) + 1].position;
    const between = next - 1n;
    expect(between).toBeGreaterThan(lastOf[2].position);
    const mid = await balanceOf([
      '--tenant',
      'sandbox.acme',
      '--member',
      'ada',
      '--position',
      String(between),
    ]);
    expect(figuresOf(mid)).toEqual(snapshots[2].figures);
    expect(mid).toMatchObject({ lastPosition: String(lastOf[2].position) });

    // Before ada's first event, an unknown member, a member of another organization: zeros.
    const before = new Date(Date.parse(instants[0]) - 1).toISOString();
    for (const args of [
      ['--tenant', 'sandbox.acme', '--member', 'ada', '--at', before],
      [
        '--tenant',
        'sandbox.acme',
        '--member',
        'ada',
        '--position',
        String(events[0].position - 1n),
      ],
      ['--tenant', 'sandbox.acme', '--member', 'nobody'],
      ['--tenant', 'live.globex', '--member', 'ada'],
    ]) {
      const zero = await balanceOf(args);
      expect(figuresOf(zero)).toEqual(ZERO);
      expect(zero).toMatchObject({ events: 0, lastPosition: null, lastRevision: null });
    }
  });

  it('names an event it cannot fold and prints no figures (exit 1); reads a store without a scheme and writes none', async () => {
    // A store written before schemes were recorded: wallets named by the plain digest.
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    const stream = walletStream(
      'sandbox.acme',
      new MemberRefs({ kind: 'sha256' }).of('sandbox.acme', 'ada'),
    );
    await store.append('wallet-sandbox.acme.other', [credited('other', 1)], 'no_stream');
    await store.append(stream, [credited('ada', 40), credited('ada', 2)], 'no_stream');
    await store.append(stream, [walletEvent('ada', 'PointsTeleported', { amount: 1 })], 1n);
    await store.close();

    const upTo = await balanceOf([
      '--tenant',
      'sandbox.acme',
      '--member',
      'ada',
      '--position',
      '3',
    ]);
    expect(upTo).toMatchObject({ balance: 42, amountReceived: 42, events: 2, lastRevision: '1' });
    const broken = await balanceCli(['--tenant', 'sandbox.acme', '--member', 'ada']);
    expect([broken.code, broken.out]).toEqual([1, '']);
    expect(broken.err).toMatch(
      new RegExp(
        `^ledger: cannot fold the event of ${stream} at revision 2 \\(position 4\\): .*PointsTeleported`,
      ),
    );

    const after = SqliteEventStore.open({ path, readonly: true });
    try {
      expect(await after.readStream(MEMBER_REF_SCHEME_STREAM)).toEqual([]);
      expect(await after.headPosition()).toBe(4n);
    } finally {
      await after.close();
    }
  });

  it('answers a point before an event whose stored body cannot be read, and names it past that point', async () => {
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    const stream = walletStream(
      'sandbox.acme',
      new MemberRefs({ kind: 'sha256' }).of('sandbox.acme', 'ada'),
    );
    await store.append(stream, [credited('ada', 40), credited('ada', 2)], 'no_stream');
    await store.append(stream, [credited('ada', 100)], 1n);
    await store.append(stream, [credited('ada', 1_000)], 2n);
    await store.close();
    const db = new Database(path);
    db.prepare('UPDATE events SET data = \'{"amount":10\' WHERE position = 4').run();
    db.close();

    const member = ['--tenant', 'sandbox.acme', '--member', 'ada'];
    expect(await balanceOf([...member, '--position', '3'])).toMatchObject({
      balance: 142,
      events: 3,
      lastRevision: '2',
    });
    expect(await balanceOf([...member, '--position', '2'])).toMatchObject({
      balance: 42,
      events: 2,
    });
    // A position the store has not reached has no balance yet: answered, it would change later.
    expect(await balanceCli([...member, '--position', '5'])).toEqual({
      code: 2,
      out: '',
      err: 'ledger: balance --position 5 is past the head of $all (4): no balance stands there yet\n',
    });
    for (const point of [[], ['--position', '4'], ['--at', '2030-01-01T00:00:00Z']]) {
      const broken = await balanceCli([...member, ...point]);
      expect([broken.code, broken.out]).toEqual([1, '']);
      expect(broken.err).toMatch(
        new RegExp(`^ledger: cannot fold the event of ${stream} at revision 3 \\(position 4\\): `),
      );
    }
  });

  it('refuses bad arguments with exit 2, and exits 3 with no event store', async () => {
    const member = ['--tenant', 'sandbox.acme', '--member', 'ada'];
    for (const args of [
      [],
      ['--member', 'ada'],
      ['--tenant', 'sandbox.acme'],
      ['--tenant', 'acme', '--member', 'ada'],
      ['--tenant', 'staging.acme', '--member', 'ada'],
      ['--tenant', 'sandbox.ac me', '--member', 'ada'],
      ['--tenant', 'sandbox.acme', '--member', '   '],
      ['--tenant', 'sandbox.acme', '--member', 'a'.repeat(129)],
      ['--tenant', 'sandbox.acme', '--member', 'a\nb'],
      [...member, '--at', '2024-03-01T12:00:00'],
      [...member, '--at', '2024-03-01'],
      [...member, '--at', '2024-02-30T12:00:00Z'],
      [...member, '--position', '-1'],
      [...member, '--position', 'x'],
      [...member, '--at', '2024-03-01T12:00:00Z', '--position', '3'],
      [...member, '--at'],
      [...member, '--org', 'acme'],
    ]) {
      const bad = await balanceCli(args);
      expect([bad.code, bad.out]).toEqual([2, '']);
      expect(bad.err).toMatch(/^ledger: balance .*\n\nUsage: ledger <command>/);
    }
    const none = await balanceCli(member);
    expect([none.code, none.out]).toEqual([3, '']);
    expect(none.err).toBe(
      `ledger: balance could not run: No event store at ${join(dir, 'events.db')} (set DATA_DIR or EVENTSTORE_CONNECTION_STRING)\n`,
    );
  });
});
