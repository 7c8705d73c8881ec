import { emailKey } from '../../ledger/wallet/member-aliases';
import { ReadModelDb } from '../../projections/read-model-db';
import { CursorCodec } from '../shared/cursor-codec';
import { pageOf } from '../shared/paging';
import { MemberFilter, memberListSelection, memberListSql, WalletQueries } from './wallet.queries';

const cursors = new CursorCodec('wallet-queries-spec-secret');

type FilterName = keyof MemberFilter;

/** The plan of a page of the member list with these filters, one step a line. */
function planOf(readModels: ReadModelDb, filters: FilterName[]): string[] {
  const params = ['sandbox.acme', ...filters.map(() => 'x'), 1000];
  const plan = readModels.db
    .prepare(`EXPLAIN QUERY PLAN ${memberListSql(filters)} LIMIT 21`)
    .all(...params) as Array<{ detail: string }>;
  return plan.map((step) => step.detail);
}

describe('The member list query', () => {
  const readModels = ReadModelDb.open({ path: ':memory:' });
  afterAll(() => readModels.close());

  it.each<[string, FilterName[], string, string]>([
    ['the tenant', [], 'rm_members_by_tenant', ''],
    ['a tier', ['tier'], 'rm_members_by_tier', 'tier=? AND '],
    ['an email', ['email'], 'rm_members_by_email', 'email_key=? AND '],
    ['a phone', ['phone'], 'rm_members_by_phone', 'phone=? AND '],
    ['a POS account id', ['posAccountId'], 'rm_members_by_pos_account_id', 'pos_account_id=? AND '],
    // An alias leads whatever else is given, and whatever order the filters are named in.
    ['a tier and an email', ['tier', 'email'], 'rm_members_by_email', 'email_key=? AND '],
    ['a tier and a phone', ['tier', 'phone'], 'rm_members_by_phone', 'phone=? AND '],
    [
      'a POS account id and a tier',
      ['posAccountId', 'tier'],
      'rm_members_by_pos_account_id',
      'pos_account_id=? AND ',
    ],
    [
      'a POS account id and a phone',
      ['posAccountId', 'phone'],
      'rm_members_by_phone',
      'phone=? AND ',
    ],
    [
      'every filter',
      ['tier', 'posAccountId', 'phone', 'email'],
      'rm_members_by_email',
      'email_key=? AND ',
    ],
  ])('searches the members of %s with an index, newest first', (_name, filters, index, terms) => {
    const plan = planOf(readModels, filters);
    expect(plan[0]).toBe(`SEARCH m USING INDEX ${index} (tenant=? AND ${terms}first_position<?)`);
    expect(plan.slice(1)).toEqual([
      'SEARCH w USING PRIMARY KEY (tenant=? AND external_user_id=?)',
      'SEARCH c USING PRIMARY KEY (tenant=? AND scope=? AND scope_id=?) LEFT-JOIN',
    ]);
    expect(plan.join(' | ')).not.toMatch(/TEMP B-TREE|SCAN/); // no sort, no walk
  });

  it('keeps members without an alias out of its index', () => {
    const indexes = readModels.db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE name LIKE 'rm_members_by_%' ORDER BY name",
      )
      .all() as Array<{ name: string; sql: string }>;
    const partial = Object.fromEntries(
      indexes.map(({ name, sql }) => [name, /\bWHERE\s+(.+)$/s.exec(sql)?.[1] ?? null]),
    );
    expect(partial).toEqual({
      rm_members_by_email: 'email_key IS NOT NULL',
      rm_members_by_phone: 'phone IS NOT NULL',
      rm_members_by_pos_account_id: 'pos_account_id IS NOT NULL',
      rm_members_by_tenant: null,
      rm_members_by_tier: null,
    });
  });
});

interface Aliases {
  email?: string;
  phone?: string;
  posAccountId?: string;
}

describe('WalletQueries.members', () => {
  const readModels = ReadModelDb.open({ path: ':memory:' });
  const queries = new WalletQueries(readModels);
  afterAll(() => readModels.close());

  beforeAll(() => {
    const member = readModels.db.prepare(
      `INSERT INTO rm_members (tenant, external_user_id, profile, archived, first_position, tier,
         email_key, phone, pos_account_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const wallet = readModels.db.prepare(
      'INSERT INTO rm_wallets (tenant, external_user_id, balance, credited, debited, refunded, pending) VALUES (?, ?, ?, ?, 0, 0, 0)',
    );
    // As the wallets projection writes them (wallets.projection.spec.ts checks it).
    const add = (
      tenant: string,
      id: string,
      position: number,
      tier: string | null,
      aliases: Aliases = {},
    ) => {
      const { email = null, phone = null, posAccountId = null } = aliases;
      const profile =
        tier === null && email === null && phone === null && posAccountId === null
          ? null
          : JSON.stringify({ displayName: id, tier, email, phone, posAccountId });
      const key = email === null ? null : emailKey(email);
      member.run(tenant, id, profile, 0, position, tier ?? 'default', key, phone, posAccountId);
      wallet.run(tenant, id, position, position);
    };
    add('sandbox.acme', 'a', 10, 'gold', { email: 'Ada@Example.com', phone: '+14155552671' });
    add('sandbox.acme', 'b', 20, null);
    add('live.acme', 'other-environment', 25, 'gold', { email: 'ada@example.com' });
    add('sandbox.acme', 'c', 30, 'gold', { email: 'ada@example.com', posAccountId: 'POS-1' });
    add('sandbox.globex', 'other-organization', 35, 'gold', {
      email: 'ada@example.com',
      phone: '+14155552671',
      posAccountId: 'POS-1',
    });
    add('sandbox.acme', 'd', 40, 'silver', { email: 'ADA@example.COM', phone: '+14155552671' });
    add('sandbox.acme', 'e', 50, 'gold', { email: 'ÉLODIE@example.com', posAccountId: 'pos-1' });
    add('sandbox.acme', 'f', 60, 'gold', { phone: '+441632960961', posAccountId: ' POS-1 ' });
    readModels.db
      .prepare(
        `INSERT INTO rm_redemption_counts VALUES ('sandbox.acme', 'member', 'c', 1, 2, 0, 0, 0, 3, 4, 10, 50)`,
      )
      .run();
  });

  /** Every page of the tenant's list with these filters, following nextCursor. */
  function pages(tenant: string, filter: MemberFilter, limit: number): string[][] {
    const out: string[][] = [];
    let cursor: string | undefined;
    do {
      const selection = memberListSelection(tenant, filter);
      const page = pageOf(cursors, 'members', selection, { limit: String(limit), cursor });
      const answer = queries.members(tenant, filter, page);
      out.push(answer.members.map((m) => m.externalUserID));
      cursor = answer.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }
  const all = (tenant: string, filter: MemberFilter) => pages(tenant, filter, 100)[0];

  it("pages a tenant's members newest first, and only its own", () => {
    expect(pages('sandbox.acme', {}, 4)).toEqual([
      ['f', 'e', 'd', 'c'],
      ['b', 'a'],
    ]);
    expect(pages('sandbox.acme', {}, 6)).toEqual([['f', 'e', 'd', 'c', 'b', 'a']]);
    expect(pages('live.acme', {}, 20)).toEqual([['other-environment']]);
    expect(pages('live.globex', {}, 20)).toEqual([[]]);
  });

  it('keeps the members whose summary shows the tier, `default` for those without one', () => {
    expect(pages('sandbox.acme', { tier: 'gold' }, 2)).toEqual([
      ['f', 'e'],
      ['c', 'a'],
    ]);
    expect(pages('sandbox.acme', { tier: 'default' }, 20)).toEqual([['b']]);
    expect(pages('sandbox.acme', { tier: 'GOLD' }, 20)).toEqual([[]]);
  });

  it("finds the members with an email by its key, every member that shares it, in the tenant's", () => {
    const ada = emailKey('ADA@EXAMPLE.COM');
    expect(ada).toBe('ada@example.com');
    expect(pages('sandbox.acme', { email: ada }, 2)).toEqual([['d', 'c'], ['a']]);
    expect(all('live.acme', { email: ada })).toEqual(['other-environment']);
    expect(all('sandbox.globex', { email: ada })).toEqual(['other-organization']);
    expect(all('sandbox.acme', { email: 'ada@example.co' })).toEqual([]);
    // Only ASCII letters are folded: É is not é.
    expect(all('sandbox.acme', { email: emailKey('Élodie@EXAMPLE.com') })).toEqual(['e']);
    expect(all('sandbox.acme', { email: emailKey('élodie@example.com') })).toEqual([]);
  });

  it('finds the members with a phone or a POS account id exactly as stored', () => {
    expect(all('sandbox.acme', { phone: '+14155552671' })).toEqual(['d', 'a']);
    expect(all('sandbox.acme', { phone: '+4415552671' })).toEqual([]);
    expect(all('sandbox.acme', { phone: '+441632960961' })).toEqual(['f']);
    expect(all('sandbox.acme', { posAccountId: 'POS-1' })).toEqual(['c']);
    expect(all('sandbox.acme', { posAccountId: 'pos-1' })).toEqual(['e']);
    expect(all('sandbox.acme', { posAccountId: ' POS-1 ' })).toEqual(['f']);
    expect(all('sandbox.globex', { posAccountId: 'POS-1' })).toEqual(['other-organization']);
  });

  it('keeps the members that match every filter given', () => {
    const ada = 'ada@example.com';
    expect(pages('sandbox.acme', { email: ada, tier: 'gold' }, 1)).toEqual([['c'], ['a']]);
    expect(all('sandbox.acme', { email: ada, tier: 'silver' })).toEqual(['d']);
    expect(all('sandbox.acme', { email: ada, phone: '+14155552671' })).toEqual(['d', 'a']);
    expect(all('sandbox.acme', { email: ada, posAccountId: 'POS-1' })).toEqual(['c']);
    expect(all('sandbox.acme', { phone: '+14155552671', tier: 'gold' })).toEqual(['a']);
    expect(all('sandbox.acme', { posAccountId: 'pos-1', tier: 'silver' })).toEqual([]);
    const every = { email: ada, phone: '+14155552671', posAccountId: 'POS-1', tier: 'gold' };
    expect(all('sandbox.acme', every)).toEqual([]);
    expect(all('sandbox.globex', every)).toEqual(['other-organization']);
  });

  it('answers each member with the summary the member route answers', () => {
    const page = pageOf(cursors, 'members', ['sandbox.acme', undefined], {});
    const { members } = queries.members('sandbox.acme', {}, page);
    const ids = ['f', 'e', 'd', 'c', 'b', 'a'];
    expect(members).toEqual(ids.map((id) => queries.member('sandbox.acme', id)));
    expect(members[3].redemptionCounts).toEqual({
      SUBMITTED: 1,
      OPEN: 2,
      AWAITING_VENDOR: 0,
      AWAITING_CUSTOMER: 0,
      PURCHASED: 0,
      COMPLETED: 3,
      CANCELED: 4,
    });
    expect(members[4]).toMatchObject({ tier: 'default', displayName: null, attributes: {} });
    // The email as the profile holds it, not as it is looked up.
    const found = queries.members('sandbox.acme', { email: 'ada@example.com' }, page).members;
    expect(found.map((m) => m.email)).toEqual([
      'ADA@example.COM',
      'ada@example.com',
      'Ada@Example.com',
    ]);
  });

  it('binds cursors to the tenant and every filter', () => {
    const selection = (filter: MemberFilter) => memberListSelection('sandbox.acme', filter);
    const distinct = [
      {},
      { tier: 'gold' },
      { email: 'a@x.io' },
      { phone: '+15550100' },
      { posAccountId: 'a@x.io' },
      { email: 'a@x.io', tier: 'gold' },
      { email: 'a@x.io', phone: '+15550100' },
    ].map((filter) => JSON.stringify(selection(filter)));
    expect(new Set(distinct).size).toBe(distinct.length);
  });
});
