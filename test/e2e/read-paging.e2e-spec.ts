import { CursorCodec } from '../../src/read-models/shared/cursor-codec';
import { createOffer, credit, memberToken } from '../support/fixtures';
import { allPages } from '../support/read-models';
import { api, KEYS, startTestApp, TestApp, TEST_ENV } from '../support/test-app';

type Client = ReturnType<typeof api>;

/** Cursors as the service under test seals them: `<list>:<position>:<selection>`, encrypted. */
const cursors = new CursorCodec(TEST_ENV.MEMBER_TOKEN_SECRET);
const textOf = (cursor: string) => cursors.open(cursor) ?? 'not a cursor';
/** The cursor's text in clear, as cursors were before they were sealed. */
const unsealed = (cursor: string) => Buffer.from(textOf(cursor)).toString('base64url');
/** The cursor with its position changed by `edit`, sealed under a secret the service lacks. */
function edited(cursor: string, edit: (position: number) => number): string {
  const text = textOf(cursor).replace(/:(\d+):/, (_, p: string) => `:${edit(Number(p))}:`);
  return new CursorCodec(`${TEST_ENV.MEMBER_TOKEN_SECRET}-forged`).seal(text);
}
/** The cursor with one bit of its last byte changed. */
function flipped(cursor: string): string {
  const bytes = Buffer.from(cursor, 'base64url');
  bytes[bytes.length - 1] ^= 1;
  return bytes.toString('base64url');
}

/** Cursor paging: newest first, opaque cursors, stable while new records arrive. */
describe('Read paging (e2e)', () => {
  let t: TestApp;
  let org: Client;
  let offerId: string;

  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
    offerId = await createOffer(org, { pointsPrice: 1, maxPerMember: 1000 });
  });
  afterAll(() => t.close());

  async function redeem(client: Client, externalUserID?: string): Promise<string> {
    const response = await client('POST', '/v1/redemptions', {
      offer: offerId,
      ...(externalUserID ? { externalUserID } : {}),
    });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  it("runs seed 001's loop: a member's OPEN redemptions, following nextCursor until null", async () => {
    await credit(org, 'pager', 100);
    const member = api(t.baseUrl, await memberToken(org, 'pager'));
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) ids.push(await redeem(member));
    const open = ids.filter((_, i) => i % 3 !== 0);
    for (const id of open)
      expect((await org('POST', `/v1/redemptions/${id}/status`, { status: 'OPEN' })).status).toBe(
        200,
      );

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({
        externalUserID: 'pager',
        limit: '2',
        status: 'OPEN',
        ...(cursor ? { cursor } : {}),
      });
      const page = await member('GET', `/v1/redemptions?${query}`);
      expect(page.status).toBe(200);
      expect(page.body.redemptions.length).toBeLessThanOrEqual(2);
      for (const r of page.body.redemptions) {
        expect(r.status).toBe('OPEN');
        seen.push(r.id);
      }
      cursor = page.body.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual([...open].reverse());
    expect(pages).toBe(3);
  });

  it('never skips nor repeats a record while new ones arrive between pages', async () => {
    await credit(org, 'busy', 1000);
    for (let i = 0; i < 10; i++) await redeem(org, 'busy');
    const before = (
      await org('GET', '/v1/redemptions?externalUserID=busy&limit=100')
    ).body.redemptions.map((r: { id: string }) => r.id);
    expect(before).toHaveLength(10);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await org(
        'GET',
        `/v1/redemptions?externalUserID=busy&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.redemptions.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor ?? undefined;
      await redeem(org, 'busy');
      await redeem(org, 'busy');
    } while (cursor);
    expect(seen).toEqual(before);
  });

  it('pages the points ledger and the catalog newest first with the default and a given limit', async () => {
    for (let i = 1; i <= 25; i++) await credit(org, 'ledger', i);
    const pages = await allPages<{ amount: number; type: string }>(
      org,
      '/v1/wallet/transactions?externalUserID=ledger&limit=10',
      'transactions',
    );
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat().map((tx) => tx.amount)).toEqual(
      Array.from({ length: 25 }, (_, i) => 25 - i),
    );

    for (let i = 0; i < 24; i++) await createOffer(org, { title: `Offer ${i}` });
    const catalog = await allPages<{ id: string; title: string }>(org, '/v1/offers', 'data');
    expect(catalog.map((p) => p.length)).toEqual([20, 5]);
    expect(catalog.flat()[0].title).toBe('Offer 23');
    expect(catalog.flat()[24].id).toBe(offerId);
  });

  it('binds a cursor to the filters of its list: with others it is a 400, not a page that skips rows', async () => {
    await credit(org, 'binder', 100);
    for (let i = 0; i < 3; i++) await redeem(org, 'binder');
    const list = '/v1/redemptions?externalUserID=binder&limit=1';
    const cursor = (await org('GET', list)).body.nextCursor as string;
    expect(textOf(cursor)).toMatch(/^redemptions:\d+:[0-9a-f]{16}$/);
    const member = api(t.baseUrl, await memberToken(org, 'binder'));
    // The member's own list is the same list, so the same cursor serves it.
    expect((await member('GET', `/v1/redemptions?limit=1&cursor=${cursor}`)).status).toBe(200);
    expect((await org('GET', `${list}&cursor=${cursor}`)).status).toBe(200);

    await createOffer(org, { pointsPrice: 1 });
    await createOffer(org, { pointsPrice: 1 });
    const offersCursor = (await org('GET', '/v1/offers?limit=1')).body.nextCursor as string;
    const elsewhere: Array<[Client, string]> = [
      [org, `${list}&status=OPEN&cursor=${cursor}`],
      [org, `${list}&offerId=${offerId}&cursor=${cursor}`],
      [org, `/v1/redemptions?externalUserID=someone-else&limit=1&cursor=${cursor}`],
      [org, `/v1/redemptions?limit=1&cursor=${cursor}`],
      [api(t.baseUrl, KEYS.acmeLive), `${list}&cursor=${cursor}`],
      [org, `/v1/wallet/transactions?externalUserID=binder&cursor=${cursor}`],
      [member, `/v1/offers?limit=1&cursor=${offersCursor}`], // a member sees other offers
      // The format before cursors named their filters.
      [org, `${list}&cursor=${Buffer.from('redemptions:99999').toString('base64url')}`],
      // The cursor edited: another position sealed under another secret, its text in clear, or
      // one bit changed.
      ...[
        edited(cursor, (p) => p - 1),
        edited(cursor, () => 100_000),
        unsealed(cursor),
        flipped(cursor),
      ].map((forged): [Client, string] => [org, `${list}&cursor=${forged}`]),
    ];
    for (const [client, path] of elsewhere) {
      const response = await client('GET', path);
      expect([path, response.status, response.body.error?.code]).toEqual([
        path,
        400,
        'INVALID_CURSOR',
      ]);
    }
  });

  it('serves a cursor after a restart: its key comes from MEMBER_TOKEN_SECRET, not the process', async () => {
    await credit(org, 'restarted', 100);
    for (let i = 0; i < 3; i++) await redeem(org, 'restarted');
    const list = '/v1/redemptions?externalUserID=restarted&limit=2';
    const first = await org('GET', list);
    await t.close({ keepData: true });
    t = await startTestApp(t.dataDir);
    org = api(t.baseUrl, KEYS.acmeSandbox);
    const next = await org('GET', `${list}&cursor=${first.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ redemptions: [{}], nextCursor: null });
  });

  it('answers an empty list with no cursor', async () => {
    const response = await org('GET', '/v1/redemptions?externalUserID=nobody-at-all');
    expect(response.body).toEqual({ redemptions: [], nextCursor: null });
    const ledger = await org('GET', '/v1/wallet/transactions?externalUserID=nobody-at-all');
    expect(ledger.body).toEqual({ transactions: [], nextCursor: null });
  });
});
