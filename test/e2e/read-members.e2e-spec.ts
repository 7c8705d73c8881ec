import Database from 'better-sqlite3';
import { join } from 'node:path';
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

/** GET /v1/members: the organization's members (Expys v1's listMembers), and lookup by alias. */
describe('Members (e2e)', () => {
  let t: TestApp;
  let org: Client;

  beforeEach(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
  });
  afterEach(() => t.close());

  const put = async (id: string, body: object = {}, client: Client = org) => {
    const response = await client('PUT', `/v1/members/${encodeURIComponent(id)}`, body);
    expect(response.status).toBe(200);
    return response.body as Summary;
  };

  /** Newest first, each item the member route's answer. */
  describe('list', () => {
    it('lists every member the member route answers, newest first, each item exactly its answer', async () => {
      const free = await createOffer(org, { pointsPrice: 0 });
      await put('registered', { tier: 'gold', displayName: 'Ada', attributes: { city: 'Oslo' } });
      await credit(org, 'credited-only', 5); // a wallet without a profile
      await memberToken(org, 'exchanged');
      const first = await org('POST', '/v1/redemptions', {
        offer: free,
        externalUserID: 'redeemer',
      });
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

      expect(await listed(org, '/v1/members?tier=gold&limit=2')).toEqual([
        'g4',
        'moves',
        'g2',
        'g1',
      ]);
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

  /** ?email=&phone=&posAccountId= (seed 003): members by their lookup aliases. */
  describe('lookup', () => {
    const q = encodeURIComponent;
    const found = (path: string, client: Client = org) => listed(client, path);

    it('finds a member by email in any case of its ASCII letters, by phone and POS id exactly', async () => {
      const ada = { email: 'Ada@Example.com', phone: '+14155552671', posAccountId: 'POS-1' };
      await put('ada', { tier: 'gold', ...ada });
      await put('grace', { email: 'grace@example.com', posAccountId: 'pos-1' });
      await credit(org, 'no-profile', 5);
      await put('plus', { email: 'ada+points@example.com', phone: '+447700900123' });
      await put('accents', { email: 'Élodie@example.com' });

      for (const email of ['Ada@Example.com', 'ada@example.com', 'ADA@EXAMPLE.COM'])
        expect(await found(`/v1/members?email=${q(email)}`)).toEqual(['ada']);
      expect(await found(`/v1/members?email=${q('ada+points@example.com')}`)).toEqual(['plus']);
      expect(await found('/v1/members?email=ada@example.org')).toEqual([]);
      expect(await found(`/v1/members?email=${q('élodie@example.com')}`)).toEqual([]);
      expect(await found(`/v1/members?email=${q('Élodie@EXAMPLE.com')}`)).toEqual(['accents']);
      expect(await found('/v1/members?phone=%2B14155552671')).toEqual(['ada']);
      expect(await found('/v1/members?phone=%2B447700900123')).toEqual(['plus']);
      expect(await found('/v1/members?phone=%2B4155552671')).toEqual([]);
      expect(await found('/v1/members?posAccountId=POS-1')).toEqual(['ada']);
      expect(await found('/v1/members?posAccountId=pos-1')).toEqual(['grace']);
      expect(await found('/v1/members?posAccountId=POS-')).toEqual([]);

      // Each item byte for byte the member route's answer, the email as it was stored.
      const headers = { Authorization: `Bearer ${KEYS.acmeSandbox}` };
      const raw = await fetch(`${t.baseUrl}/v1/members?email=ADA%40example.COM`, { headers });
      const page = JSON.parse(await raw.text()) as { members: unknown[]; nextCursor: null };
      const one = await fetch(`${t.baseUrl}/v1/members/ada`, { headers });
      expect(JSON.stringify(page.members[0])).toBe(await one.text());
      expect(page).toMatchObject({ members: [ada], nextCursor: null });
      // Archived members are found too, as the list shows them.
      expect((await org('DELETE', '/v1/members/grace')).status).toBe(200);
      const archived = await org('GET', '/v1/members?email=grace@example.com');
      expect(archived.body.members).toEqual([(await org('GET', '/v1/members/grace')).body]);
      expect(archived.body.members[0].archived).toBe(true);
    });

    it('answers every member sharing an alias, newest first, with the tier and paging', async () => {
      const family = 'family@example.com';
      await put('f1', { email: family, tier: 'gold', phone: '+15550100' });
      await put('other', { email: 'other@example.com', tier: 'gold', phone: '+15550100' });
      await put('f2', { email: 'Family@Example.com', tier: 'silver' });
      await put('f3', { email: family, tier: 'gold', posAccountId: 'till-9' });
      await put('f4', { email: 'FAMILY@example.com', phone: '+15550100' });
      await put('f5', { email: family, tier: 'gold', posAccountId: 'till-9' });

      const pages = await allPages<Summary>(org, `/v1/members?email=${family}&limit=2`, 'members');
      expect(pages.map(ids)).toEqual([['f5', 'f4'], ['f3', 'f2'], ['f1']]);
      expect(await found(`/v1/members?email=${family}&tier=gold&limit=1`)).toEqual([
        'f5',
        'f3',
        'f1',
      ]);
      expect(await found(`/v1/members?tier=silver&email=${family}`)).toEqual(['f2']);
      expect(await found(`/v1/members?email=${family}&tier=bronze`)).toEqual([]);
      expect(await found(`/v1/members?email=${family}&phone=%2B15550100`)).toEqual(['f4', 'f1']);
      expect(await found('/v1/members?phone=%2B15550100&tier=gold&limit=1')).toEqual([
        'other',
        'f1',
      ]);
      expect(await found('/v1/members?posAccountId=till-9&limit=1')).toEqual(['f5', 'f3']);
      expect(await found(`/v1/members?posAccountId=till-9&email=${family}&tier=gold`)).toEqual([
        'f5',
        'f3',
      ]);
      expect(await found('/v1/members?posAccountId=till-9&phone=%2B15550100')).toEqual([]);
      // The cursor is bound to the email as it is matched: its case may change between pages.
      const first = await org('GET', `/v1/members?email=${family}&limit=2`);
      const next = await org(
        'GET',
        `/v1/members?email=FAMILY%40EXAMPLE.COM&limit=2&cursor=${first.body.nextCursor}`,
      );
      expect([next.status, ids(next.body.members)]).toEqual([200, ['f3', 'f2']]);
    });

    it('finds a member by its aliases as they are now, right after the write that changed them', async () => {
      const before = { email: 'old@example.com', phone: '+15550001', posAccountId: 'old-pos' };
      await put('mover', before);
      await put('stays', { email: 'stays@example.com' });
      expect(await found('/v1/members?email=old@example.com')).toEqual(['mover']);

      await put('mover', { email: 'new@example.com', phone: '+15550002' });
      expect(await found('/v1/members?email=old@example.com')).toEqual([]);
      expect(await found('/v1/members?phone=%2B15550001')).toEqual([]);
      expect(await found('/v1/members?email=new@example.com')).toEqual(['mover']);
      expect(await found('/v1/members?phone=%2B15550002')).toEqual(['mover']);
      expect(await found('/v1/members?posAccountId=old-pos')).toEqual(['mover']);

      await put('mover', { email: null, posAccountId: null });
      expect(await found('/v1/members?email=new@example.com')).toEqual([]);
      expect(await found('/v1/members?posAccountId=old-pos')).toEqual([]);
      expect(await found('/v1/members?phone=%2B15550002')).toEqual(['mover']);

      // A token exchange upserts the profile as PUT does: its email is found at once.
      const exchange = await org('POST', '/v1/auth/exchange', {
        externalUserID: 'mover',
        email: 'Exchanged@Example.com',
      });
      expect(exchange.status).toBe(200);
      const read = await org('GET', '/v1/members?email=exchanged@example.com');
      expect(read.body.members).toEqual([(await org('GET', '/v1/members/mover')).body]);
      expect(await found('/v1/members?email=stays@example.com')).toEqual(['stays']);
    });

    it('refuses a value no profile could hold, and a cursor of another filter, with 400s', async () => {
      for (const id of ['a', 'b', 'c'])
        await put(id, { email: 'a@example.com', phone: '+15550100' });
      const byEmail = (await org('GET', '/v1/members?email=a@example.com&limit=1')).body.nextCursor;
      const byPhone = (await org('GET', '/v1/members?phone=%2B15550100&limit=1')).body.nextCursor;
      const all = (await org('GET', '/v1/members?limit=1')).body.nextCursor;
      const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
      expect(longest).toHaveLength(254);
      const cases: Array<[string, string]> = [
        ['/v1/members?email=', 'email'],
        ['/v1/members?email=not-an-email', 'email'],
        ['/v1/members?email=a@example', 'email'],
        [`/v1/members?email=${q('"a b"@example.com')}`, 'email'],
        ['/v1/members?email=a+b@example.com', 'email'], // + decodes as a space
        [`/v1/members?email=x${longest}`, 'email'],
        ['/v1/members?email=a%01@example.com', 'email'],
        ['/v1/members?email=a@example.com&email=b@example.com', 'email'],
        ['/v1/members?phone=', 'phone'],
        ['/v1/members?phone=+15550100', 'phone'], // + decodes as a space
        ['/v1/members?phone=15550100', 'phone'],
        ['/v1/members?phone=%2B05550100', 'phone'],
        ['/v1/members?phone=%2B1234567890123456', 'phone'],
        ['/v1/members?phone=%2B1%20555', 'phone'],
        ['/v1/members?phone=%2B15550100&phone=%2B15550101', 'phone'],
        ['/v1/members?posAccountId=', 'posAccountId'],
        ['/v1/members?posAccountId=%20%20', 'posAccountId'],
        [`/v1/members?posAccountId=${'p'.repeat(129)}`, 'posAccountId'],
        ['/v1/members?posAccountId=a%0Ab', 'posAccountId'],
        ['/v1/members?posAccountId=a&posAccountId=b', 'posAccountId'],
        ['/v1/members?email=a@example.com&tier=%01', 'tier'],
      ];
      for (const [path, field] of cases) {
        const response = await org('GET', path);
        expect({
          path,
          status: response.status,
          code: response.body.error.code,
          fields: response.body.error.details.fields.map((f: { field: string }) => f.field),
        }).toEqual({ path, status: 400, code: 'VALIDATION_FAILED', fields: [field] });
      }
      const plus = await org('GET', '/v1/members?phone=+15550100');
      expect(plus.body.error.details.fields[0].problems).toContain(
        'phone must be in E.164 format, e.g. +14155552671 (in a query, + is sent as %2B)',
      );
      // The longest values a profile can hold are lookups like any other.
      for (const path of [
        `/v1/members?email=${longest}`,
        `/v1/members?posAccountId=${'p'.repeat(128)}`,
      ])
        expect((await org('GET', path)).body).toEqual({ members: [], nextCursor: null });

      const refused: string[] = [
        `/v1/members?email=b@example.com&cursor=${byEmail}`,
        `/v1/members?cursor=${byEmail}`,
        `/v1/members?tier=default&email=a@example.com&cursor=${byEmail}`,
        `/v1/members?email=a@example.com&phone=%2B15550100&cursor=${byEmail}`,
        `/v1/members?phone=%2B15550100&cursor=${byEmail}`,
        `/v1/members?posAccountId=a@example.com&cursor=${byEmail}`,
        `/v1/members?email=a@example.com&cursor=${byPhone}`,
        `/v1/members?email=a@example.com&cursor=${all}`,
        `/v1/members?phone=%2B15550100&cursor=${all}`,
      ];
      for (const path of refused) {
        const response = await org('GET', path);
        expect([path, response.status, response.body.error.code]).toEqual([
          path,
          400,
          'INVALID_CURSOR',
        ]);
      }
      const member = api(t.baseUrl, await memberToken(org, 'a'));
      const forbidden = await member('GET', '/v1/members?email=a@example.com');
      expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'FORBIDDEN']);
    });

    it("never finds another organization's or environment's member with the same alias", async () => {
      const live = api(t.baseUrl, KEYS.acmeLive);
      const globex = api(t.baseUrl, KEYS.globexSandbox);
      const same = { email: 'same@example.com', phone: '+15550100', posAccountId: 'pos-1' };
      await put('acme-member', same);
      await put('live-member', same, live);
      await put('globex-member', { ...same, email: 'SAME@example.com' }, globex);
      for (const alias of ['email=same@example.com', 'phone=%2B15550100', 'posAccountId=pos-1']) {
        expect(await found(`/v1/members?${alias}`)).toEqual(['acme-member']);
        expect(await found(`/v1/members?${alias}`, live)).toEqual(['live-member']);
        expect(await found(`/v1/members?${alias}`, globex)).toEqual(['globex-member']);
      }
    });

    it('replays read models of an older schema, so members stored before the lookup are found', async () => {
      await put('early', { email: 'early@example.com', phone: '+15550100', posAccountId: 'p-1' });
      await t.close({ keepData: true });
      // As the release before migration 6 left the file: no aliases on the member rows.
      const file = new Database(join(t.dataDir, 'read-models.db'));
      file.exec(`UPDATE rm_members SET email_key = NULL, phone = NULL, pos_account_id = NULL;
        DELETE FROM rm_schema_migrations WHERE version = 6;`);
      file.close();
      t = await startTestApp(t.dataDir);
      org = api(t.baseUrl, KEYS.acmeSandbox);
      for (const alias of ['email=EARLY@example.com', 'phone=%2B15550100', 'posAccountId=p-1'])
        expect(await found(`/v1/members?${alias}`)).toEqual(['early']);
    });
  });
});
