import { createOffer, credit, memberToken } from '../support/fixtures';
import { api, headPosition, KEYS, startTestApp, TestApp } from '../support/test-app';

/** POST /v1/redemptions/{id}/reverse over HTTP: seed 002's partial reversals. */
describe('Redemption reversals (e2e)', () => {
  let t: TestApp;
  let org: ReturnType<typeof api>;
  let member: ReturnType<typeof api>;
  let unitOffer: string;
  let amountOffer: string;
  let fixedOffer: string;

  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
    member = api(t.baseUrl, await memberToken(org, 'ada'));
    unitOffer = await createOffer(org, {
      priceModel: 'UNIT_BASED',
      pointsPrice: null,
      unitCost: 50,
      maxTotal: 10,
      maxPerMember: 1,
      artifact: 'COUPON',
    });
    amountOffer = await createOffer(org, {
      priceModel: 'AMOUNT_BASED',
      pointsPrice: null,
      minAmount: '1.00',
      maxAmount: '100.00',
      pointsPerAmountUnit: 3,
      maxPerMember: null,
    });
    fixedOffer = await createOffer(org, { pointsPrice: 80, maxPerMember: null });
    await credit(org, 'ada', 1_000);
  });
  afterAll(() => t.close());

  const redeem = async (body: Record<string, unknown>) => {
    const created = await org('POST', '/v1/redemptions', { externalUserID: 'ada', ...body });
    expect(created.status).toBe(201);
    return created.body as { id: string };
  };
  const reverse = (id: string, body?: unknown, headers?: Record<string, string>) =>
    org('POST', `/v1/redemptions/${id}/reverse`, body, headers);

  it('gives back units one part at a time; the read side answers as the write did', async () => {
    const { id } = await redeem({ offer: unitOffer, quantity: 3 });
    const coupon = {
      type: 'COUPON',
      couponCode: expect.stringMatching(/^PL-[A-Z2-9]{5}-[A-Z2-9]{5}$/),
      voided: false,
    };
    expect((await org('GET', `/v1/redemptions/${id}`)).body).toMatchObject({
      artifact: coupon,
      reversedPoints: 0,
      reversedUnits: 0,
      reversedAmount: null,
      reversalState: 'NONE',
    });
    const part = await reverse(id, { units: 1, reason: 'one came back' });
    expect(part.status).toBe(200);
    expect(part.body).toMatchObject({
      status: 'SUBMITTED',
      pointsDebited: 150,
      pointsRefunded: 50,
      reversedPoints: 50,
      reversedUnits: 1,
      reversedAmount: null,
      reversalState: 'PARTIALLY_REVERSED',
      artifact: coupon, // valid for the two units left
    });
    expect((await org('GET', `/v1/redemptions/${id}`)).body).toEqual(part.body);
    const list = await member('GET', '/v1/redemptions');
    expect(list.body.redemptions.find((r: { id: string }) => r.id === id)).toEqual(part.body);

    const tooMany = await reverse(id, { units: 3 });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'units', remainingUnits: 2 },
    });

    const rest = await reverse(id, {});
    expect(rest.body).toMatchObject({
      reversedPoints: 150,
      reversedUnits: 3,
      reversalState: 'FULLY_REVERSED',
      artifact: { ...coupon, voided: true }, // seed 004: points refunded, artifact voided
    });
    expect(rest.body.artifact.couponCode).toBe(part.body.artifact.couponCode);
    expect((await org('GET', `/v1/redemptions/${id}`)).body).toEqual(rest.body);
    const again = await reverse(id, { units: 1 });
    expect([again.status, again.body.error.code]).toEqual([409, 'REDEMPTION_FULLY_REVERSED']);

    // Stock and maxPerMember stay held: the member still holds its one redemption of the offer.
    const offer = await org('GET', `/v1/offers/${unitOffer}`);
    expect(offer.body.remainingStock).toBe(7);
    const second = await org('POST', '/v1/redemptions', {
      externalUserID: 'ada',
      offer: unitOffer,
    });
    expect(second.body.error.code).toBe('REDEMPTION_ALREADY_EXISTS');
  });

  it('gives back an amount, rounded down in part and exact in whole, and lists each refund', async () => {
    const { id } = await redeem({ offer: amountOffer, amount: '10.00' });
    const part = await reverse(id, { amount: '0.50' });
    expect(part.body).toMatchObject({
      pointsDebited: 30,
      reversedPoints: 1,
      reversedUnits: null,
      reversedAmount: '0.50',
      reversalState: 'PARTIALLY_REVERSED',
    });
    const rest = await reverse(id);
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({
      reversedPoints: 30,
      reversedAmount: '10.00',
      reversalState: 'FULLY_REVERSED',
    });
    expect((await member('GET', `/v1/redemptions/${id}`)).body).toEqual(rest.body);
    const ledger = await member('GET', '/v1/wallet/transactions?limit=2');
    expect(ledger.body.transactions).toEqual([
      expect.objectContaining({
        amount: 29,
        reason: 'redemption_reversed',
        type: 'REFUND',
        redemptionID: id,
      }),
      expect.objectContaining({
        amount: 1,
        reason: 'redemption_reversed',
        type: 'REFUND',
        redemptionID: id,
      }),
    ]);
  });

  it('reverses a COMPLETED FIXED redemption whole, and a later cancel of a partial one refunds the rest', async () => {
    const before = (await member('GET', '/v1/wallet')).body;
    const done = await redeem({ offer: fixedOffer });
    for (const status of ['OPEN', 'PURCHASED', 'COMPLETED'])
      expect((await org('POST', `/v1/redemptions/${done.id}/status`, { status })).status).toBe(200);
    const whole = await reverse(done.id, { reason: 'returned' });
    expect(whole.body).toMatchObject({
      status: 'COMPLETED',
      reversedPoints: 80,
      reversedUnits: null,
      reversedAmount: null,
      reversalState: 'FULLY_REVERSED',
    });
    const wallet = (await member('GET', '/v1/wallet')).body;
    expect(wallet).toMatchObject({
      balance: before.balance,
      amountSpent: before.amountSpent,
      refunded: before.refunded + 80,
    });

    const partial = await redeem({ offer: amountOffer, amount: '20.00' });
    await reverse(partial.id, { amount: '5.00' });
    const canceled = await org('POST', `/v1/redemptions/${partial.id}/cancel`, {});
    expect(canceled.body).toMatchObject({
      status: 'CANCELED',
      pointsDebited: 60,
      pointsRefunded: 60,
      reversedPoints: 15,
      reversalState: 'PARTIALLY_REVERSED',
    });
    const after = await reverse(partial.id, { amount: '1.00' });
    expect([after.status, after.body.error.code]).toEqual([409, 'REDEMPTION_ALREADY_CANCELED']);
    // Analytics count a reversal's refund as a cancel's: spent points go down by it.
    const summary = await org('GET', '/v1/analytics/summary');
    const spent = (await member('GET', '/v1/wallet')).body.amountSpent;
    expect(summary.body.pointsSpent).toBe(spent);
  });

  it('refuses the wrong field for the price model, a member token, and another tenant', async () => {
    const fixed = await redeem({ offer: fixedOffer });
    const head = await headPosition(t.baseUrl);
    for (const body of [{ units: 1 }, { amount: '1.00' }]) {
      const wrong = await reverse(fixed.id, body);
      expect(wrong.status).toBe(422);
      expect(wrong.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: Object.keys(body)[0] },
      });
    }
    const byMember = await member('POST', `/v1/redemptions/${fixed.id}/reverse`, {});
    expect(byMember.status).toBe(403);
    const globex = api(t.baseUrl, KEYS.globexSandbox);
    expect((await globex('POST', `/v1/redemptions/${fixed.id}/reverse`, {})).status).toBe(404);
    expect(await headPosition(t.baseUrl)).toBe(head);
  });

  it('answers a repeated Idempotency-Key with the first answer, and reverses once', async () => {
    const { id } = await redeem({ offer: fixedOffer });
    const key = { 'Idempotency-Key': `reverse-${id}` };
    const first = await reverse(id, {}, key);
    const second = await reverse(id, {}, key);
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.body.reversedPoints).toBe(80);
  });

  it('lets the org reverse for an archived member, forfeiting the refund with the balance', async () => {
    await credit(org, 'bob', 100);
    const { id } = (
      await org('POST', '/v1/redemptions', { externalUserID: 'bob', offer: fixedOffer })
    ).body as { id: string };
    expect((await org('DELETE', '/v1/members/bob?retainBalance=false')).status).toBe(200);
    const reversed = await reverse(id);
    expect(reversed.body).toMatchObject({ reversedPoints: 80, reversalState: 'FULLY_REVERSED' });
    expect((await org('GET', '/v1/wallet?externalUserID=bob')).body.balance).toBe(0);
  });
});
