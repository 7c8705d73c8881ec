import { api, KEYS, startTestApp, TestApp } from '../support/test-app';
import { balanceOf, createOffer, credit, memberToken } from '../support/fixtures';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { Aggregates } from '../../src/ledger/application/aggregates';
import { memberRefOfRedemption, walletStream } from '../../src/ledger/streams';
import { sha256Hex } from '../../src/shared/application/sha256';
import { decideWallet } from '../../src/ledger/wallet/wallet.decider';
import { WalletEvent } from '../../src/ledger/wallet/wallet.events';

describe('Redemptions over HTTP (e2e)', () => {
  let t: TestApp;
  let org: ReturnType<typeof api>;
  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
  });
  afterAll(() => t.close());

  it("answers seed 001's curl request as written (host and token aside)", async () => {
    await createOffer(org, { id: 'offer_123', pointsPrice: 500 });
    await credit(org, 'seed-member', 1_000);
    const token = await memberToken(org, 'seed-member');
    const response = await fetch(`${t.baseUrl}/v1/redemptions`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': 'a1b2c3d4-0000-0000-0000-000000000000',
      },
      body: '{ "offer": "offer_123" }',
    });
    expect(response.status).toBe(201);
    const redemption = (await response.json()) as any;
    expect(redemption).toMatchObject({
      id: expect.stringMatching(/^red_/),
      status: 'SUBMITTED',
      startAt: null,
      endAt: null,
      offer: {
        id: 'offer_123',
        title: 'Sunset kayak tour',
        pointsPrice: 500,
        images: [],
        kind: 'experience',
      },
    });
    expect(new Date(redemption.createdAt).toISOString()).toBe(redemption.createdAt);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await balanceOf(org, 'seed-member')).toBe(500);
  });

  it('hands out redemption ids that do not confirm a guessed member id', async () => {
    const offerId = await createOffer(org, { pointsPrice: 10 });
    await credit(org, 'ada@example.com', 10);
    const created = await org('POST', '/v1/redemptions', {
      offer: offerId,
      externalUserID: 'ada@example.com',
    });
    expect(created.status).toBe(201);
    // Guessed: the member id hashed with the tenant, as it was before the store had a key.
    const guess = sha256Hex('sandbox.acme\nada@example.com').slice(0, 24);
    const ref = memberRefOfRedemption(created.body.id as string);
    expect(ref).not.toBe(guess);
    // The store's own key names the member's wallet, which the id leads to.
    const refs = await t.app.get(Aggregates).memberRefs.get();
    expect(ref).toBe(refs.of('sandbox.acme', 'ada@example.com'));
  });

  it('refuses what the rules refuse, with stable codes', async () => {
    const offerId = await createOffer(org, { pointsPrice: 300 });
    await credit(org, 'rules', 400);
    const member = api(t.baseUrl, await memberToken(org, 'rules'));

    // A client that sends every field sends null for those it has no value for.
    const nulls = { shipping: null, description: null };
    const first = await member('POST', '/v1/redemptions', { offer: offerId, ...nulls });
    expect(first.status).toBe(201);
    const again = await member('POST', '/v1/redemptions', { offer: offerId });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('REDEMPTION_ALREADY_EXISTS');

    const pricey = await createOffer(org, { pointsPrice: 101 });
    const poor = await member('POST', '/v1/redemptions', { offer: pricey });
    expect(poor.status).toBe(422);
    expect(poor.body.error).toMatchObject({
      code: 'INSUFFICIENT_POINTS',
      details: { balance: 100, required: 101 },
    });

    const inactive = await createOffer(org, { pointsPrice: 1, status: 'INACTIVE' });
    const expired = await createOffer(org, { pointsPrice: 1, expiresAt: '2020-01-01T00:00:00Z' });
    const future = await createOffer(org, {
      pointsPrice: 1,
      availableFrom: '2999-01-01T00:00:00Z',
    });
    for (const offer of [expired, future]) {
      const response = await member('POST', '/v1/redemptions', { offer });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('OFFER_UNAVAILABLE');
    }
    // The organization is told why; to a member an INACTIVE offer does not exist, as on a read.
    const onBehalf = await org('POST', '/v1/redemptions', {
      offer: inactive,
      externalUserID: 'rules',
    });
    expect(onBehalf.status).toBe(422);
    expect(onBehalf.body.error).toMatchObject({
      code: 'OFFER_UNAVAILABLE',
      details: { reason: 'INACTIVE' },
    });
    const unknown = await member('POST', '/v1/redemptions', { offer: 'no_such_offer' });
    expect(unknown.status).toBe(404);
    const hidden = await member('POST', '/v1/redemptions', { offer: inactive });
    expect({ status: hidden.status, code: hidden.body.error.code }).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(hidden.body.error.message).toBe(
      unknown.body.error.message.replace('no_such_offer', inactive),
    );
    expect(await balanceOf(org, 'rules')).toBe(100);
  });

  it('moves a redemption through its lifecycle and refuses illegal moves with 409', async () => {
    const offerId = await createOffer(org, { pointsPrice: 50 });
    await credit(org, 'life', 50);
    const member = api(t.baseUrl, await memberToken(org, 'life'));
    const { body: redemption } = await member('POST', '/v1/redemptions', { offer: offerId });
    const move = (status: string, extra = {}) =>
      org('POST', `/v1/redemptions/${redemption.id}/status`, { status, ...extra });

    expect((await move('OPEN')).body.status).toBe('OPEN');
    expect((await move('AWAITING_VENDOR')).body.status).toBe('AWAITING_VENDOR');
    expect((await move('AWAITING_CUSTOMER')).body.status).toBe('AWAITING_CUSTOMER');
    const scheduled = await move('PURCHASED', {
      startAt: '2027-01-01T10:00:00Z',
      endAt: '2027-01-01T12:00:00Z',
    });
    expect(scheduled.body).toMatchObject({
      status: 'PURCHASED',
      startAt: '2027-01-01T10:00:00Z',
      endAt: '2027-01-01T12:00:00Z',
    });

    const illegal = await move('SUBMITTED');
    expect(illegal.status).toBe(409);
    expect(illegal.body.error.code).toBe('INVALID_STATUS_TRANSITION');

    const memberCancel = await member('POST', `/v1/redemptions/${redemption.id}/cancel`, {});
    expect(memberCancel.status).toBe(409);
    expect(memberCancel.body.error.code).toBe('INVALID_STATUS_TRANSITION');

    const memberMove = await member('POST', `/v1/redemptions/${redemption.id}/status`, {
      status: 'COMPLETED',
    });
    expect(memberMove.status).toBe(403);

    expect((await move('COMPLETED')).body.status).toBe('COMPLETED');
    const late = await org('POST', `/v1/redemptions/${redemption.id}/cancel`, {});
    expect(late.status).toBe(409);
    expect(await balanceOf(org, 'life')).toBe(0);
  });

  it('cancels with a refund, once', async () => {
    const offerId = await createOffer(org, { pointsPrice: 70 });
    await credit(org, 'cancel', 100);
    const member = api(t.baseUrl, await memberToken(org, 'cancel'));
    const { body: redemption } = await member('POST', '/v1/redemptions', { offer: offerId });
    expect(await balanceOf(org, 'cancel')).toBe(30);

    const canceled = await member('POST', `/v1/redemptions/${redemption.id}/cancel`, {
      reason: 'changed plans',
    });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({
      id: redemption.id,
      status: 'CANCELED',
      pointsRefunded: 70,
    });
    expect(await balanceOf(org, 'cancel')).toBe(100);

    const twice = await org('POST', `/v1/redemptions/${redemption.id}/cancel`, {});
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('REDEMPTION_ALREADY_CANCELED');
    expect(await balanceOf(org, 'cancel')).toBe(100);
  });

  it('turns an offer OUT_OF_STOCK at maxTotal and gives stock back on cancel', async () => {
    const offerId = await createOffer(org, { pointsPrice: 10, maxTotal: 2 });
    const redeem = async (who: string) => {
      await credit(org, who, 10);
      return org('POST', '/v1/redemptions', { offer: offerId, externalUserID: who });
    };
    const a = await redeem('stock-a');
    // The redeemed offer as it was: its maxTotal, and the stock left before this redemption.
    expect(a.body.offer).toMatchObject({ maxTotal: 2, remainingStock: 2 });
    await redeem('stock-b');
    const c = await redeem('stock-c');
    expect(c.status).toBe(422);
    expect(c.body.error).toMatchObject({
      code: 'OFFER_UNAVAILABLE',
      details: { reason: 'OUT_OF_STOCK' },
    });
    await org('POST', `/v1/redemptions/${a.body.id}/cancel`, {});
    const stored = await org('GET', `/v1/redemptions/${a.body.id}`);
    expect(stored.body.offer).toMatchObject({ maxTotal: 2, remainingStock: 2 });
    expect(
      (await org('POST', '/v1/redemptions', { offer: offerId, externalUserID: 'stock-c' })).status,
    ).toBe(201);
  });

  it('finishes a cancel whose stock release did not land (two appends on EventStoreDB)', async () => {
    const offerId = await createOffer(org, { pointsPrice: 10, maxTotal: 1 });
    await credit(org, 'half', 10);
    const { body: redemption } = await org('POST', '/v1/redemptions', {
      offer: offerId,
      externalUserID: 'half',
    });
    // The wallet side of a cancel lands; the offer side (the stock release) does not.
    const { wallets } = t.app.get(Aggregates);
    const stream = walletStream('sandbox.acme', memberRefOfRedemption(redemption.id)!);
    const loaded = await wallets.load(stream);
    const cancel = decideWallet(
      {
        type: 'CancelRedemption',
        data: {
          redemptionId: redemption.id,
          transactionId: 'txn_half',
          forfeitTransactionId: 'txn_half_forfeit',
          actor: 'org',
          now: new Date().toISOString(),
        },
      },
      loaded.state,
    ) as WalletEvent[];
    const context = {
      // Valid metadata, as the command side writes it: the projections of this app go on.
      occurredAt: new Date().toISOString(),
      externalUserID: 'half',
      requestId: null,
      idempotencyKey: null,
      actor: 'system',
      environment: 'sandbox',
      orgId: 'acme',
      correlationId: null,
      causationId: null,
    };
    const planned = wallets.plan(stream, loaded, cancel, context);
    planned.onApplied!(
      await t.app
        .get<symbol, EventStore>(EVENT_STORE)
        .append(stream, planned.events, planned.expectedRevision),
    );
    await credit(org, 'next', 10);
    expect(
      (await org('POST', '/v1/redemptions', { offer: offerId, externalUserID: 'next' })).status,
    ).toBe(422);

    const finished = await org('POST', `/v1/redemptions/${redemption.id}/cancel`, {});
    expect(finished.status).toBe(200);
    expect(finished.body.status).toBe('CANCELED');
    expect(
      (await org('POST', '/v1/redemptions', { offer: offerId, externalUserID: 'next' })).status,
    ).toBe(201);
    const again = await org('POST', `/v1/redemptions/${redemption.id}/cancel`, {});
    expect(again.body.error.code).toBe('REDEMPTION_ALREADY_CANCELED');
  });

  it("never shows one organization's, environment's or member's redemptions to another (404)", async () => {
    const offerId = await createOffer(org, { pointsPrice: 5 });
    await credit(org, 'owner', 5);
    const { body: redemption } = await org('POST', '/v1/redemptions', {
      offer: offerId,
      externalUserID: 'owner',
    });
    const path = `/v1/redemptions/${redemption.id}/cancel`;

    const otherOrg = api(t.baseUrl, KEYS.globexSandbox);
    const live = api(t.baseUrl, KEYS.acmeLive);
    const otherMember = api(t.baseUrl, await memberToken(org, 'someone-else'));
    for (const stranger of [otherOrg, live, otherMember]) {
      const response = await stranger('POST', path, {});
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
    expect(
      (await live('POST', '/v1/redemptions', { offer: offerId, externalUserID: 'owner' })).status,
    ).toBe(404);
    const memberForOther = await otherMember('POST', '/v1/redemptions', {
      offer: offerId,
      externalUserID: 'owner',
    });
    expect(memberForOther.status).toBe(404);
    expect(await balanceOf(org, 'owner')).toBe(0);
  });

  it('replays a retried POST with the original answer, and refuses the key for another body', async () => {
    const offerId = await createOffer(org, { pointsPrice: 20 });
    await credit(org, 'retry', 100);
    const headers = { 'Idempotency-Key': 'retry-key-1' };
    const first = await org(
      'POST',
      '/v1/redemptions',
      { offer: offerId, externalUserID: 'retry' },
      headers,
    );
    const second = await org(
      'POST',
      '/v1/redemptions',
      { offer: offerId, externalUserID: 'retry' },
      headers,
    );
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const reordered = await org(
      'POST',
      '/v1/redemptions',
      { externalUserID: 'retry', offer: offerId },
      headers,
    );
    expect(reordered.body).toEqual(first.body);
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');

    const reused = await org(
      'POST',
      '/v1/redemptions',
      { offer: offerId, externalUserID: 'other' },
      headers,
    );
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await balanceOf(org, 'retry')).toBe(80);
  });

  it('keeps an Idempotency-Key to its tenant: another organization or environment gets its own answer', async () => {
    const tenants = [KEYS.acmeSandbox, KEYS.acmeLive, KEYS.globexSandbox].map((key) =>
      api(t.baseUrl, key),
    );
    // The same offer id, member and body in each tenant: only the tenant tells the requests apart.
    const request = { offer: 'tenant_key_offer', externalUserID: 'tenant-key' };
    for (const tenant of tenants) {
      await createOffer(tenant, { id: request.offer, pointsPrice: 30 });
      await credit(tenant, request.externalUserID, 100);
    }
    const key = { 'Idempotency-Key': 'one-key-three-tenants' };
    const answers = [];
    for (const tenant of tenants)
      answers.push(await tenant('POST', '/v1/redemptions', request, key));
    for (const answer of answers) {
      expect(answer.status).toBe(201);
      expect(answer.headers.get('idempotent-replayed')).toBeNull();
    }
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(3);
    for (const tenant of tenants) expect(await balanceOf(tenant, request.externalUserID)).toBe(70);

    // Within its own tenant, the key still replays.
    const retry = await tenants[1]('POST', '/v1/redemptions', request, key);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(answers[1].body);
  });

  it("refuses an Idempotency-Key reused by another member 409, never replaying the first member's redemption", async () => {
    const offerId = await createOffer(org, { pointsPrice: 10 });
    const [alice, bob] = await Promise.all(
      ['idem-alice', 'idem-bob'].map(async (who) => {
        await credit(org, who, 50);
        return api(t.baseUrl, await memberToken(org, who));
      }),
    );
    // The same path and the same body: only the caller tells the two requests apart.
    const key = { 'Idempotency-Key': 'one-key-two-members' };
    const first = await alice('POST', '/v1/redemptions', { offer: offerId }, key);
    expect(first.status).toBe(201);
    const other = await bob('POST', '/v1/redemptions', { offer: offerId }, key);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(JSON.stringify(other.body)).not.toContain(first.body.id);
    expect(await balanceOf(org, 'idem-alice')).toBe(40);
    expect(await balanceOf(org, 'idem-bob')).toBe(50);
  });

  it('refuses an Idempotency-Key reused on another path or query 409, and leaves that target alone', async () => {
    const offerId = await createOffer(org, { pointsPrice: 10, maxPerMember: 2 });
    await credit(org, 'reused-url', 20);
    const member = api(t.baseUrl, await memberToken(org, 'reused-url'));
    const a = await member('POST', '/v1/redemptions', { offer: offerId });
    const b = await member('POST', '/v1/redemptions', { offer: offerId });
    const cancelKey = { 'Idempotency-Key': 'cancel-a-only' };

    const canceled = await member('POST', `/v1/redemptions/${a.body.id}/cancel`, {}, cancelKey);
    expect(canceled.body).toMatchObject({ id: a.body.id, status: 'CANCELED' });
    const otherPath = await member('POST', `/v1/redemptions/${b.body.id}/cancel`, {}, cancelKey);
    expect(otherPath.status).toBe(409);
    expect(otherPath.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(otherPath.headers.get('idempotent-replayed')).toBeNull();
    // Only A was refunded; B is still SUBMITTED and debited, so it cancels now.
    expect(await balanceOf(org, 'reused-url')).toBe(10);
    const cancelB = await member('POST', `/v1/redemptions/${b.body.id}/cancel`, {});
    expect(cancelB.body).toMatchObject({ id: b.body.id, status: 'CANCELED', pointsRefunded: 10 });

    // The query string is part of the request too: keeping the balance is not forfeiting it.
    const archiveKey = { 'Idempotency-Key': 'archive-retaining' };
    const retained = await org(
      'DELETE',
      '/v1/members/reused-url?retainBalance=true',
      undefined,
      archiveKey,
    );
    expect(retained.body).toMatchObject({ archived: true, balanceRetained: true });
    const otherQuery = await org(
      'DELETE',
      '/v1/members/reused-url?retainBalance=false',
      undefined,
      archiveKey,
    );
    expect(otherQuery.status).toBe(409);
    expect(otherQuery.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The balance was kept, not forfeited (this PUT unarchives the member; forfeits stay).
    expect(await balanceOf(org, 'reused-url')).toBe(20);
  });

  it('leaves every projection of this app running: no event above is one they cannot apply', async () => {
    const health = await org('GET', '/health');
    expect({ status: health.status, body: health.body.status }).toEqual({
      status: 200,
      body: 'ok',
    });
  });
});
