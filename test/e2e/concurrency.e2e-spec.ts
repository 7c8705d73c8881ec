import { api, KEYS, startTestApp, TestApp } from '../support/test-app';
import { balanceOf, createOffer, credit, memberToken } from '../support/fixtures';

describe('Redemptions under concurrency (e2e)', () => {
  let t: TestApp;
  let org: ReturnType<typeof api>;
  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
  });
  afterAll(() => t.close());

  /** 40 members, each credited the price of one unit, redeem one offer of `maxTotal` units at once. */
  async function fortyMembersRedeem(prefix: string, maxTotal: number) {
    const offerId = await createOffer(org, { pointsPrice: 10, maxTotal });
    const members = Array.from({ length: 40 }, (_, i) => `${prefix}-${i}`);
    await Promise.all(members.map((m) => credit(org, m, 10)));
    const responses = await Promise.all(
      members.map((m) => org('POST', '/v1/redemptions', { offer: offerId, externalUserID: m })),
    );
    return { offerId, members, responses };
  }

  it('200 concurrent redemptions against 3,700 points: exactly 37 succeed and the balance ends at 0', async () => {
    const offerId = await createOffer(org, { pointsPrice: 100, maxPerMember: 1000 });
    await credit(org, 'race', 3_700);
    const member = api(t.baseUrl, await memberToken(org, 'race'));

    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        member('POST', '/v1/redemptions', { offer: offerId }, { 'Idempotency-Key': `race-${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(37);
    expect(
      responses.filter((r) => r.status === 422 && r.body.error.code === 'INSUFFICIENT_POINTS'),
    ).toHaveLength(163);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(37);
    expect(await balanceOf(org, 'race')).toBe(0);
  });

  it('held and immediate redemptions racing, with applies and releases, never spend points on hold', async () => {
    const offerId = await createOffer(org, { pointsPrice: 100, maxPerMember: 1000 });
    await credit(org, 'held-race', 1_000);
    const member = api(t.baseUrl, await memberToken(org, 'held-race'));
    const first = await member('POST', '/v1/redemptions', {
      offer: offerId,
      delayPointsDeduction: true,
    });
    expect(first.status).toBe(201);
    // 900 available: 9 of 60 spends (half of them held) succeed, while the first hold is applied.
    const responses = await Promise.all([
      ...Array.from({ length: 60 }, (_, i) =>
        member('POST', '/v1/redemptions', { offer: offerId, delayPointsDeduction: i % 2 === 0 }),
      ),
      org('POST', `/v1/redemptions/${first.body.id}/apply`, { reference: 'order-1' }),
    ]);
    const apply = responses.pop()!;
    expect(apply.status).toBe(200);
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(9);
    expect(statuses.filter((s) => s !== 201 && s !== 422)).toEqual([]);
    const held = responses.filter((r) => r.status === 201 && r.body.deduction === 'DELAYED');
    // Releases racing one more spend each: what a release gives back is spendable at once.
    const more = await Promise.all(
      held.flatMap((r) => [
        org('POST', `/v1/redemptions/${r.body.id}/release`, {}),
        member('POST', '/v1/redemptions', { offer: offerId }),
      ]),
    );
    expect(more.filter((r) => r.status >= 500)).toEqual([]);
    const wallet = (await member('GET', '/v1/wallet')).body;
    expect(wallet.pending).toBeGreaterThanOrEqual(0);
    expect(wallet.available).toBeGreaterThanOrEqual(0);
    expect(wallet.balance - wallet.pending).toBe(wallet.available);
    const heldLeft = (await member('GET', '/v1/redemptions?limit=100')).body.redemptions.filter(
      (r: { hold: { state: string } | null }) => r.hold?.state === 'HELD',
    );
    expect(wallet.pending).toBe(100 * heldLeft.length);
  });

  it('redemptions racing a PATCH that gives the offer a total stock queue on it: none CONFLICT', async () => {
    const offerId = await createOffer(org, { pointsPrice: 1, maxPerMember: null });
    const members = Array.from({ length: 40 }, (_, i) => `stock-race-${i}`);
    await Promise.all(members.map((m) => credit(org, m, 100)));
    // Credits ahead of each redemption on its wallet's lock: most redemptions chose their locks
    // while the offer was unlimited and decide once the PATCH has given it a stock.
    const credits: Array<Promise<void>> = [];
    const redemptions: Array<ReturnType<typeof org>> = [];
    let patch: ReturnType<typeof org> | undefined;
    for (const m of members) {
      credits.push(credit(org, m, 1), credit(org, m, 1));
      redemptions.push(org('POST', '/v1/redemptions', { offer: offerId, externalUserID: m }));
      patch ??= org('PATCH', `/v1/offers/${offerId}`, { maxTotal: 1000 });
    }
    await Promise.all(credits);
    expect((await patch)?.status).toBe(200);
    const statuses = (await Promise.all(redemptions)).map((r) => r.status);
    expect(statuses).toEqual(Array(40).fill(201));
    const offer = await org('GET', `/v1/offers/${offerId}`);
    expect(offer.body).toMatchObject({ maxTotal: 1000 });
    expect(offer.body.remainingStock).toBeGreaterThanOrEqual(960);
  });

  it('50 concurrent requests with one Idempotency-Key create one redemption and debit once', async () => {
    const offerId = await createOffer(org, { pointsPrice: 100, maxPerMember: 1000 });
    await credit(org, 'dupes', 1_000);
    const member = api(t.baseUrl, await memberToken(org, 'dupes'));

    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        member('POST', '/v1/redemptions', { offer: offerId }, { 'Idempotency-Key': 'one-attempt' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(
      49,
    );
    expect(await balanceOf(org, 'dupes')).toBe(900);
  });

  it('never sells more than maxTotal when many members race for the last units', async () => {
    const { members, responses } = await fortyMembersRedeem('stock', 7);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(7);
    const refused = responses.filter((r) => r.status !== 201);
    expect(
      refused.every((r) => r.status === 422 && r.body.error.code === 'OFFER_UNAVAILABLE'),
    ).toBe(true);
    const balances = await Promise.all(members.map((m) => balanceOf(org, m)));
    expect(balances.filter((b) => b === 0)).toHaveLength(7);
  });

  it("cancels many members' redemptions of one limited offer at once, each refunded and its stock released", async () => {
    const { offerId, members, responses: redemptions } = await fortyMembersRedeem('release', 1000);
    expect(redemptions.map((r) => r.status)).toEqual(members.map(() => 201));

    const cancels = await Promise.all(
      redemptions.map((r) => org('POST', `/v1/redemptions/${r.body.id}/cancel`)),
    );
    expect(cancels.map((r) => r.status)).toEqual(members.map(() => 200));
    const balances = await Promise.all(members.map((m) => balanceOf(org, m)));
    expect(balances).toEqual(members.map(() => 10));
    expect((await org('GET', `/v1/offers/${offerId}`)).body.remainingStock).toBe(1000);
  });
});
