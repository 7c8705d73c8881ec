import { HoldSweeper } from '../../src/read-models/holds/hold-sweeper';
import { createOffer, credit, memberToken } from '../support/fixtures';
import { api, headPosition, KEYS, startTestApp, TestApp } from '../support/test-app';

const HOUR = 3_600_000;

/** Held points over HTTP: delayPointsDeduction, apply, release, cancel and expiry (seeds 003, 004). */
describe('Held points (e2e)', () => {
  let t: TestApp;
  let org: ReturnType<typeof api>;
  let member: ReturnType<typeof api>;
  let fixedOffer: string;
  let stockOffer: string;

  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
    member = api(t.baseUrl, await memberToken(org, 'ada'));
    fixedOffer = await createOffer(org, { pointsPrice: 100, maxPerMember: null });
    stockOffer = await createOffer(org, { pointsPrice: 10, maxTotal: 2, maxPerMember: 1 });
    await credit(org, 'ada', 300);
  });
  afterAll(() => t.close());

  const hold = async (body: Record<string, unknown> = {}) => {
    const created = await member('POST', '/v1/redemptions', {
      offer: fixedOffer,
      delayPointsDeduction: true,
      ...body,
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; hold: { expiresAt: string } };
  };
  const wallet = async () => (await member('GET', '/v1/wallet')).body;

  /**
   * A one-unit offer of `price` points, and `name`'s hold on it for an hour, with the sweeper
   * stopped: the member's next write is what finds the hold expired.
   */
  const heldLastUnit = async (name: string, price: number) => {
    const offer = await createOffer(org, { pointsPrice: price, maxTotal: 1, maxPerMember: null });
    await credit(org, name, price);
    const created = await org('POST', '/v1/redemptions', {
      externalUserID: name,
      offer,
      delayPointsDeduction: true,
      holdExpiresAt: new Date(Date.now() + HOUR).toISOString(),
    });
    expect(created.status).toBe(201);
    await t.app.get(HoldSweeper).stop();
    return { offer, id: created.body.id as string };
  };

  it('holds the points as pending, spends only what is available, and applies them as a debit', async () => {
    const before = await wallet();
    const held = await hold();
    expect(held).toMatchObject({
      status: 'SUBMITTED',
      deduction: 'DELAYED',
      pointsDebited: 0,
      hold: { state: 'HELD', points: 100, appliedAt: null, releasedAt: null, reference: null },
    });
    const ttl = Date.parse(held.hold.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(23 * HOUR);
    expect(ttl).toBeLessThanOrEqual(24 * HOUR);
    expect((await org('GET', `/v1/redemptions/${held.id}`)).body).toEqual(held);
    expect(await wallet()).toMatchObject({
      balance: before.balance,
      pending: 100,
      available: before.balance - 100,
    });
    const summary = await org('GET', '/v1/members/ada');
    expect(summary.body.wallet).toMatchObject({ pending: 100, available: before.balance - 100 });

    // 300 credited, 100 on hold: two more redemptions of 100 fit, a third does not.
    await hold();
    const third = await member('POST', '/v1/redemptions', { offer: fixedOffer });
    expect(third.status).toBe(201);
    const fourth = await member('POST', '/v1/redemptions', { offer: fixedOffer });
    expect(fourth.status).toBe(422);
    expect(fourth.body.error).toMatchObject({
      code: 'INSUFFICIENT_POINTS',
      details: { balance: 200, pending: 200, available: 0, required: 100 },
    });

    const key = { 'Idempotency-Key': `apply-${held.id}` };
    const applied = await org(
      'POST',
      `/v1/redemptions/${held.id}/apply`,
      { reference: 'order-1' },
      key,
    );
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({
      pointsDebited: 100,
      hold: { state: 'APPLIED', reference: 'order-1' },
    });
    const retried = await org(
      'POST',
      `/v1/redemptions/${held.id}/apply`,
      { reference: 'order-1' },
      key,
    );
    expect([retried.status, retried.body]).toEqual([200, applied.body]);
    const again = await org('POST', `/v1/redemptions/${held.id}/apply`, {});
    expect([again.status, again.body.error.code]).toEqual([409, 'HOLD_ALREADY_APPLIED']);
    expect((await member('GET', `/v1/redemptions/${held.id}`)).body).toEqual(applied.body);
    expect(await wallet()).toMatchObject({ balance: 100, pending: 100, available: 0 });

    const ledger = await member('GET', '/v1/wallet/transactions?limit=1');
    expect(ledger.body.transactions[0]).toMatchObject({
      amount: -100,
      type: 'DEBIT',
      reason: 'redemption',
      redemptionID: held.id,
    });
  });

  it('releases a hold: canceled, stock freed, nothing debited or refunded', async () => {
    await credit(org, 'bea', 100);
    const bea = api(t.baseUrl, await memberToken(org, 'bea'));
    const created = await bea('POST', '/v1/redemptions', {
      offer: stockOffer,
      delayPointsDeduction: true,
      holdExpiresAt: new Date(Date.now() + HOUR).toISOString(),
    });
    expect(created.status).toBe(201);
    expect((await org('GET', `/v1/offers/${stockOffer}`)).body.remainingStock).toBe(1);
    const released = await org('POST', `/v1/redemptions/${created.body.id}/release`, {
      reason: 'payment declined',
    });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({
      status: 'CANCELED',
      pointsDebited: 0,
      pointsRefunded: 0,
      hold: { state: 'RELEASED', points: 10 },
    });
    expect((await org('GET', `/v1/offers/${stockOffer}`)).body.remainingStock).toBe(2);
    expect((await bea('GET', '/v1/wallet')).body).toMatchObject({
      balance: 100,
      pending: 0,
      available: 100,
      amountSpent: 0,
    });
    const twice = await org('POST', `/v1/redemptions/${created.body.id}/release`);
    expect([twice.status, twice.body.error.code]).toEqual([409, 'HOLD_RELEASED']);
    const apply = await org('POST', `/v1/redemptions/${created.body.id}/apply`);
    expect([apply.status, apply.body.error.code]).toEqual([409, 'HOLD_RELEASED']);
    // maxPerMember is freed too: bea may redeem the offer again.
    expect((await bea('POST', '/v1/redemptions', { offer: stockOffer })).status).toBe(201);
  });

  it('cancels a held redemption without a refund, and refuses what a hold does not allow', async () => {
    await credit(org, 'cy', 500);
    const cy = api(t.baseUrl, await memberToken(org, 'cy'));
    const created = await cy('POST', '/v1/redemptions', {
      offer: fixedOffer,
      delayPointsDeduction: true,
    });
    const id = created.body.id as string;
    const reverse = await org('POST', `/v1/redemptions/${id}/reverse`, {});
    expect([reverse.status, reverse.body.error.code]).toEqual([409, 'HOLD_NOT_APPLIED']);
    const immediate = await cy('POST', '/v1/redemptions', { offer: fixedOffer });
    const notHeld = await org('POST', `/v1/redemptions/${immediate.body.id}/apply`, {});
    expect([notHeld.status, notHeld.body.error.code]).toEqual([409, 'REDEMPTION_NOT_HELD']);
    const byMember = await cy('POST', `/v1/redemptions/${id}/apply`, {});
    expect(byMember.status).toBe(403);
    const canceled = await cy('POST', `/v1/redemptions/${id}/cancel`, {});
    expect(canceled.body).toMatchObject({
      status: 'CANCELED',
      pointsRefunded: 0,
      hold: { state: 'RELEASED' },
    });
    expect((await cy('GET', '/v1/wallet')).body).toMatchObject({
      balance: 400,
      pending: 0,
      refunded: 0,
    });
    const ledger = await cy('GET', '/v1/wallet/transactions');
    expect(ledger.body.transactions.map((x: { type: string }) => x.type)).toEqual([
      'DEBIT',
      'CREDIT',
    ]);
  });

  it('refuses a bad holdExpiresAt, and holdExpiresAt without delayPointsDeduction, writing nothing', async () => {
    const head = await headPosition(t.baseUrl);
    for (const body of [
      { delayPointsDeduction: true, holdExpiresAt: new Date(Date.now() - 1000).toISOString() },
      {
        delayPointsDeduction: true,
        holdExpiresAt: new Date(Date.now() + 31 * 24 * HOUR).toISOString(),
      },
      { delayPointsDeduction: false, holdExpiresAt: new Date(Date.now() + HOUR).toISOString() },
    ]) {
      const refused = await member('POST', '/v1/redemptions', { offer: fixedOffer, ...body });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: 'holdExpiresAt' },
      });
    }
    expect(await headPosition(t.baseUrl)).toBe(head);
  });

  it('sweeps expired holds through the command side, found by their expiry', async () => {
    await credit(org, 'dan', 100);
    const dan = api(t.baseUrl, await memberToken(org, 'dan'));
    const created = await dan('POST', '/v1/redemptions', {
      offer: stockOffer,
      delayPointsDeduction: true,
      holdExpiresAt: new Date(Date.now() + HOUR).toISOString(),
    });
    expect(created.status).toBe(201);
    // Of the offer's 2 units, bea's redemption holds one and this hold the other.
    expect((await org('GET', `/v1/offers/${stockOffer}`)).body.remainingStock).toBe(0);
    const id = created.body.id as string;
    // The read side has seen the hold (a GET waits for the write), so rm_holds lists it.
    expect((await dan('GET', '/v1/wallet')).body.pending).toBe(10);
    const sweeper = t.app.get(HoldSweeper);
    expect(await sweeper.sweepOnce(new Date())).toEqual({ holds: 0, stock: 0 });
    // The hold's cancel and its stock's release are one transaction here: no stock is left.
    expect(await sweeper.sweepOnce(new Date(Date.now() + 2 * HOUR))).toEqual({
      holds: 1,
      stock: 0,
    });
    // Swept already: a second sweep finds it released, and writes nothing.
    const head = await headPosition(t.baseUrl);
    expect(await sweeper.sweepOnce(new Date(Date.now() + 2 * HOUR))).toEqual({
      holds: 0,
      stock: 0,
    });
    expect(await headPosition(t.baseUrl)).toBe(head);
    const swept = await dan('GET', `/v1/redemptions/${id}`);
    expect(swept.body).toMatchObject({ status: 'CANCELED', hold: { state: 'EXPIRED' } });
    expect((await dan('GET', '/v1/wallet')).body).toMatchObject({ balance: 100, pending: 0 });
    // The sweeper's cancel gave the hold's unit back.
    expect((await org('GET', `/v1/offers/${stockOffer}`)).body.remainingStock).toBe(1);
  });

  it("releases an expired hold in the append of the member's next write, and frees its stock", async () => {
    const offer = await createOffer(org, { pointsPrice: 50, maxTotal: 1, maxPerMember: null });
    await credit(org, 'eve', 50);
    const created = await org('POST', '/v1/redemptions', {
      externalUserID: 'eve',
      offer,
      delayPointsDeduction: true,
      holdExpiresAt: new Date(Date.now() + HOUR).toISOString(),
    });
    expect(created.status).toBe(201);
    const sold = await org('POST', '/v1/redemptions', { externalUserID: 'eve', offer });
    expect(sold.body.error.code).toBe('OFFER_UNAVAILABLE');
    // Two hours on: only the clock is faked (timers run for real), with the sweeper stopped so
    // that the member's next write is what finds the hold expired.
    await t.app.get(HoldSweeper).stop();
    await laterBy(2 * HOUR, async () => {
      // A credit holds only the wallet's lock: it takes the offer's too to give the unit back.
      expect(
        (await org('POST', '/v1/wallet/credit', { externalUserID: 'eve', amount: 1 })).status,
      ).toBe(200);
      const expired = await org('GET', `/v1/redemptions/${created.body.id}`);
      expect(expired.body).toMatchObject({ status: 'CANCELED', hold: { state: 'EXPIRED' } });
      expect((await org('GET', '/v1/wallet?externalUserID=eve')).body).toMatchObject({
        balance: 51,
        pending: 0,
      });
      expect((await org('GET', `/v1/offers/${offer}`)).body.remainingStock).toBe(1);
      const apply = await org('POST', `/v1/redemptions/${created.body.id}/apply`);
      expect([apply.status, apply.body.error.code]).toEqual([409, 'HOLD_EXPIRED']);
    });
  });

  it("spends the units of the member's own expired hold on the offer it redeems again", async () => {
    const { offer, id } = await heldLastUnit('gus', 30);
    await laterBy(2 * HOUR, async () => {
      // The hold's points and its unit both come back in this write, which spends them again.
      const again = await org('POST', '/v1/redemptions', { externalUserID: 'gus', offer });
      expect([again.status, again.body.error]).toEqual([201, undefined]);
      const expired = await org('GET', `/v1/redemptions/${id}`);
      expect(expired.body).toMatchObject({ status: 'CANCELED', hold: { state: 'EXPIRED' } });
      expect((await org('GET', '/v1/wallet?externalUserID=gus')).body).toMatchObject({
        balance: 0,
        pending: 0,
      });
      expect((await org('GET', `/v1/offers/${offer}`)).body.remainingStock).toBe(0);
    });
  });

  it('records an expiry that a refused write found, so the reads agree with the refusal', async () => {
    const { offer, id } = await heldLastUnit('fay', 40);
    await laterBy(2 * HOUR, async () => {
      // The cancel finds the hold expired, so its redemption canceled: "already canceled", and
      // the expiry is written with the refusal (it used to be dropped, the reads still HELD).
      const cancel = await org('POST', `/v1/redemptions/${id}/cancel`, {});
      expect([cancel.status, cancel.body.error.code]).toEqual([409, 'REDEMPTION_ALREADY_CANCELED']);
      const read = await org('GET', `/v1/redemptions/${id}`);
      expect(read.body).toMatchObject({ status: 'CANCELED', hold: { state: 'EXPIRED' } });
      expect((await org('GET', '/v1/wallet?externalUserID=fay')).body).toMatchObject({
        balance: 40,
        pending: 0,
        available: 40,
      });
      expect((await org('GET', `/v1/offers/${offer}`)).body.remainingStock).toBe(1);
    });
  });
});

/**
 * Runs `work` with the clock `ms` ahead. Only Date is faked (timers run for real), so requests,
 * the store's writer and the projections go on as usual.
 */
async function laterBy(ms: number, work: () => Promise<void>): Promise<void> {
  jest.useFakeTimers({
    now: Date.now() + ms,
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  try {
    await work();
  } finally {
    jest.useRealTimers();
  }
}
