import Database from 'better-sqlite3';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/ledger';
import { HoldSweeper } from '../../src/read-models/holds/hold-sweeper';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import type { RecordedEvent } from '../../src/event-store';
import { READ_MODELS_LOCK_FILE } from '../../src/projections/read-models-lock';
import { runLedger } from '../support/ledger-cli';
import { createOffer, credit } from '../support/fixtures';
import { api, KEYS, startTestApp } from '../support/test-app';
import { credited, walletEvent } from '../support/wallet-events';

/** `ledger audit`: every event of $all through the domain's own folds, against the ledger's rules. */
describe('ledger audit (integration)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-audit-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The built CLI, as an operator runs it: `node dist/src/cli/ledger.js audit`. */
  const audit = () => runLedger(dir, ['audit']);

  /** A ledger written by the real app: redemptions, moves, cancels, stock, an archived member. */
  async function writeThroughTheApp(): Promise<void> {
    const app = await startTestApp(dir);
    try {
      const org = api(app.baseUrl, KEYS.acmeSandbox);
      const post = async (path: string, body: unknown) => {
        const response = await org('POST', path, body);
        if (response.status >= 300) throw new Error(`${path}: ${JSON.stringify(response.body)}`);
        return response.body;
      };
      const stocked = await createOffer(org, { pointsPrice: 100, maxTotal: 5, maxPerMember: 3 });
      const free = await createOffer(org, { pointsPrice: 0 });
      await credit(org, 'ada', 1_000);
      const first = await post('/v1/redemptions', { offer: stocked, externalUserID: 'ada' });
      const second = await post('/v1/redemptions', { offer: stocked, externalUserID: 'ada' });
      await post(`/v1/redemptions/${first.id}/status`, { status: 'OPEN' });
      await post(`/v1/redemptions/${first.id}/status`, { status: 'AWAITING_VENDOR' });
      await post(`/v1/redemptions/${second.id}/cancel`, {});
      const third = await post('/v1/redemptions', { offer: stocked, externalUserID: 'ada' });
      await post('/v1/redemptions', { offer: free, externalUserID: 'ada' });
      // Reversals: part of a UNIT_BASED redemption, then its cancel; a FIXED one whole, COMPLETED.
      const units = await createOffer(org, {
        priceModel: 'UNIT_BASED',
        pointsPrice: null,
        unitCost: 20,
        maxPerMember: null,
      });
      const three = await post('/v1/redemptions', {
        offer: units,
        externalUserID: 'ada',
        quantity: 3,
      });
      await post(`/v1/redemptions/${three.id}/reverse`, { units: 1, reason: 'one returned' });
      await post(`/v1/redemptions/${three.id}/cancel`, {});
      for (const status of ['OPEN', 'PURCHASED', 'COMPLETED'])
        await post(`/v1/redemptions/${third.id}/status`, { status });
      await post(`/v1/redemptions/${third.id}/reverse`, {});
      // A FULFILMENT redemption shipped, and its tracking corrected.
      const parcel = await createOffer(org, { pointsPrice: 10, artifact: 'FULFILMENT' });
      const shipping = {
        name: 'Ada',
        line1: 'Storgata 1',
        city: 'Oslo',
        postalCode: '0155',
        country: 'NO',
      };
      const sent = await post('/v1/redemptions', {
        offer: parcel,
        externalUserID: 'ada',
        shipping,
      });
      await post(`/v1/redemptions/${sent.id}/fulfilment`, { trackingNumber: 'JD1' });
      await post(`/v1/redemptions/${sent.id}/fulfilment`, {
        trackingNumber: 'JD2',
        carrier: 'Bring',
      });
      // Held points: applied (then canceled, refunded), released, canceled, expired by the sweeper.
      const held = (extra: object = {}) =>
        post('/v1/redemptions', {
          offer: units,
          externalUserID: 'ada',
          delayPointsDeduction: true,
          ...extra,
        });
      const applied = await held();
      await post(`/v1/redemptions/${applied.id}/apply`, { reference: 'order-1' });
      await post(`/v1/redemptions/${applied.id}/cancel`, {});
      await post(`/v1/redemptions/${(await held()).id}/release`, {});
      await post(`/v1/redemptions/${(await held()).id}/cancel`, {});
      await held({ holdExpiresAt: new Date(Date.now() + 60_000).toISOString() });
      expect((await org('GET', '/v1/wallet?externalUserID=ada')).body.pending).toBe(20);
      const later = new Date(Date.now() + 120_000);
      expect((await app.app.get(HoldSweeper).sweepOnce(later)).holds).toBe(1);
      // An archived member forfeits its balance, and the refund of a later cancel too.
      await credit(org, 'bob', 150);
      const bobs = await post('/v1/redemptions', { offer: stocked, externalUserID: 'bob' });
      const archive = await org('DELETE', '/v1/members/bob?retainBalance=false');
      expect(archive.status).toBe(200);
      await post(`/v1/redemptions/${bobs.id}/reverse`, {});
      await post(`/v1/redemptions/${bobs.id}/cancel`, {});
      // Beside the running service, which holds DATA_DIR's lock: the audit takes none.
      const lock = readFileSync(join(dir, READ_MODELS_LOCK_FILE), 'utf8');
      const beside = await audit();
      expect(beside.out).toMatch(
        /^Audited \d+ events up to position \d+ \(2 wallets, 4 offers, \d+ other streams?\): no violations\n$/,
      );
      expect(beside.code).toBe(0);
      expect(beside.err).toMatch(/^Auditing the events up to position \d+\n/);
      expect(readFileSync(join(dir, READ_MODELS_LOCK_FILE), 'utf8')).toBe(lock);
    } finally {
      await app.close({ keepData: true });
    }
  }

  it('audits a store the app wrote clean, and names forged events that break the rules', async () => {
    await writeThroughTheApp();
    expect((await audit()).code).toBe(0);

    // Forged through the event-store port, as no command would write them.
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    let overdraft: RecordedEvent, secondRefund: RecordedEvent, forgedReversal: RecordedEvent;
    try {
      const events = await store.readAll();
      const ofAda = events.filter((e) => e.metadata.externalUserID === 'ada');
      const stream = ofAda[0].stream;
      const last = ofAda.filter((e) => e.stream === stream).at(-1)!;
      const refunded = ofAda.find((e) => e.type === 'PointsRefunded')!;
      const debitData = {
        transactionId: 'txn_forged',
        amount: 5_000,
        reason: 'redemption',
        redemptionId: 'red_forged',
        debitedAt: '2024-03-01T12:00:00.000Z',
      };
      await store.append(
        stream,
        [
          walletEvent('ada', 'PointsDebited', debitData),
          walletEvent('ada', 'PointsRefunded', refunded.data),
        ],
        last.revision,
      );
      [overdraft, secondRefund] = (await store.readStream(stream)).slice(-2);
      // A second whole reversal of the redemption reversed whole through the app.
      const reversal = ofAda.find(
        (e) => e.type === 'RedemptionReversed' && (e.data as { units: unknown }).units === null,
      )!;
      const again = { ...(reversal.data as object), reversedPoints: 100 };
      const refundData = {
        ...(refunded.data as object),
        amount: 100,
        reason: 'redemption_reversed',
        redemptionId: (reversal.data as { redemptionId: string }).redemptionId,
      };
      await store.append(
        stream,
        [
          walletEvent('ada', 'RedemptionReversed', again),
          walletEvent('ada', 'PointsRefunded', refundData),
        ],
        secondRefund.revision,
      );
      [forgedReversal] = (await store.readStream(stream)).slice(-2);
    } finally {
      await store.close();
    }

    const found = await audit();
    expect(found.code).toBe(1);
    const at = (e: RecordedEvent) => `${e.stream} revision ${e.revision} position ${e.position}`;
    const redemption = (secondRefund.data as { redemptionId: string }).redemptionId;
    expect(found.out.split('\n')).toEqual([
      `debit-not-atomic ${at(overdraft)}: a debit of 5,000 points for redemption red_forged, which this wallet does not hold: a redemption's debit is the next event of the append that creates it, or that applies its hold`,
      `negative-balance ${at(overdraft)}: the balance falls to -4,110 points from 890`,
      `refund-not-atomic ${at(secondRefund)}: a refund of 100 points for redemption ${redemption}, refunded 100 points already: a refund is the next event of the append that cancels or reverses its redemption`,
      `reversal-mismatch ${at(forgedReversal)}: it reverses redemption ${(forgedReversal.data as { redemptionId: string }).redemptionId}, which was reversed whole already`,
      expect.stringMatching(
        /^Audited \d+ events up to position \d+ \(2 wallets, 4 offers, \d+ other streams?\): 4 violations \(negative-balance 1, debit-not-atomic 1, refund-not-atomic 1, reversal-mismatch 1\)$/,
      ),
      '',
    ]);
  });

  it('exits 3, saying why, when there is no event store to audit, or one it cannot read', async () => {
    const none = await audit();
    expect(none.code).toBe(3);
    expect(none.out).toBe('');
    expect(none.err).toBe(
      `ledger: audit could not run: No event store at ${join(dir, 'events.db')} (set DATA_DIR or EVENTSTORE_CONNECTION_STRING)\n`,
    );
    // A page of the events made no page at all: only a read of those rows finds it.
    const path = join(dir, 'events.db');
    const store = SqliteEventStore.open({ path });
    for (let m = 0; m < 100; m++)
      await store.append(`wallet-sandbox.acme.m${m}`, [credited(`m${m}`, 1)], 'no_stream');
    await store.close();
    const db = new Database(path, { readonly: true });
    const size = db.pragma('page_size', { simple: true }) as number;
    const leaves = db
      .prepare("SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf'")
      .pluck()
      .all() as number[];
    db.close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(size, 0xff), 0, size, (leaves[leaves.length >> 1] - 1) * size);
    closeSync(fd);
    const damaged = await audit();
    expect(damaged.code).toBe(3);
    expect(damaged.err.split('\n').at(-2)).toBe(
      `ledger: audit could not run: Cannot open ${path}: database disk image is malformed (SQLITE_CORRUPT). The file is damaged, or is no database: \`ledger rebuild\` replaces a read-models.db, and an events.db is restored from a backup (docs/operations.md).`,
    );
  });

  it('prints at most 100 lines of a rule and counts them all', async () => {
    const store = SqliteEventStore.open({ path: join(dir, 'events.db') });
    for (let m = 0; m < 130; m++)
      await store.append(
        `wallet-sandbox.acme.m${m}`,
        [walletEvent(`m${m}`, 'MemberUnarchived', { unarchivedAt: '2024-03-01T12:00:00.000Z' })],
        'no_stream',
      );
    await store.close();
    const out: string[] = [];
    const code = await main(
      ['audit'],
      { DATA_DIR: dir },
      { out: { write: (s: string) => out.push(s) }, err: { write: () => true } },
    );
    expect(code).toBe(1);
    const lines = out.join('').split('\n');
    expect(lines.filter((l) => l.startsWith('archived-member wallet-'))).toHaveLength(100);
    expect(lines.slice(-3)).toEqual([
      'archived-member: 30 more not shown',
      'Audited 130 events up to position 130 (130 wallets, 0 offers, 0 other streams): 130 violations (archived-member 130)',
      '',
    ]);
  });
});
