import { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_MODELS_LOCK_FILE } from '../../src/projections/read-models-lock';
import { balanceOf, createOffer, credit } from '../support/fixtures';
import { freePort, kill, startService } from '../support/service-process';
import { api, ApiResponse, KEYS, startTestApp } from '../support/test-app';
import { credited } from '../support/wallet-events';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/infrastructure/sqlite/sqlite-event-store';
import { MEMBER_REF_SCHEME_STREAM } from '../../src/ledger/member-refs';
import { memberRefOfRedemption } from '../../src/ledger/streams';
import { sha256Hex } from '../../src/shared/application/sha256';

describe('A killed and restarted service (e2e, real process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-restart-'));
  let service: ChildProcess | undefined;
  afterAll(async () => {
    if (service && service.exitCode === null) await kill(service);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps everything it acknowledged, and a replayed key still returns the original', async () => {
    const port = await freePort();
    service = await startService(dataDir, port);
    // It holds the read models' lock, so that `ledger rebuild` refuses to run beside it.
    expect(readFileSync(join(dataDir, READ_MODELS_LOCK_FILE), 'utf8')).toMatch(
      new RegExp(`^service ${service.pid} \\d+ pid:\\[\\d+\\]\n$`),
    );
    const org = api(`http://127.0.0.1:${port}`, KEYS.acmeSandbox);
    const offerId = await createOffer(org, { pointsPrice: 100, maxPerMember: 1000 });
    await credit(org, 'crash', 100_000);

    const keys = Array.from({ length: 300 }, (_, i) => `crash-${i}`);
    const acknowledged = new Map<string, ApiResponse>();
    const redeem = (key: string) =>
      org(
        'POST',
        '/v1/redemptions',
        { offer: offerId, externalUserID: 'crash' },
        { 'Idempotency-Key': key },
      );

    // Half are answered before the kill; the rest are in flight when it lands.
    await Promise.all(
      keys.slice(0, 150).map(async (key) => acknowledged.set(key, await redeem(key))),
    );
    let answeredAfter = 0;
    let killed: Promise<void> | undefined;
    await Promise.all(
      keys.slice(150).map(async (key) => {
        try {
          const response = await redeem(key);
          acknowledged.set(key, response);
          if (++answeredAfter === 20) killed = kill(service!);
        } catch {
          // the connection died with the process: not acknowledged
        }
      }),
    );
    await killed;
    expect([...acknowledged.values()].every((r) => r.status === 201)).toBe(true);
    expect(acknowledged.size).toBeGreaterThanOrEqual(170);
    expect(acknowledged.size).toBeLessThan(keys.length);

    service = await startService(dataDir, port);
    for (const [key, original] of acknowledged) {
      const replay = await org(
        'POST',
        '/v1/redemptions',
        { offer: offerId, externalUserID: 'crash' },
        { 'Idempotency-Key': key },
      );
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(original.body);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    }
    const ids = new Set<string>();
    for (const key of keys) {
      const response = await org(
        'POST',
        '/v1/redemptions',
        { offer: offerId, externalUserID: 'crash' },
        { 'Idempotency-Key': key },
      );
      expect(response.status).toBe(201);
      ids.add(response.body.id);
    }
    expect(ids.size).toBe(keys.length);
    expect(await balanceOf(org, 'crash')).toBe(100_000 - 100 * keys.length);
  });

  it('gives the read models lock up when a start fails after taking it', async () => {
    const failing = mkdtempSync(join(tmpdir(), 'points-ledger-failed-start-'));
    try {
      mkdirSync(join(failing, 'events.db')); // a directory: SQLite cannot open it
      await expect(startService(failing, await freePort())).rejects.toThrow(
        /Cannot open .*events\.db: .*\(SQLITE_CANTOPEN\)/,
      );
      expect(readdirSync(failing)).not.toContain(READ_MODELS_LOCK_FILE);
    } finally {
      rmSync(failing, { recursive: true, force: true });
    }
  });
});

/** A store whose wallets were named before the store had a key for its member digests. */
describe('A store written before member digests were keyed (e2e)', () => {
  it('keeps naming its members by the plain digest, so that their wallets and ids still meet', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-plain-refs-'));
    const plainRef = sha256Hex('sandbox.acme\nold-member').slice(0, 24);
    const written = SqliteEventStore.open({ path: join(dataDir, 'events.db') });
    await written.append(
      `wallet-sandbox.acme.${plainRef}`,
      [credited('old-member', 70)],
      'no_stream',
    );
    await written.close();
    const t = await startTestApp(dataDir);
    try {
      const org = api(t.baseUrl, KEYS.acmeSandbox);
      await credit(org, 'old-member', 30);
      expect(await balanceOf(org, 'old-member')).toBe(100); // the 70 of the old wallet, and 30
      const offerId = await createOffer(org, { pointsPrice: 100 });
      const redeemed = await org('POST', '/v1/redemptions', {
        offer: offerId,
        externalUserID: 'old-member',
      });
      expect([redeemed.status, memberRefOfRedemption(redeemed.body.id as string)]).toEqual([
        201,
        plainRef,
      ]);
      const store = t.app.get<symbol, EventStore>(EVENT_STORE);
      expect(await store.readStream(MEMBER_REF_SCHEME_STREAM)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
