import { createOffer, credit, memberToken } from '../support/fixtures';
import { allPages } from '../support/read-models';
import { api, KEYS, startTestApp, TestApp } from '../support/test-app';

type Client = ReturnType<typeof api>;

/** Reads never cross a tenant (organization x environment), and a member sees only its own data. */
describe('Read isolation (e2e)', () => {
  let t: TestApp;
  const tenants: Record<
    string,
    { org: Client; offerId: string; redemptionId: string; amount: number }
  > = {};

  beforeAll(async () => {
    t = await startTestApp();
    const keys = {
      acmeSandbox: KEYS.acmeSandbox,
      acmeLive: KEYS.acmeLive,
      globexSandbox: KEYS.globexSandbox,
    };
    let amount = 100;
    for (const [name, key] of Object.entries(keys)) {
      const org = api(t.baseUrl, key);
      const offerId = await createOffer(org, { title: `${name} offer`, pointsPrice: 10 });
      await credit(org, 'shared-id', amount);
      const redemption = await org('POST', '/v1/redemptions', {
        offer: offerId,
        externalUserID: 'shared-id',
      });
      expect(redemption.status).toBe(201);
      tenants[name] = { org, offerId, redemptionId: redemption.body.id, amount };
      amount += 100;
    }
  });
  afterAll(() => t.close());

  it('shows each tenant only its own offers, redemptions, wallets and analytics', async () => {
    for (const [name, own] of Object.entries(tenants)) {
      const offers = await own.org('GET', '/v1/offers');
      expect(offers.body.data.map((o: { id: string }) => o.id)).toEqual([own.offerId]);
      const redemptions = await own.org('GET', '/v1/redemptions');
      expect(redemptions.body.redemptions.map((r: { id: string }) => r.id)).toEqual([
        own.redemptionId,
      ]);
      const wallet = await own.org('GET', '/v1/wallet?externalUserID=shared-id');
      expect(wallet.body.balance).toBe(own.amount - 10);
      const members = await own.org('GET', '/v1/members');
      expect(members.body).toEqual({
        members: [(await own.org('GET', '/v1/members/shared-id')).body],
        nextCursor: null,
      });
      expect(members.body.members[0].wallet.balance).toBe(own.amount - 10);
      const ledger = await own.org('GET', '/v1/wallet/transactions?externalUserID=shared-id');
      expect(ledger.body.transactions.map((tx: { amount: number }) => tx.amount)).toEqual([
        -10,
        own.amount,
      ]);
      const summary = await own.org('GET', '/v1/analytics/summary');
      expect({
        name,
        minted: summary.body.pointsMinted,
        total: summary.body.redemptions.total,
      }).toEqual({
        name,
        minted: own.amount,
        total: 1,
      });
      const stats = await own.org('GET', '/v1/analytics/offers');
      expect(stats.body.offers.map((o: { offerId: string }) => o.offerId)).toEqual([own.offerId]);

      for (const [otherName, other] of Object.entries(tenants)) {
        if (otherName === name) continue;
        expect((await own.org('GET', `/v1/redemptions/${other.redemptionId}`)).status).toBe(404);
        expect((await own.org('GET', `/v1/redemptions/${other.redemptionId}/history`)).status).toBe(
          404,
        );
        expect((await own.org('GET', `/v1/offers/${other.offerId}`)).status).toBe(404);
      }
    }
  });

  it("keeps a member to its own data: another member's redemption, ledger or list is 404", async () => {
    const { org, offerId } = tenants.acmeSandbox;
    await credit(org, 'alice', 50);
    await credit(org, 'bob', 50);
    const alice = api(t.baseUrl, await memberToken(org, 'alice'));
    const bob = api(t.baseUrl, await memberToken(org, 'bob'));
    const bobs = (await bob('POST', '/v1/redemptions', { offer: offerId })).body.id as string;
    const alices = (await alice('POST', '/v1/redemptions', { offer: offerId })).body.id as string;

    for (const path of [
      `/v1/redemptions/${bobs}`,
      `/v1/redemptions/${bobs}/history`,
      '/v1/redemptions?externalUserID=bob',
      '/v1/wallet/transactions?externalUserID=bob',
      '/v1/wallet?externalUserID=bob',
      '/v1/eligibility?externalUserID=bob',
    ]) {
      const response = await alice('GET', path);
      expect({ path, status: response.status, code: response.body.error?.code }).toEqual({
        path,
        status: 404,
        code: 'NOT_FOUND',
      });
    }
    const own = await alice('GET', '/v1/redemptions');
    expect(own.body.redemptions.map((r: { id: string }) => r.id)).toEqual([alices]);
    expect((await alice('GET', `/v1/redemptions/${alices}`)).body.externalUserID).toBe('alice');
    const all = await org('GET', '/v1/redemptions');
    expect(all.body.redemptions.map((r: { id: string }) => r.id)).toEqual([
      alices,
      bobs,
      tenants.acmeSandbox.redemptionId,
    ]);
  });

  it('shows a member ACTIVE and OUT_OF_STOCK offers only; an INACTIVE one is 404 to it, not to its organization', async () => {
    const { org } = tenants.globexSandbox;
    const created: Array<{ id: string; status: string }> = [];
    for (let i = 0; i < 6; i++) {
      const status = i % 3 === 0 ? 'INACTIVE' : 'ACTIVE';
      created.push({ id: await createOffer(org, { title: `Globex ${i}`, status }), status });
    }
    const soldOut = await createOffer(org, { title: 'Last seat', pointsPrice: 5, maxTotal: 1 });
    const paused = await createOffer(org, { title: 'Paused later' });
    await credit(org, 'carol', 5);
    const carol = api(t.baseUrl, await memberToken(org, 'carol'));
    expect((await carol('POST', '/v1/redemptions', { offer: soldOut })).status).toBe(201);
    expect((await org('PATCH', `/v1/offers/${paused}`, { status: 'INACTIVE' })).status).toBe(200);

    const everything = (await allPages<{ id: string; status: string }>(org, '/v1/offers', 'data'))
      .flat()
      .map((o) => o.id);
    expect(everything).toEqual([
      paused,
      soldOut,
      ...created.map((o) => o.id).reverse(),
      tenants.globexSandbox.offerId,
    ]);
    const visible = everything.filter(
      (id) => id !== paused && !created.some((o) => o.id === id && o.status === 'INACTIVE'),
    );
    const pages = await allPages<{ id: string; status: string }>(
      carol,
      '/v1/offers?limit=2',
      'data',
    );
    expect(pages.flat().map((o) => o.id)).toEqual(visible);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    expect(pages.flat().find((o) => o.id === soldOut)?.status).toBe('OUT_OF_STOCK');

    for (const id of [paused, created[0].id]) {
      const hidden = await carol('GET', `/v1/offers/${id}`);
      expect({ id, status: hidden.status, code: hidden.body.error?.code }).toEqual({
        id,
        status: 404,
        code: 'NOT_FOUND',
      });
      expect((await org('GET', `/v1/offers/${id}`)).body.status).toBe('INACTIVE');
      expect((await carol('POST', '/v1/redemptions', { offer: id })).status).toBe(404);
    }
    expect((await carol('GET', `/v1/offers/${soldOut}`)).body.status).toBe('OUT_OF_STOCK');
    expect((await carol('GET', `/v1/offers/${created[1].id}`)).body.status).toBe('ACTIVE');
  });

  it('a live key does not see the sandbox member summary of the same externalUserID', async () => {
    const sandbox = await tenants.acmeSandbox.org('GET', '/v1/members/shared-id');
    const live = await tenants.acmeLive.org('GET', '/v1/members/shared-id');
    expect(sandbox.body.wallet.balance).toBe(90);
    expect(live.body.wallet.balance).toBe(190);
    expect((await tenants.acmeLive.org('GET', '/v1/members/alice')).status).toBe(404);
  });
});
