import { createOffer, credit, memberToken } from '../support/fixtures';
import { api, KEYS, startTestApp, TestApp } from '../support/test-app';

/** Every GET route over HTTP: its shape, and that it answers exactly as the write it follows. */
describe('Read routes (e2e)', () => {
  let t: TestApp;
  let org: ReturnType<typeof api>;
  let member: ReturnType<typeof api>;
  let offerId: string;

  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
    member = api(t.baseUrl, await memberToken(org, 'ada'));
    offerId = await createOffer(org, {
      pointsPrice: 30,
      maxTotal: 10,
      maxPerMember: 5,
      description: 'On the fjord',
    });
  });
  afterAll(() => t.close());

  it('GET /v1/offers/{id} and GET /v1/offers answer with the Offer the write answered with', async () => {
    // Image hosts need no top-level domain: an intranet or a development server is a URL too.
    const images = ['http://localhost:8080/kayak.jpg', 'https://cdn/0'];
    const patched = await org('PATCH', `/v1/offers/${offerId}`, {
      shortDescription: 'Kayaks at dusk',
      images,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.images).toEqual(images);
    const one = await member('GET', `/v1/offers/${offerId}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(patched.body);
    const list = await member('GET', '/v1/offers');
    expect(list.body).toEqual({ data: [patched.body], nextCursor: null });
    expect((await org('GET', '/v1/offers/off_nope')).body.error.code).toBe('NOT_FOUND');
  });

  it('GET /v1/members/{id} answers what PUT answered; GET /v1/wallet and /v1/eligibility follow credits', async () => {
    const put = await org('PUT', '/v1/members/ada', {
      displayName: 'Ada',
      tier: 'gold',
      attributes: { city: 'Oslo' },
    });
    expect(put.status).toBe(200);
    expect((await org('GET', '/v1/members/ada')).body).toEqual(put.body);

    const credited = await org('POST', '/v1/wallet/credit', {
      amount: 100,
      externalUserID: 'ada',
      reason: 'welcome',
    });
    expect(credited.body.balance).toBe(100);
    const wallet = await member('GET', '/v1/wallet');
    expect(wallet.body).toEqual({
      balance: 100,
      amountReceived: 100,
      amountSpent: 0,
      currency: { name: 'Points', symbol: 'PTS' },
      refunded: 0,
      pending: 0,
      available: 100,
    });
    expect((await org('GET', '/v1/wallet?externalUserID=ada')).body).toEqual(wallet.body);
    expect((await member('GET', '/v1/eligibility')).body).toEqual({
      tier: 'gold',
      wallet: wallet.body,
    });
    expect((await org('GET', '/v1/eligibility?externalUserID=nobody')).body).toEqual({
      tier: 'default',
      wallet: { ...wallet.body, balance: 0, amountReceived: 0, available: 0 },
    });
  });

  it('a redemption reads back as created, moved and canceled, with its history and ledger entries', async () => {
    const created = await member('POST', '/v1/redemptions', { offer: offerId });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await member('GET', `/v1/redemptions/${id}`)).body).toEqual(created.body);

    const moved = await org('POST', `/v1/redemptions/${id}/status`, {
      status: 'OPEN',
      startAt: '2030-01-01T10:00:00Z',
    });
    expect((await org('GET', `/v1/redemptions/${id}`)).body).toEqual(moved.body);
    const canceled = await member('POST', `/v1/redemptions/${id}/cancel`, { reason: 'rain' });
    expect(canceled.status).toBe(200);
    expect((await member('GET', `/v1/redemptions/${id}`)).body).toEqual(canceled.body);

    const history = await member('GET', `/v1/redemptions/${id}/history`);
    expect(history.body).toEqual({
      id,
      history: [
        { status: 'SUBMITTED', at: created.body.createdAt },
        { status: 'OPEN', at: moved.body.updatedAt },
        { status: 'CANCELED', at: canceled.body.canceledAt },
      ],
    });

    const ledger = await member('GET', '/v1/wallet/transactions');
    expect(ledger.body.nextCursor).toBeNull();
    expect(ledger.body.transactions).toEqual([
      {
        id: expect.stringMatching(/^txn_/),
        amount: 30,
        createdAt: canceled.body.canceledAt,
        reason: 'redemption_canceled',
        redemptionID: id,
        type: 'REFUND',
      },
      {
        id: expect.stringMatching(/^txn_/),
        amount: -30,
        createdAt: created.body.createdAt,
        reason: 'redemption',
        redemptionID: id,
        type: 'DEBIT',
      },
      {
        id: expect.stringMatching(/^txn_/),
        amount: 100,
        createdAt: expect.any(String),
        reason: 'welcome',
        redemptionID: null,
        type: 'CREDIT',
      },
    ]);
    const summary = await org('GET', '/v1/members/ada');
    expect(summary.body.redemptionCounts).toEqual({
      SUBMITTED: 0,
      OPEN: 0,
      AWAITING_VENDOR: 0,
      AWAITING_CUSTOMER: 0,
      PURCHASED: 0,
      COMPLETED: 0,
      CANCELED: 1,
    });
    expect(summary.body).toEqual((await org('PUT', '/v1/members/ada', {})).body);
  });

  it('analytics: summary, offers and time buckets of the organization', async () => {
    const id = (await member('POST', '/v1/redemptions', { offer: offerId })).body.id;
    for (const status of ['OPEN', 'PURCHASED', 'COMPLETED']) {
      expect((await org('POST', `/v1/redemptions/${id}/status`, { status })).status).toBe(200);
    }
    const summary = await org('GET', '/v1/analytics/summary');
    expect(summary.body).toEqual({
      memberCount: 1,
      pointsMinted: 100,
      pointsSpent: 30,
      completionRate: 0.5,
      redemptions: {
        submitted: 0,
        open: 0,
        awaiting_vendor: 0,
        awaiting_customer: 0,
        purchased: 0,
        completed: 1,
        canceled: 1,
        total: 2,
      },
    });
    const offers = await org('GET', '/v1/analytics/offers');
    expect(offers.body).toEqual({
      offers: [
        {
          offerId,
          signups: 2,
          completions: 1,
          cancellations: 1,
          redeemedUnits: 2,
          pointsSpent: 30,
        },
      ],
    });

    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10);
    const series = await org(
      'GET',
      `/v1/analytics/timeseries?from=${today}&to=${tomorrow}&interval=day`,
    );
    expect(series.body).toEqual({
      buckets: [
        {
          startTime: `${today}T00:00:00.000Z`,
          endTime: `${tomorrow}T00:00:00.000Z`,
          pointsMinted: 100,
          pointsSpent: 30,
          signups: 2,
        },
      ],
    });
    const weekStarts = async (to: string) => {
      const weeks = await org(
        'GET',
        `/v1/analytics/timeseries?from=2024-01-01&to=${to}&interval=week`,
      );
      return weeks.body.buckets.map((b: { startTime: string }) => b.startTime);
    };
    const twoWeeks = ['2024-01-01T00:00:00.000Z', '2024-01-08T00:00:00.000Z'];
    expect(await weekStarts('2024-01-15T00:00:00Z')).toEqual(twoWeeks);
    // A bound past the millisecond: the week from 01-15T00:00:00.000 starts before it.
    expect(await weekStarts('2024-01-15T00:00:00.0001Z')).toEqual([
      ...twoWeeks,
      '2024-01-15T00:00:00.000Z',
    ]);
    const months = await org(
      'GET',
      '/v1/analytics/timeseries?from=2024-01-15&to=2024-03-01&interval=month',
    );
    expect(months.body.buckets).toEqual([
      {
        startTime: '2024-01-01T00:00:00.000Z',
        endTime: '2024-02-01T00:00:00.000Z',
        pointsMinted: 0,
        pointsSpent: 0,
        signups: 0,
      },
      {
        startTime: '2024-02-01T00:00:00.000Z',
        endTime: '2024-03-01T00:00:00.000Z',
        pointsMinted: 0,
        pointsSpent: 0,
        signups: 0,
      },
    ]);
  });

  it('answers analytics points sums past 2^53 as exact JSON integers', async () => {
    const globex = api(t.baseUrl, KEYS.globexSandbox);
    const max = Number.MAX_SAFE_INTEGER;
    for (const id of ['g1', 'g2', 'g3']) await credit(globex, id, max);
    const exact = (3n * BigInt(max)).toString();
    const raw = async (path: string) => {
      const response = await fetch(`${t.baseUrl}${path}`, {
        headers: { Authorization: `Bearer ${KEYS.globexSandbox}` },
      });
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      return response.text();
    };
    expect(await raw('/v1/analytics/summary')).toContain(`"pointsMinted":${exact},`);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10);
    const series = await raw(`/v1/analytics/timeseries?from=${today}&to=${tomorrow}`);
    expect(series).toContain(`"pointsMinted":${exact},`);

    // Three members spend 2^52 - 1 each on one offer: its points spent pass 2^53 too.
    const price = 2 ** 52 - 1;
    const offer = await createOffer(globex, { pointsPrice: price, maxPerMember: 1 });
    for (const id of ['h1', 'h2', 'h3']) {
      await credit(globex, id, price);
      const redeemed = await globex('POST', '/v1/redemptions', { offer, externalUserID: id });
      expect(redeemed.status).toBe(201);
    }
    const spent = (3n * BigInt(price)).toString();
    expect(await raw('/v1/analytics/offers')).toContain(`"pointsSpent":${spent}}`);
    expect(await raw('/v1/analytics/summary')).toContain(`"pointsSpent":${spent},`);
  });

  it('answers monthly timeseries in the years 0001-0099', async () => {
    const months = await org(
      'GET',
      '/v1/analytics/timeseries?from=0050-01-01&to=0051-01-01&interval=month',
    );
    expect(months.status).toBe(200);
    const starts = months.body.buckets.map((b: { startTime: string }) => b.startTime);
    expect(starts).toHaveLength(12);
    expect([starts[0], starts[11], months.body.buckets[11].endTime]).toEqual([
      '0050-01-01T00:00:00.000Z',
      '0050-12-01T00:00:00.000Z',
      '0051-01-01T00:00:00.000Z',
    ]);
  });

  it('refuses timeseries whose buckets would leave the years 0000-9999, and answers up to them', async () => {
    const refused = [
      ['from', '/v1/analytics/timeseries?from=0000-01-01&to=0000-02-01&interval=week'],
      ['to', '/v1/analytics/timeseries?from=9999-12-01&to=9999-12-31T23:59:59Z&interval=week'],
      ['to', '/v1/analytics/timeseries?from=9999-12-31&to=9999-12-31T23:59:59Z&interval=month'],
      ['to', '/v1/analytics/timeseries?from=9999-12-31&to=9999-12-31T00:00:01Z&interval=day'],
    ];
    for (const [field, path] of refused) {
      const response = await org('GET', path);
      expect({
        path,
        status: response.status,
        fields: response.body.error?.details?.fields,
      }).toEqual({
        path,
        status: 400,
        fields: [{ field, problems: ['the buckets must fall within the years 0000-9999'] }],
      });
    }
    const last = await org(
      'GET',
      '/v1/analytics/timeseries?from=9999-12-30T12:00:00Z&to=9999-12-31&interval=day',
    );
    expect(last.body.buckets).toEqual([
      expect.objectContaining({
        startTime: '9999-12-30T00:00:00.000Z',
        endTime: '9999-12-31T00:00:00.000Z',
      }),
    ]);
    const first = await org('GET', '/v1/analytics/timeseries?from=0000-01-01&to=0000-01-02');
    expect(first.body.buckets[0].startTime).toBe('0000-01-01T00:00:00.000Z');
  });

  it('reaches a member whose id has the longest length allowed, even percent-encoded', async () => {
    for (const id of ['m'.repeat(128), 'é'.repeat(128)]) {
      const path = `/v1/members/${encodeURIComponent(id)}`;
      const put = await org('PUT', path, { displayName: 'Long' });
      expect(put.status).toBe(200);
      expect(put.body.externalUserID).toBe(id);
      expect((await org('GET', path)).body).toEqual(put.body);
    }
    const tooLong = await org('GET', `/v1/members/${'m'.repeat(129)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('lists the redemptions of one offer with ?offerId, for the org and for a member', async () => {
    const other = await createOffer(org, { pointsPrice: 1, maxPerMember: 10 });
    await credit(org, 'by-offer', 10);
    await credit(org, 'ada', 10);
    const ids: string[] = [];
    for (const externalUserID of ['by-offer', 'ada', 'by-offer']) {
      const made = await org('POST', '/v1/redemptions', { offer: other, externalUserID });
      ids.push(made.body.id);
    }
    const ofOffer = await org('GET', `/v1/redemptions?offerId=${other}`);
    expect(ofOffer.body.redemptions.map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
    expect(new Set(ofOffer.body.redemptions.map((r: { offerId: string }) => r.offerId))).toEqual(
      new Set([other]),
    );
    const mine = await member('GET', `/v1/redemptions?offerId=${other}`);
    expect(mine.body.redemptions.map((r: { externalUserID: string }) => r.externalUserID)).toEqual([
      'ada',
    ]);
    const paged = await org(
      'GET',
      `/v1/redemptions?offerId=${other}&externalUserID=by-offer&limit=1`,
    );
    expect(paged.body.redemptions).toHaveLength(1);
    const next = await org(
      'GET',
      `/v1/redemptions?offerId=${other}&externalUserID=by-offer&limit=1&cursor=${paged.body.nextCursor}`,
    );
    expect(next.body).toMatchObject({ redemptions: [{ id: ids[0] }], nextCursor: null });
    expect((await org('GET', '/v1/redemptions?offerId=off_nope')).body).toEqual({
      redemptions: [],
      nextCursor: null,
    });
    expect((await org('GET', `/v1/redemptions?offerId=${'x'.repeat(65)}`)).status).toBe(400);
  });

  it('finds the redemption behind a coupon code with ?couponCode, in any case, voided or not', async () => {
    const coupons = await createOffer(org, {
      pointsPrice: 2,
      maxPerMember: 10,
      artifact: 'COUPON',
    });
    await credit(org, 'by-code', 10);
    const made = await org('POST', '/v1/redemptions', {
      offer: coupons,
      externalUserID: 'by-code',
    });
    await org('POST', '/v1/redemptions', { offer: coupons, externalUserID: 'by-code' });
    const code: string = made.body.artifact.couponCode;
    const found = await org('GET', `/v1/redemptions?couponCode=${code.toLowerCase()}`);
    expect(found.body).toEqual({ redemptions: [made.body], nextCursor: null });
    // A checkout learns that a code is dead: canceled, it reads voided.
    const canceled = await org('POST', `/v1/redemptions/${made.body.id}/cancel`, {});
    expect((await org('GET', `/v1/redemptions?couponCode=${code}`)).body.redemptions).toEqual([
      canceled.body,
    ]);
    expect(canceled.body.artifact).toEqual({ type: 'COUPON', couponCode: code, voided: true });
    // Another member's code is not a member's to see; another filter narrows as ever.
    expect((await member('GET', `/v1/redemptions?couponCode=${code}`)).body.redemptions).toEqual(
      [],
    );
    expect(
      (await org('GET', `/v1/redemptions?couponCode=${code}&status=OPEN`)).body.redemptions,
    ).toEqual([]);
    expect((await org('GET', '/v1/redemptions?couponCode=PL-AAAAA-BBBBB')).body).toEqual({
      redemptions: [],
      nextCursor: null,
    });
    const bad = await org('GET', '/v1/redemptions?couponCode=PL-1234');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('takes an empty ?externalUserID= as not given', async () => {
    const own = await member('GET', '/v1/wallet');
    expect(await member('GET', '/v1/wallet?externalUserID=')).toMatchObject({
      status: 200,
      body: own.body,
    });
    expect((await member('GET', '/v1/wallet/transactions?externalUserID=')).body).toEqual(
      (await member('GET', '/v1/wallet/transactions')).body,
    );
    expect((await member('GET', '/v1/redemptions?externalUserID=')).body).toEqual(
      (await member('GET', '/v1/redemptions')).body,
    );
    const required = await org('GET', '/v1/wallet?externalUserID=');
    expect({ status: required.status, message: required.body.error.message }).toEqual({
      status: 400,
      message: 'externalUserID is required',
    });
  });

  it("answers an org's empty ?externalUserID= on the redemption list 400, not every member's", async () => {
    const empty = await org('GET', '/v1/redemptions?externalUserID=');
    expect({ status: empty.status, fields: empty.body.error.details.fields }).toEqual({
      status: 400,
      fields: [
        { field: 'externalUserID', problems: [expect.stringContaining('must not be empty')] },
      ],
    });
    expect((await org('GET', '/v1/redemptions')).status).toBe(200);
  });

  it('names the timeseries bound that is not a date or an instant with a zone', async () => {
    for (const from of ['2024-W01', '20240101', '2024-01-01T10:00:00', '2024-02-30']) {
      const response = await org('GET', `/v1/analytics/timeseries?from=${from}&to=2024-03-01`);
      expect({ from, status: response.status, fields: response.body.error.details.fields }).toEqual(
        {
          from,
          status: 400,
          fields: [{ field: 'from', problems: [expect.stringContaining('from must be a date')] }],
        },
      );
    }
    const zoned = await org(
      'GET',
      '/v1/analytics/timeseries?from=2024-01-01T23:00:00-01:00&to=2024-01-03T00:00:00%2B00:00',
    );
    expect(zoned.body.buckets.map((b: { startTime: string }) => b.startTime)).toEqual([
      '2024-01-02T00:00:00.000Z',
    ]);
    // A zone's + sent unencoded arrives as a space: the message says how to send it.
    const plus = await org(
      'GET',
      '/v1/analytics/timeseries?from=2024-01-01T00:00:00+05:30&to=2024-01-03',
    );
    expect(plus.body.error.details.fields[0].problems[0]).toContain(
      '(in a query, + is sent as %2B)',
    );
    // Not for a space that no encoded + would mend.
    const spaced = await org('GET', '/v1/analytics/timeseries?from=2024-01-01%20&to=2024-01-03');
    expect(spaced.body.error.details.fields[0].problems[0]).not.toContain('%2B');
    // An empty interval is the default, as other optional query parameters read it.
    const empty = await org(
      'GET',
      '/v1/analytics/timeseries?from=2024-01-01&to=2024-01-03&interval=',
    );
    expect([empty.status, empty.body.buckets.length]).toEqual([200, 2]);
  });

  it('answers unknown ids 404, member tokens on org routes 403, bad queries 400 with a code', async () => {
    const cases: Array<[ReturnType<typeof api>, string, number, string]> = [
      [org, '/v1/redemptions/red_000000000000000000000000aaaaaaaaaaaaaaaa', 404, 'NOT_FOUND'],
      [
        org,
        '/v1/redemptions/red_000000000000000000000000aaaaaaaaaaaaaaaa/history',
        404,
        'NOT_FOUND',
      ],
      [org, '/v1/members/nobody', 404, 'NOT_FOUND'],
      [member, '/v1/members/ada', 403, 'FORBIDDEN'],
      [member, '/v1/analytics/summary', 403, 'FORBIDDEN'],
      [member, '/v1/analytics/offers', 403, 'FORBIDDEN'],
      [member, '/v1/wallet?externalUserID=someone-else', 404, 'NOT_FOUND'],
      [org, '/v1/wallet', 400, 'VALIDATION_FAILED'],
      [org, '/v1/wallet/transactions', 400, 'VALIDATION_FAILED'],
      [org, '/v1/redemptions?limit=0', 400, 'VALIDATION_FAILED'],
      [org, '/v1/redemptions?limit=101', 400, 'VALIDATION_FAILED'],
      [org, '/v1/redemptions?limit=ten', 400, 'VALIDATION_FAILED'],
      [org, '/v1/redemptions?status=open', 400, 'VALIDATION_FAILED'],
      [org, '/v1/redemptions?sort=asc', 400, 'VALIDATION_FAILED'],
      [org, '/v1/redemptions?cursor=not-a-cursor', 400, 'INVALID_CURSOR'],
      [
        org,
        `/v1/redemptions?cursor=${Buffer.from('offers:5').toString('base64url')}`,
        400,
        'INVALID_CURSOR',
      ],
      [org, '/v1/offers?limit=1000', 400, 'VALIDATION_FAILED'],
      [member, '/v1/wallet/transactions?cursor=%24%24', 400, 'INVALID_CURSOR'],
      [org, `/v1/redemptions?cursor=${'A'.repeat(201)}`, 400, 'INVALID_CURSOR'],
      [org, `/v1/offers?cursor=${'A'.repeat(5000)}`, 400, 'INVALID_CURSOR'],
      [org, '/v1/analytics/timeseries?from=2024-02-01&to=2024-01-01', 400, 'VALIDATION_FAILED'],
      [
        org,
        '/v1/analytics/timeseries?from=2024-01-01T00:00:00.0009Z&to=2024-01-01T00:00:00.000Z',
        400,
        'VALIDATION_FAILED',
      ],
      [
        org,
        '/v1/analytics/timeseries?from=2000-01-01&to=2024-01-01&interval=day',
        400,
        'VALIDATION_FAILED',
      ],
      [
        org,
        '/v1/analytics/timeseries?from=2024-01-01&to=2024-02-01&interval=year',
        400,
        'VALIDATION_FAILED',
      ],
      [org, '/v1/analytics/timeseries?from=yesterday&to=2024-02-01', 400, 'VALIDATION_FAILED'],
      [
        org,
        '/v1/analytics/timeseries?from=2024-01-01T00:00&to=2024-01-02T00:00',
        400,
        'VALIDATION_FAILED',
      ],
      [org, '/v1/analytics/timeseries?from=2024-001&to=2024-02-01', 400, 'VALIDATION_FAILED'],
    ];
    for (const [client, path, status, code] of cases) {
      const response = await client('GET', path);
      expect({ path, status: response.status, code: response.body?.error?.code }).toEqual({
        path,
        status,
        code,
      });
    }
  });
});
