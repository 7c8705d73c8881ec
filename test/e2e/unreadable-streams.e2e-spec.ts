import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EventData, JsonValue } from '../../src/event-store';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { Aggregates } from '../../src/ledger/application/aggregates';
import { MemberRefs } from '../../src/ledger/member-refs';
import { offerStream, walletStream } from '../../src/ledger/streams';
import { balanceOf, createOffer, credit, memberToken } from '../support/fixtures';
import { api, KEYS, startTestApp, TestApp } from '../support/test-app';
import { credited, walletEvent } from '../support/wallet-events';

/**
 * A stream the command side writes that holds an event this release cannot fold: one of a type a
 * newer release wrote before a rollback, one whose data breaks its type, one whose stored body is
 * not JSON. Every write that needs the stream answers 503 STREAM_UNREADABLE and writes nothing;
 * other streams go on working.
 */
describe('Streams holding an event the service cannot fold (e2e)', () => {
  let t: TestApp;
  let org: ReturnType<typeof api>;
  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
  });
  afterAll(() => t.close());

  const store = () => t.app.get<symbol, EventStore>(EVENT_STORE);
  /** The app's member digests: chosen when it started, on its empty store. */
  let memberRefs: MemberRefs;
  beforeAll(async () => {
    memberRefs = await t.app.get(Aggregates).memberRefs.get();
  });
  const walletOf = (member: string) =>
    walletStream('sandbox.acme', memberRefs.of('sandbox.acme', member));
  /** The types of the events of `stream`, read from $all (a stream read refuses a damaged one). */
  const typesIn = async (stream: string) =>
    (await store().readAll({ filter: { streamNamePrefixes: [stream] } }))
      .filter((e) => e.stream === stream)
      .map((e) => e.type);
  /** Appends `event` as another tool (or a newer release) would; its revision and position. */
  const appendOdd = async (stream: string, event: EventData) => {
    const { nextExpectedRevision, position } = await store().append(stream, [event], 'any');
    return { revision: String(nextExpectedRevision), position: String(position) };
  };
  const creditOf = (member: string, amount: number, headers: Record<string, string> = {}) =>
    org('POST', '/v1/wallet/credit', { externalUserID: member, amount }, headers);

  it('answers 503 STREAM_UNREADABLE to every write of a wallet holding an unknown event type', async () => {
    const offerId = await createOffer(org, { pointsPrice: 10 });
    await credit(org, 'rolled-back', 100);
    const member = api(t.baseUrl, await memberToken(org, 'rolled-back'));
    const redeemed = await member('POST', '/v1/redemptions', { offer: offerId });
    expect(redeemed.status).toBe(201);
    const stream = walletOf('rolled-back');
    // Written by a newer release, before a rollback to this one.
    const at = await appendOdd(
      stream,
      walletEvent('rolled-back', 'PointsExpired', { amount: 5, expiredAt: '2026-12-01T00:00:00Z' }),
    );
    const before = await typesIn(stream);

    const refused = await creditOf('rolled-back', 10, { 'Idempotency-Key': 'odd-credit-1' });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toEqual({
      code: 'STREAM_UNREADABLE',
      message:
        `The event at revision ${at.revision} of stream ${stream} ` +
        'cannot be read: PointsExpired is not an event type this version of the service knows ' +
        'in wallet streams; nothing was written',
      requestId: expect.any(String),
      details: { stream, revision: at.revision },
    });

    // Every other write of the wallet, by the org or by the member, answers the same.
    const writes = [
      () => creditOf('rolled-back', 10),
      () => org('PUT', '/v1/members/rolled-back', { tier: 'gold' }),
      () => org('DELETE', '/v1/members/rolled-back'),
      () => org('POST', '/v1/auth/exchange', { externalUserID: 'rolled-back' }),
      () => org('POST', `/v1/redemptions/${redeemed.body.id}/status`, { status: 'OPEN' }),
      () => member('POST', '/v1/redemptions', { offer: offerId }),
      () => member('POST', `/v1/redemptions/${redeemed.body.id}/cancel`, {}),
    ];
    for (const write of writes) {
      const response = await write();
      expect([response.status, response.body.error.code]).toEqual([503, 'STREAM_UNREADABLE']);
    }
    expect(await typesIn(stream)).toEqual(before);

    // The 503 was not recorded as the key's answer: the key is still free for another request.
    const other = await creditOf('next-door', 10, { 'Idempotency-Key': 'odd-credit-1' });
    expect(other.status).toBe(200);
    expect(await balanceOf(org, 'next-door')).toBe(10);
    const redeemsNextDoor = api(t.baseUrl, await memberToken(org, 'next-door'));
    expect((await redeemsNextDoor('POST', '/v1/redemptions', { offer: offerId })).status).toBe(201);
  });

  it('tells a member token no more than that its request cannot be served', async () => {
    const offerId = await createOffer(org, { pointsPrice: 10 });
    await credit(org, 'quiet', 100);
    const member = api(t.baseUrl, await memberToken(org, 'quiet'));
    await appendOdd(walletOf('quiet'), walletEvent('quiet', 'PointsExpired', { amount: 5 }));

    const refused = await member('POST', '/v1/redemptions', { offer: offerId });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toEqual({
      code: 'STREAM_UNREADABLE',
      message:
        'A stream this request needs holds an event this version of the service cannot read; ' +
        'nothing was written',
      requestId: expect.any(String),
    });
  });

  it('refuses a known event type whose data its fold would misread, instead of a balance of "100abc"', async () => {
    await credit(org, 'abc', 100);
    const stream = walletOf('abc');
    const at = await appendOdd(stream, credited('abc', 'abc'));
    const missing = await appendOdd(walletOf('no-amount'), credited('no-amount', undefined));
    const before = await typesIn(stream);

    const refused = await creditOf('abc', 10);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({
      code: 'STREAM_UNREADABLE',
      message: expect.stringContaining(
        `revision ${at.revision} of stream ${stream} cannot be read: ` +
          'PointsCredited: amount is "abc", not an integer of at least 1; nothing was written',
      ),
    });
    expect(await typesIn(stream)).toEqual(before);
    const noAmount = await creditOf('no-amount', 10);
    expect([noAmount.status, noAmount.body.error.message]).toEqual([
      503,
      expect.stringContaining(
        `revision ${missing.revision} of stream ${walletOf('no-amount')} cannot be read: ` +
          'PointsCredited: amount is missing, not an integer of at least 1',
      ),
    ]);
  });

  it('refuses a wallet whose stored event is not JSON, as the store marks it', async () => {
    await credit(org, 'damaged', 100);
    const stream = walletOf('damaged');
    const at = await appendOdd(stream, credited('damaged', 7));
    const raw = new Database(join(t.dataDir, 'events.db'));
    try {
      raw.prepare("UPDATE events SET data = '{not json' WHERE position = ?").run(at.position);
    } finally {
      raw.close();
    }

    const refused = await creditOf('damaged', 10);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({
      code: 'STREAM_UNREADABLE',
      message: expect.stringMatching(
        new RegExp(
          `^The event at revision ${at.revision} of stream ` +
            `${stream.replace(/\./g, '\\.')} cannot be read: its data is not JSON \\(`,
        ),
      ),
      details: { stream, revision: at.revision },
    });
    expect(await typesIn(stream)).toEqual(['PointsCredited', 'PointsCredited']);
    await credit(org, 'undamaged', 5);
  });

  it('refuses the writes that need an offer holding an unknown event type; other offers sell', async () => {
    const odd = await createOffer(org, { pointsPrice: 10, maxTotal: 5 });
    const fine = await createOffer(org, { pointsPrice: 10, maxTotal: 5 });
    await credit(org, 'shopper', 100);
    const stream = offerStream('sandbox.acme', odd);
    const metadata = { schemaVersion: 1, environment: 'sandbox', orgId: 'acme' };
    const data: JsonValue = { retiredAt: '2026-12-01T00:00:00Z' };
    const at = await appendOdd(stream, { id: randomUUID(), type: 'OfferRetired', data, metadata });

    const redeem = await org('POST', '/v1/redemptions', { offer: odd, externalUserID: 'shopper' });
    const patch = await org('PATCH', `/v1/offers/${odd}`, { title: 'Renamed' });
    for (const refused of [redeem, patch]) {
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatchObject({
        code: 'STREAM_UNREADABLE',
        message: expect.stringContaining(
          `of stream ${stream} cannot be read: OfferRetired is not an event type this version of the service knows in offer streams`,
        ),
        details: { stream, revision: at.revision },
      });
    }
    expect(await typesIn(stream)).toEqual(['OfferCreated', 'OfferRetired']);
    expect(await typesIn(walletOf('shopper'))).toEqual(['PointsCredited']);
    const other = await org('POST', '/v1/redemptions', { offer: fine, externalUserID: 'shopper' });
    expect(other.status).toBe(201);
  });
});
