import { createOffer, credit, memberToken } from '../support/fixtures';
import { api, headPosition, KEYS, startTestApp, TestApp } from '../support/test-app';

/** POST /v1/redemptions/{id}/fulfilment over HTTP: seed 004's fulfill, tracking number out. */
describe('Redemption fulfilment (e2e)', () => {
  let t: TestApp;
  let org: ReturnType<typeof api>;
  let member: ReturnType<typeof api>;
  let shippedOffer: string;
  let plainOffer: string;
  const shipping = {
    name: 'Mira Olsen',
    line1: 'Storgata 12',
    city: 'Oslo',
    postalCode: '0155',
    country: 'NO',
  };
  const tracking = {
    trackingNumber: '1Z999AA10123456784',
    carrier: 'UPS',
    trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
  };

  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
    member = api(t.baseUrl, await memberToken(org, 'ada'));
    shippedOffer = await createOffer(org, {
      pointsPrice: 20,
      artifact: 'FULFILMENT',
      maxPerMember: null,
    });
    plainOffer = await createOffer(org, { pointsPrice: 20, maxPerMember: null });
    await credit(org, 'ada', 1_000);
  });
  afterAll(() => t.close());

  const redeem = async (offer: string, extra: Record<string, unknown> = {}) => {
    const created = await member('POST', '/v1/redemptions', { offer, ...extra });
    expect(created.status).toBe(201);
    return created.body as { id: string; artifact: unknown };
  };
  const fulfil = (id: string, body: unknown, headers?: Record<string, string>) =>
    org('POST', `/v1/redemptions/${id}/fulfilment`, body, headers);

  it('ships a FULFILMENT redemption, corrects its tracking, and the read side answers alike', async () => {
    const created = await redeem(shippedOffer, { shipping });
    expect(created.artifact).toEqual({ type: 'FULFILMENT', fulfilment: null, voided: false });
    expect((await member('GET', `/v1/redemptions/${created.id}`)).body).toMatchObject({
      artifact: { type: 'FULFILMENT', fulfilment: null, voided: false },
    });

    const shipped = await fulfil(created.id, tracking);
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({
      status: 'SUBMITTED',
      artifact: {
        type: 'FULFILMENT',
        fulfilment: { ...tracking, fulfilledAt: expect.any(String) },
      },
    });
    expect(shipped.body.updatedAt).toBe(shipped.body.artifact.fulfilment.fulfilledAt);
    expect((await member('GET', `/v1/redemptions/${created.id}`)).body).toEqual(shipped.body);

    // The same tracking again writes nothing; other tracking corrects it.
    const head = await headPosition(t.baseUrl);
    const same = await fulfil(created.id, tracking);
    expect(same.body).toEqual(shipped.body);
    expect(await headPosition(t.baseUrl)).toBe(head);
    const corrected = await fulfil(created.id, { trackingNumber: 'JD014600003SE' });
    expect(corrected.body.artifact.fulfilment).toEqual({
      trackingNumber: 'JD014600003SE',
      carrier: null,
      trackingUrl: null,
      fulfilledAt: expect.any(String),
    });
    expect((await org('GET', `/v1/redemptions/${created.id}`)).body).toEqual(corrected.body);
    const list = await member('GET', '/v1/redemptions');
    expect(list.body.redemptions.find((r: { id: string }) => r.id === created.id)).toEqual(
      corrected.body,
    );
  });

  it('counts a tracking URL in characters: 2,048 emoji-laden ones pass, 2,049 are 400', async () => {
    const created = await redeem(shippedOffer, { shipping });
    const url = (length: number) => `https://t.example/${'😀'.repeat(length - 18)}`;
    const shipped = await fulfil(created.id, { trackingNumber: 'T1', trackingUrl: url(2048) });
    expect(shipped.status).toBe(200);
    expect(shipped.body.artifact.fulfilment.trackingUrl).toBe(url(2048));
    const tooLong = await fulfil(created.id, { trackingNumber: 'T2', trackingUrl: url(2049) });
    expect({ status: tooLong.status, fields: tooLong.body.error.details.fields }).toEqual({
      status: 400,
      fields: [{ field: 'trackingUrl', problems: ['trackingUrl must be at most 2048 characters'] }],
    });
  });

  it('refuses another artifact, a canceled redemption, a member token and another tenant', async () => {
    const plain = await redeem(plainOffer);
    const shipped = await redeem(shippedOffer, { shipping });
    const head = await headPosition(t.baseUrl);
    const wrong = await fulfil(plain.id, tracking);
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'artifact', artifact: 'NONE' },
    });
    expect(
      (await member('POST', `/v1/redemptions/${shipped.id}/fulfilment`, tracking)).status,
    ).toBe(403);
    const globex = api(t.baseUrl, KEYS.globexSandbox);
    expect(
      (await globex('POST', `/v1/redemptions/${shipped.id}/fulfilment`, tracking)).status,
    ).toBe(404);
    expect(await headPosition(t.baseUrl)).toBe(head);
    await member('POST', `/v1/redemptions/${shipped.id}/cancel`, {});
    const canceled = await fulfil(shipped.id, tracking);
    expect([canceled.status, canceled.body.error.code]).toEqual([
      409,
      'REDEMPTION_ALREADY_CANCELED',
    ]);
  });

  it('voids the line of a fully reversed redemption and refuses to ship it, on both sides', async () => {
    const shipped = await redeem(shippedOffer, { shipping });
    await fulfil(shipped.id, tracking);
    const reversed = await org('POST', `/v1/redemptions/${shipped.id}/reverse`, {});
    expect(reversed.body).toMatchObject({
      reversalState: 'FULLY_REVERSED',
      artifact: { type: 'FULFILMENT', fulfilment: tracking, voided: true },
    });
    expect((await member('GET', `/v1/redemptions/${shipped.id}`)).body).toEqual(reversed.body);
    const head = await headPosition(t.baseUrl);
    const again = await fulfil(shipped.id, { trackingNumber: 'JD014600003SE' });
    expect([again.status, again.body.error.code]).toEqual([409, 'REDEMPTION_FULLY_REVERSED']);
    expect(await headPosition(t.baseUrl)).toBe(head);
  });

  it('answers a repeated Idempotency-Key with the first answer', async () => {
    const { id } = await redeem(shippedOffer, { shipping });
    const key = { 'Idempotency-Key': `fulfil-${id}` };
    const first = await fulfil(id, tracking, key);
    const second = await fulfil(id, tracking, key);
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });
});
