import { CursorCodec } from '../../src/read-models/shared/cursor-codec';
import { createOffer, credit, memberToken } from '../support/fixtures';
import { allPages } from '../support/read-models';
import { api, KEYS, startTestApp, TestApp, TEST_ENV } from '../support/test-app';

type Client = ReturnType<typeof api>;
interface Summary {
  externalUserID: string;
  tier: string;
  archived: boolean;
}

const ids = (members: Summary[]) => members.map((m) => m.externalUserID);

/** Every member of every page of `path`, following nextCursor until null. */
async function listed(client: Client, path: string): Promise<string[]> {
  return ids((await allPages<Summary>(client, path, 'members')).flat());
}

/** GET /v1/members (Expys v1's listMembers): the organization's members, newest first. */
describe('Member list (e2e)', () => {
  let t: TestApp;
  let org: Client;

  beforeEach(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
  });
  afterEach(() => t.close());

  const put = async (id: string, body: object = {}) => {
    const response = await org('PUT', `/v1/members/${encodeURIComponent(id)}`, body);
    expect(response.status).toBe(200);
    return response.body as Summary;
  };

  it('lists every member the member route answers, newest first, each item exactly its answer', async () => {
    const free = await createOffer(org, { pointsPrice: 0 });
    await put('registered', { tier: 'gold', displayName: 'Ada', attributes: { city: 'Oslo' } });
    await credit(org, 'credited-only', 5); // a wallet without a profile
    await memberToken(org, 'exchanged');
    const first = await org('POST', '/v1/redemptions', { offer: free, externalUserID: 'redeemer' });
    expect(first.status).toBe(201);
    await put('archived', { tier: 'silver' });
    expect((await org('DELETE', '/v1/members/archived')).status).toBe(200);
    await put('é 😀/?&');
    // Later events of older members move nothing: the order is by each member's first event.
    await credit(org, 'registered', 100);
    await put('credited-only', { tier: 'gold' });

    const page = await org('GET', '/v1/members');
    expect(page.status).toBe(200);
    expect(page.body.nextCursor).toBeNull();
    const expected = [
      'é 😀/?&',
      'archived',
      'redeemer',
      'exchanged',
      'credited-only',
      'registered',
    ];
    expect(ids(page.body.members)).toEqual(expected);
    // Archived members are listed, as the member route answers them: with `archived: true`.
    expect(page.body.members[1]).toMatchObject({ archived: true, tier: 'silver' });
    expect((await org('GET', '/v1/members/never-seen')).status).toBe(404);

    // Byte for byte: the same fields, in the same order, as GET /v1/members/{id}.
    const raw = await fetch(`${t.baseUrl}/v1/members`, {
      headers: { Authorization: `Bearer ${KEYS.acmeSandbox}` },
    });
    const items = (JSON.parse(await raw.text()) as { members: Summary[] }).members;
    for (const [i, id] of expected.entries()) {
      const one = await fetch(`${t.baseUrl}/v1/members/${encodeURIComponent(id)}`, {
        headers: { Authorization: `Bearer ${KEYS.acmeSandbox}` },
      });
      expect(JSON.stringify(items[i])).toBe(await one.text());
    }
    const unarchived = await put('archived');
    expect((await org('GET', '/v1/members?limit=2')).body.members[1]).toEqual(unarchived);
  });

  it('pages to the end with the default and a given limit, nextCursor null on the last page', async () => {
    for (let i = 0; i < 25; i++) await put(`m${i}`);
    const newestFirst = Array.from({ length: 25 }, (_, i) => `m${24 - i}`);
    const pages = await allPages<Summary>(org, '/v1/members', 'members');
    expect(pages.map((p) => p.length)).toEqual([20, 5]);
    expect(ids(pages.flat())).toEqual(newestFirst);
    const byTwo = await allPages<Summary>(org, '/v1/members?limit=2', 'members');
    expect(byTwo.map((p) => p.length)).toEqual([...Array<number>(12).fill(2), 1]);
    expect(ids(byTwo.flat())).toEqual(newestFirst);
    const exact = await allPages<Summary>(org, '/v1/members?limit=25', 'members');
    expect(exact.map((p) => p.length)).toEqual([25]);
    expect(await org('GET', '/v1/members?limit=100')).toMatchObject({
      status: 200,
      body: { nextCursor: null },
    });
  });

  it('never skips nor repeats a member while new ones arrive between pages', async () => {
    for (let i = 0; i < 10; i++) await credit(org, `early-${i}`, 1);
    const before = await listed(org, '/v1/members?limit=100');
    expect(before).toHaveLength(10);
    const seen: string[] = [];
    let cursor: string | undefined;
    let added = 0;
    do {
      const page = await org('GET', `/v1/members?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(page.body.members));
      cursor = page.body.nextCursor ?? undefined;
      await put(`late-${added++}`);
      await credit(org, `late-${added++}`, 1);
    } while (cursor);
    expect(seen).toEqual(before);
    expect((await listed(org, '/v1/members?limit=100')).slice(0, 2)).toEqual([
      `late-${added - 1}`,
      `late-${added - 2}`,
    ]);
  });

  it('keeps the members of one tier, as their summaries show it now; ?tier= is no filter', async () => {
    await put('g1', { tier: 'gold' });
    await put('s1', { tier: 'silver' });
    await credit(org, 'd1', 1); // no profile: shown as `default`
    await put('g2', { tier: 'gold' });
    await put('d2', {});
    await put('G3', { tier: 'Gold' });
    await put('moves', { tier: 'gold' });
    await put('g4', { tier: 'gold' });

    expect(await listed(org, '/v1/members?tier=gold&limit=2')).toEqual(['g4', 'moves', 'g2', 'g1']);
    expect(await listed(org, '/v1/members?tier=default')).toEqual(['d2', 'd1']);
    expect(await listed(org, '/v1/members?tier=Gold')).toEqual(['G3']);
    expect(await listed(org, '/v1/members?tier=gol')).toEqual([]);

    await put('moves', { tier: 'silver' }); // the current tier, read after the write
    expect(await listed(org, '/v1/members?tier=gold')).toEqual(['g4', 'g2', 'g1']);
    expect(await listed(org, '/v1/members?tier=silver')).toEqual(['moves', 's1']);
    await put('moves', { tier: null });
    expect(await listed(org, '/v1/members?tier=default')).toEqual(['moves', 'd2', 'd1']);

    const all = await org('GET', '/v1/members?limit=3');
    const empty = await org('GET', '/v1/members?limit=3&tier=');
    expect(empty.body).toEqual(all.body);
    const next = await org('GET', `/v1/members?tier=&limit=3&cursor=${all.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(ids(next.body.members)).toEqual(['d2', 'g2', 'd1']);
  });

  it('refuses a cursor of another list, filter or tenant, and bad queries, with stable 400s', async () => {
    for (const id of ['a', 'b', 'c']) await put(id, { tier: 'gold' });
    await credit(org, 'a', 10);
    const offer = await createOffer(org, { pointsPrice: 1, maxPerMember: 5 });
    for (let i = 0; i < 2; i++)
      await org('POST', '/v1/redemptions', { offer, externalUserID: 'a' });
    const cursor = (await org('GET', '/v1/members?limit=1')).body.nextCursor as string;
    const gold = (await org('GET', '/v1/members?tier=gold&limit=1')).body.nextCursor as string;
    const redemptions = (await org('GET', '/v1/redemptions?limit=1')).body.nextCursor as string;
    expect(new CursorCodec(TEST_ENV.MEMBER_TOKEN_SECRET).open(cursor)).toMatch(
      /^members:\d{16}:[0-9a-f]{16}$/,
    );
    const forged = new CursorCodec(`${TEST_ENV.MEMBER_TOKEN_SECRET}-forged`).seal(
      new CursorCodec(TEST_ENV.MEMBER_TOKEN_SECRET).open(cursor)!,
    );
    const live = api(t.baseUrl, KEYS.acmeLive);
    const globex = api(t.baseUrl, KEYS.globexSandbox);
    const cases: Array<[Client, string, string]> = [
      [org, `/v1/members?cursor=${gold}`, 'INVALID_CURSOR'],
      [org, `/v1/members?tier=silver&cursor=${gold}`, 'INVALID_CURSOR'],
      [org, `/v1/members?tier=gold&cursor=${cursor}`, 'INVALID_CURSOR'],
      [org, `/v1/members?cursor=${redemptions}`, 'INVALID_CURSOR'],
      [org, `/v1/redemptions?cursor=${cursor}`, 'INVALID_CURSOR'],
      [live, `/v1/members?cursor=${cursor}`, 'INVALID_CURSOR'],
      [globex, `/v1/members?cursor=${cursor}`, 'INVALID_CURSOR'],
      [org, `/v1/members?cursor=${forged}`, 'INVALID_CURSOR'],
      [org, '/v1/members?cursor=not-a-cursor', 'INVALID_CURSOR'],
      [org, `/v1/members?cursor=${'A'.repeat(5000)}`, 'INVALID_CURSOR'],
      [org, '/v1/members?cursor=a&cursor=b', 'VALIDATION_FAILED'],
      [org, '/v1/members?limit=0', 'VALIDATION_FAILED'],
      [org, '/v1/members?limit=101', 'VALIDATION_FAILED'],
      [org, '/v1/members?limit=ten', 'VALIDATION_FAILED'],
      [org, '/v1/members?limit=-1', 'VALIDATION_FAILED'],
      [org, '/v1/members?limit=', 'VALIDATION_FAILED'],
      [org, `/v1/members?tier=${'t'.repeat(65)}`, 'VALIDATION_FAILED'],
      [org, '/v1/members?tier=%01gold', 'VALIDATION_FAILED'],
      [org, '/v1/members?tier=gold&tier=silver', 'VALIDATION_FAILED'],
      [org, '/v1/members?sort=asc', 'VALIDATION_FAILED'],
      [org, '/v1/members?externalUserID=a', 'VALIDATION_FAILED'],
      [org, '/v1/members?tier=%ZZ', 'BAD_REQUEST'],
    ];
    for (const [client, path, code] of cases) {
      const response = await client('GET', path);
      expect({
        path,
        status: response.status,
        code: response.body?.error?.code,
        stack: JSON.stringify(response.body).includes('    at '),
      }).toEqual({ path, status: 400, code, stack: false });
    }
    const named = await org('GET', '/v1/members?sort=asc');
    expect(named.body.error.details.fields).toEqual([
      { field: 'sort', problems: ['property sort should not exist'] },
    ]);
    // The longest tier a member can have is a filter like any other.
    expect((await org('GET', `/v1/members?tier=${'t'.repeat(64)}`)).body).toEqual({
      members: [],
      nextCursor: null,
    });
    expect((await org('GET', `/v1/members?cursor=${cursor}`)).status).toBe(200);
  });

  it('answers no key or an unknown one 401, a member token 403', async () => {
    await put('ada');
    const member = api(t.baseUrl, await memberToken(org, 'ada'));
    const none = await fetch(`${t.baseUrl}/v1/members`);
    expect([none.status, ((await none.json()) as any).error.code]).toEqual([401, 'UNAUTHORIZED']);
    const unknown = await api(t.baseUrl, 'expys_sandbox_notAKeyOfAnyone000000001')(
      'GET',
      '/v1/members',
    );
    expect([unknown.status, unknown.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
    for (const path of ['/v1/members', '/v1/members?tier=gold&limit=1', '/v1/members?limit=0']) {
      const response = await member('GET', path);
      expect([path, response.status, response.body.error.code]).toEqual([path, 403, 'FORBIDDEN']);
    }
  });

  it("never lists another organization's or environment's members", async () => {
    const live = api(t.baseUrl, KEYS.acmeLive);
    const globex = api(t.baseUrl, KEYS.globexSandbox);
    await put('shared', { tier: 'gold' });
    await put('sandbox-only', { tier: 'gold' });
    expect((await live('PUT', '/v1/members/shared', { tier: 'gold' })).status).toBe(200);
    await credit(live, 'live-only', 7);
    await credit(globex, 'shared', 9);
    expect(await listed(org, '/v1/members')).toEqual(['sandbox-only', 'shared']);
    expect(await listed(org, '/v1/members?tier=gold')).toEqual(['sandbox-only', 'shared']);
    expect(await listed(live, '/v1/members')).toEqual(['live-only', 'shared']);
    expect(await listed(live, '/v1/members?tier=gold')).toEqual(['shared']);
    const globexes = (await globex('GET', '/v1/members')).body.members;
    expect(globexes).toEqual([(await globex('GET', '/v1/members/shared')).body]);
    expect(globexes[0].wallet.balance).toBe(9);
  });
});
