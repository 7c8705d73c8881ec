import { OPENAPI_DOCUMENT } from '../../src/docs/openapi';
import { ContractCall, ContractClient } from '../support/contract-client';
import { OpenApiValidator } from '../support/openapi-validator';
import { KEYS, startTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { WebhookDelivery } from '../../src/webhooks/delivery/webhook-delivery.service';

/** An org key must name the member: a rule of the route, which no schema of the document states. */
const ORG_NAMES_MEMBER = { refusedBeyondSchema: 'an org key must name the member' };

/**
 * Every documented operation driven through the real app by a client that holds each exchange to
 * the document (ContractClient): a status the operation does not declare, a header or a body that
 * does not match what it declares for that status, or a request the app and the document judge
 * differently, fails the test. Successes and the errors clients meet most, route by route.
 */
describe('the API as its OpenAPI document states it (e2e)', () => {
  let t: TestApp;
  let client: ContractClient;
  let org: ContractCall;
  let anonymous: ContractCall;
  let ada: ContractCall;
  let redemptionId: string;
  let couponRedemptionId: string;

  beforeAll(async () => {
    t = await startTestApp();
    client = new ContractClient(t.baseUrl, new OpenApiValidator(OPENAPI_DOCUMENT));
    org = client.as(KEYS.acmeSandbox);
    anonymous = client.as();
  });
  afterAll(async () => {
    await t.close();
  });

  it('health, readiness, metrics and the document', async () => {
    expect((await anonymous('GET', '/health')).body).toEqual({ status: 'ok' });
    const details = await client.as(KEYS.operator)('GET', '/health');
    expect(details.body.eventStore.kind).toBe('sqlite');
    expect(
      (await anonymous('GET', '/health', undefined, { Authorization: 'Bearer x' })).status,
    ).toBe(401);

    // The app starts on an empty store: its read models hold everything there is.
    expect((await anonymous('GET', '/health/ready')).body).toEqual({ status: 'ready' });

    expect((await client.as(KEYS.operator)('GET', '/metrics')).body).toContain('ledger_info');
    expect((await anonymous('GET', '/metrics')).status).toBe(401);
    expect((await org('GET', '/metrics')).status).toBe(403);

    expect((await org('GET', '/docs')).body).toEqual(OPENAPI_DOCUMENT);
    expect((await anonymous('GET', '/docs')).status).toBe(401);
  });

  it('member tokens and profiles', async () => {
    const key = { 'Idempotency-Key': 'contract-exchange-1' };
    const body = {
      externalUserID: 'ada',
      displayName: 'Ada',
      email: 'ada@example.com',
      tier: 'gold',
    };
    const exchanged = await org('POST', '/v1/auth/exchange', body, key);
    expect(exchanged.status).toBe(200);
    const replayed = await org('POST', '/v1/auth/exchange', body, key);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    const reused = await org('POST', '/v1/auth/exchange', { externalUserID: 'bob' }, key);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const blank = await org('POST', '/v1/auth/exchange', { externalUserID: 'ada', tier: ' ' });
    expect([blank.status, blank.body.error.code]).toEqual([422, 'VALIDATION_FAILED']);
    const unknownField = await org('POST', '/v1/auth/exchange', { externalUserID: 'ada', x: 1 });
    expect(unknownField.status).toBe(400);
    ada = client.as(exchanged.body.accessToken);
    expect((await ada('POST', '/v1/auth/exchange', { externalUserID: 'ada' })).status).toBe(403);

    const put = await org('PUT', '/v1/members/ada', {
      phone: '+14155552671',
      posAccountId: 'POS-1',
      attributes: { city: 'Oslo' },
    });
    expect(put.body.attributes).toEqual({ city: 'Oslo' });
    expect((await org('PUT', '/v1/members/bob', {})).status).toBe(200);
    expect((await org('PUT', '/v1/members/ada', { phone: '12' })).status).toBe(400);
    expect((await org('GET', '/v1/members/ada')).body.tier).toBe('gold');
    expect((await org('GET', '/v1/members/nobody')).status).toBe(404);

    const page = await org('GET', '/v1/members?limit=1');
    expect(page.body.members).toHaveLength(1);
    const next = await org('GET', `/v1/members?limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body.nextCursor).toBeNull();
    expect((await org('GET', '/v1/members?cursor=forged')).body.error.code).toBe('INVALID_CURSOR');
    const found = await org('GET', '/v1/members?email=ADA%40example.com&phone=%2B14155552671');
    expect(found.body.members.map((m: any) => m.externalUserID)).toEqual(['ada']);
    expect((await org('GET', '/v1/members?phone=12')).status).toBe(400);
    expect((await ada('GET', '/v1/members')).status).toBe(403);

    const archived = await org('DELETE', '/v1/members/bob?retainBalance=true');
    expect(archived.body).toEqual({ externalUserID: 'bob', archived: true, balanceRetained: true });
    expect((await org('DELETE', '/v1/members/nobody')).status).toBe(404);
    expect((await org('DELETE', '/v1/members/bob', { retainBalance: true })).status).toBe(400);
  });

  it('credits and wallets', async () => {
    const credited = await org('POST', '/v1/wallet/credit', {
      amount: 1000,
      externalUserID: 'ada',
      reason: 'Welcome bonus',
    });
    expect(credited.body.balance).toBe(1000);
    const archived = await org('POST', '/v1/wallet/credit', { amount: 5, externalUserID: 'bob' });
    expect(archived.body.error.code).toBe('MEMBER_ARCHIVED');
    expect(
      (await org('POST', '/v1/wallet/credit', { amount: 0, externalUserID: 'ada' })).status,
    ).toBe(400);
    const asText = await org(
      'POST',
      '/v1/wallet/credit',
      { amount: 1, externalUserID: 'ada' },
      { 'Content-Type': 'text/plain' },
    );
    expect(asText.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const notJson = await org('POST', '/v1/wallet/credit', '{"amount":');
    expect(notJson.body.error.code).toBe('BAD_REQUEST');
    const tooLarge = await org(
      'POST',
      '/v1/wallet/credit',
      JSON.stringify({ amount: 1, externalUserID: 'ada', reason: 'x'.repeat(1_100_000) }),
    );
    expect([tooLarge.status, tooLarge.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const unauthorized = await anonymous('POST', '/v1/wallet/credit', {
      amount: 1,
      externalUserID: 'ada',
    });
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer realm="points-ledger"');

    expect((await org('GET', '/v1/wallet?externalUserID=ada')).body.balance).toBe(1000);
    expect((await ada('GET', '/v1/wallet')).body.amountReceived).toBe(1000);
    expect((await ada('GET', '/v1/wallet?externalUserID=bob')).status).toBe(404);
    expect((await org('GET', '/v1/wallet', undefined, {}, ORG_NAMES_MEMBER)).status).toBe(400);
    expect((await org('GET', '/v1/wallet?externalUserID=ada&x=1')).status).toBe(400);

    const ledger = await ada('GET', '/v1/wallet/transactions?limit=5');
    expect(ledger.body.transactions.map((tx: any) => tx.type)).toEqual(['CREDIT']);
    expect((await org('GET', '/v1/wallet/transactions?externalUserID=ada&limit=0')).status).toBe(
      400,
    );
    expect((await org('GET', '/v1/eligibility?externalUserID=ada')).body.tier).toBe('gold');
    expect((await ada('GET', '/v1/eligibility')).body.wallet.balance).toBe(1000);
  });

  it('the catalog', async () => {
    const fixed = await org('POST', '/v1/offers', {
      id: 'kayak',
      title: 'Sunset kayak tour',
      kind: 'experience',
      type: 'outdoor',
      description: 'Two hours on the fjord.\nAt sunset.',
      images: ['https://cdn.example.com/kayak.jpg'],
      pointsPrice: 100,
      maxTotal: 20,
      expiresAt: '2099-01-01T00:00:00Z',
    });
    expect(fixed.status).toBe(201);
    const offers: Array<Record<string, unknown>> = [
      {
        id: 'coffee',
        priceModel: 'UNIT_BASED',
        unitCost: 40,
        maxPerMember: null,
        artifact: 'COUPON',
      },
      {
        id: 'giftcard',
        priceModel: 'AMOUNT_BASED',
        minAmount: '10.00',
        maxAmount: '200.00',
        pointsPerAmountUnit: 10,
        artifact: 'FULFILMENT',
      },
      { id: 'yacht', pointsPrice: 1_000_000 },
      { id: 'retired', pointsPrice: 1, status: 'INACTIVE' },
    ];
    for (const offer of offers) {
      const created = await org('POST', '/v1/offers', {
        title: 'T',
        kind: 'k',
        type: 't',
        ...offer,
      });
      expect(created.status).toBe(201);
    }
    const duplicate = await org('POST', '/v1/offers', {
      id: 'kayak',
      title: 'T',
      kind: 'k',
      type: 't',
      pointsPrice: 1,
    });
    expect(duplicate.body.error.code).toBe('CONFLICT');
    const unpriced = await org('POST', '/v1/offers', { title: 'T', kind: 'k', type: 't' });
    expect([unpriced.status, unpriced.body.error.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect(
      (await org('POST', '/v1/offers', { title: 'T', kind: 'k', type: 't', status: 'SOLD' }))
        .status,
    ).toBe(400);
    expect((await ada('POST', '/v1/offers', { title: 'T', kind: 'k', type: 't' })).status).toBe(
      403,
    );

    const patched = await org('PATCH', '/v1/offers/kayak', {
      shortDescription: null,
      pointsPrice: 90,
    });
    expect(patched.body).toMatchObject({ pointsPrice: 90, shortDescription: '' });
    expect((await org('PATCH', '/v1/offers/nothing', { pointsPrice: 1 })).status).toBe(404);
    expect((await org('PATCH', '/v1/offers/kayak', { maxTotal: 0 })).status).toBe(400);
    expect((await org('PATCH', '/v1/offers/kayak', {})).body.pointsPrice).toBe(90);

    expect((await org('GET', '/v1/offers?limit=100')).body.data).toHaveLength(5);
    expect((await ada('GET', '/v1/offers')).body.data).toHaveLength(4);
    expect((await ada('GET', '/v1/offers/kayak')).body.remainingStock).toBe(20);
    expect((await ada('GET', '/v1/offers/retired')).status).toBe(404);
    expect((await org('GET', '/v1/offers/retired')).body.status).toBe('INACTIVE');
    expect((await anonymous('GET', '/v1/offers')).status).toBe(401);
  });

  it('redemptions and their lifecycle', async () => {
    const created = await ada(
      'POST',
      '/v1/redemptions',
      { offer: 'kayak' },
      { 'Idempotency-Key': 'contract-red-1' },
    );
    expect(created.body).toMatchObject({ status: 'SUBMITTED', pointsDebited: 90 });
    redemptionId = created.body.id;
    const again = await ada('POST', '/v1/redemptions', { offer: 'kayak' });
    expect(again.body.error.code).toBe('REDEMPTION_ALREADY_EXISTS');
    const coupon = await org('POST', '/v1/redemptions', {
      offer: 'coffee',
      externalUserID: 'ada',
      quantity: 3,
    });
    expect(coupon.body.artifact.type).toBe('COUPON');
    couponRedemptionId = coupon.body.id;
    const shipped = await ada('POST', '/v1/redemptions', {
      offer: 'giftcard',
      amount: '25.50',
      description: 'Birthday present',
      shipping: {
        name: 'Ada',
        line1: 'Storgata 1',
        city: 'Oslo',
        postalCode: '0155',
        country: 'NO',
      },
    });
    expect(shipped.body.shipping).toMatchObject({ line2: null, region: null });
    expect(shipped.body.artifact).toEqual({ type: 'FULFILMENT', fulfilment: null, voided: false });
    const fulfilled = await org('POST', `/v1/redemptions/${shipped.body.id}/fulfilment`, {
      trackingNumber: 'JD014600003SE',
      carrier: 'PostNord',
      trackingUrl: 'https://tracking.example/JD014600003SE',
    });
    expect(fulfilled.body.artifact.fulfilment).toMatchObject({ trackingNumber: 'JD014600003SE' });
    const notShipped = await org('POST', `/v1/redemptions/${shipped.body.id}/fulfilment`, {
      trackingNumber: 'JD1',
      trackingUrl: 'ftp://tracking.example/JD1',
    });
    expect(notShipped.status).toBe(400);
    expect(
      (await ada('POST', `/v1/redemptions/${shipped.body.id}/fulfilment`, { trackingNumber: 'X' }))
        .status,
    ).toBe(403);
    expect(
      (await org('POST', '/v1/redemptions/red_nothing/fulfilment', { trackingNumber: 'X' })).status,
    ).toBe(404);
    const unshipped = await ada('POST', '/v1/redemptions', { offer: 'giftcard', amount: '10' });
    expect([unshipped.status, unshipped.body.error.code]).toEqual([422, 'VALIDATION_FAILED']);
    // A refusal of the domain is recorded under its key and replayed like a success.
    const tooDear = () =>
      ada('POST', '/v1/redemptions', { offer: 'yacht' }, { 'Idempotency-Key': 'contract-red-2' });
    expect((await tooDear()).body.error.code).toBe('INSUFFICIENT_POINTS');
    expect((await tooDear()).headers.get('idempotent-replayed')).toBe('true');
    const inactive = await org('POST', '/v1/redemptions', {
      offer: 'retired',
      externalUserID: 'ada',
    });
    expect(inactive.body.error.code).toBe('OFFER_UNAVAILABLE');
    expect((await ada('POST', '/v1/redemptions', { offer: 'nothing' })).status).toBe(404);
    const last = { title: 'T', kind: 'k', type: 't', pointsPrice: 1, maxTotal: 1 };
    expect((await org('POST', '/v1/offers', { id: 'last', ...last })).status).toBe(201);
    expect((await ada('POST', '/v1/redemptions', { offer: 'last' })).status).toBe(201);
    expect((await ada('GET', '/v1/offers/last')).body).toMatchObject({
      status: 'OUT_OF_STOCK',
      remainingStock: 0,
    });
    const soldOut = await org('POST', '/v1/redemptions', { offer: 'last', externalUserID: 'ada' });
    expect(soldOut.body.error.details.reason).toBe('OUT_OF_STOCK');
    expect(
      (await org('POST', '/v1/redemptions', { offer: 'kayak', externalUserID: 'bob' })).body.error
        .code,
    ).toBe('MEMBER_ARCHIVED');
    expect(
      (await org('POST', '/v1/redemptions', { offer: 'kayak' }, {}, ORG_NAMES_MEMBER)).status,
    ).toBe(400);
    expect((await ada('POST', '/v1/redemptions', { offer: 'kayak', quantity: 0 })).status).toBe(
      400,
    );

    const moved = await org('POST', `/v1/redemptions/${redemptionId}/status`, {
      status: 'OPEN',
      startAt: '2027-06-01T18:00:00Z',
      endAt: '2027-06-01T20:00:00Z',
    });
    expect(moved.body.status).toBe('OPEN');
    const noSuchMonth = { status: 'AWAITING_VENDOR', startAt: '2027-13-01T18:00:00Z' };
    const badInstant = await org('POST', `/v1/redemptions/${redemptionId}/status`, noSuchMonth);
    expect(badInstant.status).toBe(400);
    const illegal = await org('POST', `/v1/redemptions/${redemptionId}/status`, {
      status: 'COMPLETED',
    });
    expect(illegal.body.error.code).toBe('INVALID_STATUS_TRANSITION');
    const toCanceled = await org('POST', `/v1/redemptions/${redemptionId}/status`, {
      status: 'CANCELED',
    });
    expect(toCanceled.status).toBeGreaterThanOrEqual(400);
    expect(
      (await org('POST', '/v1/redemptions/red_nothing/status', { status: 'OPEN' })).status,
    ).toBe(404);
    expect(
      (await ada('POST', `/v1/redemptions/${redemptionId}/status`, { status: 'OPEN' })).status,
    ).toBe(403);

    const reversed = await org('POST', `/v1/redemptions/${couponRedemptionId}/reverse`, {
      units: 1,
      reason: 'One coffee returned',
    });
    expect(reversed.body).toMatchObject({
      pointsRefunded: 40,
      reversedPoints: 40,
      reversedUnits: 1,
      reversedAmount: null,
      reversalState: 'PARTIALLY_REVERSED',
    });
    const wrongField = { amount: '1.00' };
    const wrong = await org('POST', `/v1/redemptions/${couponRedemptionId}/reverse`, wrongField);
    expect([wrong.status, wrong.body.error.details.field]).toEqual([422, 'amount']);
    expect((await ada('POST', `/v1/redemptions/${couponRedemptionId}/reverse`, {})).status).toBe(
      403,
    );
    expect((await org('POST', '/v1/redemptions/red_nothing/reverse')).status).toBe(404);
    const canceled = await ada('POST', `/v1/redemptions/${couponRedemptionId}/cancel`, {
      reason: 'Changed my mind',
    });
    expect(canceled.body).toMatchObject({
      status: 'CANCELED',
      pointsRefunded: 120,
      artifact: { type: 'COUPON', voided: true },
    });
    const reverseCanceled = await org('POST', `/v1/redemptions/${couponRedemptionId}/reverse`);
    expect(reverseCanceled.body.error.code).toBe('REDEMPTION_ALREADY_CANCELED');
    const fulfilKayak = await org('POST', `/v1/redemptions/${redemptionId}/fulfilment`, {
      trackingNumber: 'X',
    });
    expect([fulfilKayak.status, fulfilKayak.body.error.details.field]).toEqual([422, 'artifact']);
    const tooLate = await ada('POST', '/v1/redemptions', {
      offer: 'coffee',
      delayPointsDeduction: true,
      holdExpiresAt: '2099-01-01T00:00:00Z',
    });
    expect([tooLate.status, tooLate.body.error.details.field]).toEqual([422, 'holdExpiresAt']);
    const held = await ada('POST', '/v1/redemptions', {
      offer: 'coffee',
      delayPointsDeduction: true,
    });
    expect(held.body).toMatchObject({ deduction: 'DELAYED', hold: { state: 'HELD', points: 40 } });
    const applied = await org('POST', `/v1/redemptions/${held.body.id}/apply`, {
      reference: 'order-7',
    });
    expect(applied.body.hold).toMatchObject({ state: 'APPLIED', reference: 'order-7' });
    expect((await org('POST', `/v1/redemptions/${held.body.id}/apply`)).body.error.code).toBe(
      'HOLD_ALREADY_APPLIED',
    );
    const releaseApplied = await org('POST', `/v1/redemptions/${held.body.id}/release`, {});
    expect(releaseApplied.body.error.code).toBe('HOLD_ALREADY_APPLIED');
    const another = await ada('POST', '/v1/redemptions', {
      offer: 'coffee',
      delayPointsDeduction: true,
    });
    const released = await org('POST', `/v1/redemptions/${another.body.id}/release`, {
      reason: 'Payment declined',
    });
    expect(released.body).toMatchObject({ status: 'CANCELED', hold: { state: 'RELEASED' } });
    expect((await ada('POST', `/v1/redemptions/${another.body.id}/release`)).status).toBe(403);
    expect((await org('POST', '/v1/redemptions/red_nothing/apply')).status).toBe(404);
    const notHeld = await org('POST', `/v1/redemptions/${redemptionId}/apply`, { reference: 'x' });
    expect(notHeld.body.error.code).toBe('REDEMPTION_NOT_HELD');
    const twice = await org('POST', `/v1/redemptions/${couponRedemptionId}/cancel`);
    expect(twice.body.error.code).toBe('REDEMPTION_ALREADY_CANCELED');
    expect((await ada('POST', '/v1/redemptions/red_nothing/cancel')).status).toBe(404);
    const nullBody = await ada('POST', `/v1/redemptions/${redemptionId}/cancel`, 'null');
    expect(nullBody.status).toBe(400);

    const list = await org('GET', '/v1/redemptions?externalUserID=ada&limit=2');
    expect(list.body.redemptions).toHaveLength(2);
    expect(list.body.nextCursor).not.toBeNull();
    expect(
      (await ada('GET', '/v1/redemptions?status=CANCELED&offerId=coffee')).body.redemptions,
    ).toHaveLength(2); // the canceled coupon, and the released hold
    expect((await ada('GET', '/v1/redemptions?status=LOST')).status).toBe(400);
    expect((await ada('GET', `/v1/redemptions/${redemptionId}`)).body.status).toBe('OPEN');
    expect((await org('GET', '/v1/redemptions/red_nothing')).status).toBe(404);
    const history = await ada('GET', `/v1/redemptions/${redemptionId}/history`);
    expect(history.body.history.map((h: any) => h.status)).toEqual(['SUBMITTED', 'OPEN']);
    expect((await ada('GET', '/v1/redemptions/red_nothing/history')).status).toBe(404);
  });

  it('analytics', async () => {
    const summary = await org('GET', '/v1/analytics/summary');
    // 346, and the 40 of the applied hold.
    expect(summary.body).toMatchObject({ pointsMinted: 1000, pointsSpent: 386 });
    const offers = await org('GET', '/v1/analytics/offers');
    expect(offers.body.offers.length).toBeGreaterThan(0);
    // Three cups in one redemption: a UNIT_BASED offer's units outnumber its redemptions.
    const coffee = offers.body.offers.find((o: any) => o.offerId === 'coffee');
    expect(coffee.redeemedUnits).toBeGreaterThan(coffee.signups);
    const today = new Date().toISOString().slice(0, 10);
    const series = await org(
      'GET',
      `/v1/analytics/timeseries?from=${today}&to=2099-01-01&interval=month`,
    );
    expect(series.body.buckets.length).toBeGreaterThan(1);
    const backwards = await org(
      'GET',
      `/v1/analytics/timeseries?from=2027-02-01&to=2027-01-01`,
      undefined,
      {},
      {
        refusedBeyondSchema: 'to must be after from',
      },
    );
    expect(backwards.status).toBe(400);
    expect((await org('GET', '/v1/analytics/timeseries?from=2027-01-01')).status).toBe(400);
    expect((await ada('GET', '/v1/analytics/summary')).status).toBe(403);
  });

  it('webhooks', async () => {
    const body = { url: 'https://receiver.example/hook', events: ['loyalty.points.credited'] };
    const key = { 'Idempotency-Key': 'contract-webhook-1' };
    const created = await org('POST', '/v1/webhooks', body, key);
    expect(created.status).toBe(201);
    expect((await org('POST', '/v1/webhooks', body, key)).body).toEqual(created.body);
    const listed = await org('GET', '/v1/webhooks');
    expect(listed.body.data.map((w: any) => w.id)).toContain(created.body.id);
    const unknown = await org('POST', '/v1/webhooks', { ...body, events: ['loyalty.nope'] });
    expect([unknown.status, unknown.body.error.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect((await org('POST', '/v1/webhooks', { url: 'x', events: [] })).status).toBe(400);
    expect((await ada('GET', '/v1/webhooks')).status).toBe(403);
    const deliveries = await org('GET', `/v1/webhooks/${created.body.id}/deliveries`);
    expect(deliveries.body).toEqual({ data: [] });
    const receiver = await WebhookReceiver.start();
    try {
      const hook = await org('POST', '/v1/webhooks', { url: receiver.url(), events: ['*'] });
      await org('POST', '/v1/wallet/credit', { amount: 1, externalUserID: 'contract-hook' });
      const sent = (await receiver.next()).headers['webhook-id'];
      await t.app.get(WebhookDelivery).deliverer!.settled();
      const path = `/v1/webhooks/${hook.body.id}/deliveries/${sent}/resend`;
      expect((await org('POST', path)).status).toBe(202);
      expect((await receiver.next()).headers['webhook-id']).toBe(sent);
      await t.app.get(WebhookDelivery).deliverer!.settled();
      const tested = await org('POST', `/v1/webhooks/${hook.body.id}/test`);
      expect((await receiver.next()).headers['webhook-id']).toBe(tested.body.id);
      await t.app.get(WebhookDelivery).deliverer!.settled();
      const rotated = await org('POST', `/v1/webhooks/${hook.body.id}/rotate-secret`);
      expect([rotated.status, rotated.body.secretVersion]).toEqual([200, 2]);
      await org('DELETE', `/v1/webhooks/${hook.body.id}`);
    } finally {
      await receiver.close();
    }
    expect((await org('GET', '/v1/webhooks/wh_nothing/deliveries')).status).toBe(404);
    expect((await org('DELETE', `/v1/webhooks/${created.body.id}`)).body).toEqual({
      id: created.body.id,
      ok: true,
    });
    expect((await org('DELETE', `/v1/webhooks/${created.body.id}`)).status).toBe(404);
  });

  it('the events feed', async () => {
    const first = await org('GET', '/v1/events?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.events).toHaveLength(2);
    const all = await org('GET', '/v1/events?limit=1000&types=PointsCredited,WebhookRegistered');
    expect(all.body.events.length).toBeGreaterThan(0);
    const next = await org('GET', `/v1/events?after=${first.body.nextCursor}&limit=1&wait=0`);
    expect(next.status).toBe(200);
    const past = await org('GET', '/v1/events?after=99999999999');
    expect(past.body).toEqual({ events: [], nextCursor: '99999999999', caughtUp: true });
    expect((await org('GET', '/v1/events?types=Nope')).status).toBe(400);
    expect((await org('GET', '/v1/events?limit=1001')).status).toBe(400);
    expect((await org('GET', '/v1/events?wait=31')).status).toBe(400);
    expect((await org('GET', '/v1/events?after=x')).status).toBe(400);
    expect((await ada('GET', '/v1/events')).status).toBe(403);
    expect((await anonymous('GET', '/v1/events')).status).toBe(401);
  });

  it('a rate limit: 429 RATE_LIMITED with Retry-After, as documented', async () => {
    const limited = await startTestApp(undefined, {}, undefined, {
      RATE_LIMIT_ORG_PER_MINUTE: '1',
    });
    try {
      const call = new ContractClient(limited.baseUrl, client.validator).as(KEYS.acmeSandbox);
      expect((await call('GET', '/v1/offers')).status).toBe(200);
      const refused = await call('GET', '/v1/offers');
      expect([refused.status, refused.body.error.code]).toEqual([429, 'RATE_LIMITED']);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('reached a success of every documented operation', () => {
    expect(client.operationsWithoutSuccess()).toEqual([]);
  });
});
