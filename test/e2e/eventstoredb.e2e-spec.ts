import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory';
import { main } from '../../src/cli/ledger';
import { loadConfig } from '../../src/config/app-config';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { EsdbStandIn, startEsdbStandIn } from '../support/esdb-standin';
import { balanceOf, createOffer, credit, memberToken } from '../support/fixtures';
import { api, KEYS, TEST_ENV } from '../support/test-app';
import { walletEvent } from '../support/wallet-events';

/**
 * The service configured with EVENTSTORE_CONNECTION_STRING, talking to EventStoreDB's wire
 * protocol (the gRPC stand-in): no multi-stream transactions, so idempotent decisions are recorded
 * before their events. The concurrency scenarios must hold there too.
 */
describe('The service on the EventStoreDB adapter (e2e, gRPC stand-in)', () => {
  let dir: string;
  let backing: SqliteEventStore;
  let standIn: EsdbStandIn;
  let app: NestFastifyApplication;
  let org: ReturnType<typeof api>;
  let baseUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'points-ledger-esdb-e2e-'));
    backing = SqliteEventStore.open({ path: join(dir, 'events.db') });
    standIn = await startEsdbStandIn(backing);
    const config = loadConfig({
      ...TEST_ENV,
      DATA_DIR: dir,
      EVENTSTORE_CONNECTION_STRING: standIn.connectionString,
    });
    app = await createApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    org = api(baseUrl, KEYS.acmeSandbox);
  });
  afterAll(async () => {
    await app.close();
    await standIn.stop();
    await backing.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the EventStoreDB store on /health and /metrics', async () => {
    const health = await api(baseUrl, KEYS.operator)('GET', '/health');
    expect(health.body.eventStore.kind).toBe('eventstoredb');
    const metrics = await fetch(`${baseUrl}/metrics`, {
      headers: { Authorization: `Bearer ${KEYS.operator}` },
    });
    expect((await metrics.text()).split('\n')).toContain(
      'ledger_info{event_store="eventstoredb"} 1',
    );
  });

  it('200 concurrent redemptions against 3,700 points: exactly 37 succeed and the balance ends at 0', async () => {
    const offerId = await createOffer(org, { pointsPrice: 100, maxPerMember: 1000 });
    await credit(org, 'race', 3_700);
    const member = api(baseUrl, await memberToken(org, 'race'));
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        member(
          'POST',
          '/v1/redemptions',
          { offer: offerId },
          { 'Idempotency-Key': `esdb-race-${i}` },
        ),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(37);
    expect(responses.filter((r) => r.body?.error?.code === 'INSUFFICIENT_POINTS')).toHaveLength(
      163,
    );
    expect(responses.filter((r) => r.status >= 500)).toEqual([]);
    expect(await balanceOf(org, 'race')).toBe(0);
  });

  it('50 concurrent requests with one Idempotency-Key create one redemption and debit once', async () => {
    const offerId = await createOffer(org, { pointsPrice: 100, maxPerMember: 1000 });
    await credit(org, 'dupes', 1_000);
    const member = api(baseUrl, await memberToken(org, 'dupes'));
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        member('POST', '/v1/redemptions', { offer: offerId }, { 'Idempotency-Key': 'esdb-one' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(await balanceOf(org, 'dupes')).toBe(900);
  });

  it('never sells more than maxTotal, and a cancel gives its unit back', async () => {
    const offerId = await createOffer(org, { pointsPrice: 10, maxTotal: 3 });
    const members = Array.from({ length: 12 }, (_, i) => `esdb-stock-${i}`);
    await Promise.all(members.map((m) => credit(org, m, 10)));
    const responses = await Promise.all(
      members.map((m) => org('POST', '/v1/redemptions', { offer: offerId, externalUserID: m })),
    );
    const won = responses.filter((r) => r.status === 201);
    expect(won).toHaveLength(3);
    await org('POST', `/v1/redemptions/${won[0].body.id}/cancel`, {});
    const loser = members.find((m, i) => responses[i].status !== 201)!;
    expect(
      (await org('POST', '/v1/redemptions', { offer: offerId, externalUserID: loser })).status,
    ).toBe(201);
  });

  it('ledger verify replays EventStoreDB beside the running service, and finds a row changed by hand', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      out: { write: (t: string) => out.push(t) },
      err: { write: (t: string) => err.push(t) },
    };
    const env = {
      DATA_DIR: dir,
      TMPDIR: dir,
      EVENTSTORE_CONNECTION_STRING: standIn.connectionString,
    };
    await credit(org, 'verified', 5);
    expect(await main(['verify'], env, io)).toBe(0);
    expect(out.join('')).toMatch(/^Compared with a replay of the events up to position \d+:\n/);
    expect(out.join('')).toMatch(/\n {2}rm_wallets\s+[1-9][\d,]* rows {2}ok\nok\n$/);

    const readModels = new Database(join(dir, 'read-models.db'));
    readModels
      .prepare("UPDATE rm_wallets SET balance = balance + 1 WHERE external_user_id = 'verified'")
      .run();
    readModels.close();
    out.length = 0;
    expect(await main(['verify'], env, io)).toBe(1);
    expect(out.join('')).toMatch(/rm_wallets .*DIFFERS/);
  });

  it('ledger audit reads EventStoreDB beside the running service: conflicts and retries keep every rule', async () => {
    const out: string[] = [];
    const io = { out: { write: (t: string) => out.push(t) }, err: { write: () => true } };
    const env = { DATA_DIR: dir, EVENTSTORE_CONNECTION_STRING: standIn.connectionString };
    expect(await main(['audit'], env, io)).toBe(0);
    expect(out.join('')).toMatch(
      /^Audited [\d,]+ events up to position \d+ \([\d,]+ wallets, \d+ offers, [\d,]+ other streams\): no violations\n$/,
    );

    const stream = 'wallet-sandbox.acme.forged';
    const move = {
      redemptionId: 'red_x',
      from: 'SUBMITTED',
      to: 'OPEN',
      startAt: null,
      endAt: null,
      changedAt: '2024-03-01T12:00:00.000Z',
    };
    await backing.append(
      stream,
      [walletEvent('forged', 'RedemptionStatusChanged', move)],
      'no_stream',
    );
    out.length = 0;
    expect(await main(['audit'], env, io)).toBe(1);
    expect(out.join('')).toMatch(
      new RegExp(
        `^unknown-redemption ${stream} revision 0 position \\d+: a status move of redemption red_x, which this wallet does not hold\n`,
      ),
    );
  });
});
