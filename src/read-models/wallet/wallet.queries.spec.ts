import { ReadModelDb } from '../../projections/read-model-db';
import { CursorCodec } from '../shared/cursor-codec';
import { pageOf } from '../shared/paging';
import { memberListSql, WalletQueries } from './wallet.queries';

const cursors = new CursorCodec('wallet-queries-spec-secret');

/** The plan of a page of the member list, one step a line. */
function planOf(readModels: ReadModelDb, byTier: boolean): string[] {
  const params = byTier ? ['sandbox.acme', 'gold', 1000] : ['sandbox.acme', 1000];
  const plan = readModels.db
    .prepare(`EXPLAIN QUERY PLAN ${memberListSql(byTier)} LIMIT 21`)
    .all(...params) as Array<{ detail: string }>;
  return plan.map((step) => step.detail);
}

describe('The member list query', () => {
  const readModels = ReadModelDb.open({ path: ':memory:' });
  afterAll(() => readModels.close());

  it.each([
    ['the tenant', false, 'rm_members_by_tenant'],
    ['a tier', true, 'rm_members_by_tier'],
  ])('searches the members of %s with their own index, newest first', (_name, byTier, index) => {
    const plan = planOf(readModels, byTier);
    expect(plan[0]).toMatch(new RegExp(`^SEARCH m USING INDEX ${index} \\(tenant=\\? AND `));
    expect(plan.slice(1)).toEqual([
      'SEARCH w USING PRIMARY KEY (tenant=? AND external_user_id=?)',
      'SEARCH c USING PRIMARY KEY (tenant=? AND scope=? AND scope_id=?) LEFT-JOIN',
    ]);
    expect(plan.join(' | ')).not.toMatch(/TEMP B-TREE|SCAN/); // no sort, no walk
  });
});

describe('WalletQueries.members', () => {
  const readModels = ReadModelDb.open({ path: ':memory:' });
  const queries = new WalletQueries(readModels);
  afterAll(() => readModels.close());

  beforeAll(() => {
    const member = readModels.db.prepare(
      'INSERT INTO rm_members (tenant, external_user_id, profile, archived, first_position, tier) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const wallet = readModels.db.prepare(
      'INSERT INTO rm_wallets (tenant, external_user_id, balance, credited, debited, refunded, pending) VALUES (?, ?, ?, ?, 0, 0, 0)',
    );
    const add = (tenant: string, id: string, position: number, tier: string | null) => {
      const profile = tier === null ? null : JSON.stringify({ displayName: id, tier });
      member.run(tenant, id, profile, 0, position, tier ?? 'default');
      wallet.run(tenant, id, position, position);
    };
    add('sandbox.acme', 'a', 10, 'gold');
    add('sandbox.acme', 'b', 20, null);
    add('live.acme', 'other-environment', 25, 'gold');
    add('sandbox.acme', 'c', 30, 'gold');
    add('sandbox.globex', 'other-organization', 35, 'gold');
    add('sandbox.acme', 'd', 40, 'silver');
    readModels.db
      .prepare(
        `INSERT INTO rm_redemption_counts VALUES ('sandbox.acme', 'member', 'c', 1, 2, 0, 0, 0, 3, 4, 10, 50)`,
      )
      .run();
  });

  /** Every page of the tenant's list with these filters, following nextCursor. */
  function pages(tenant: string, tier: string | undefined, limit: number): string[][] {
    const out: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = pageOf(cursors, 'members', [tenant, tier], { limit: String(limit), cursor });
      const answer = queries.members(tenant, { tier }, page);
      out.push(answer.members.map((m) => m.externalUserID));
      cursor = answer.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  it("pages a tenant's members newest first, and only its own", () => {
    expect(pages('sandbox.acme', undefined, 3)).toEqual([['d', 'c', 'b'], ['a']]);
    expect(pages('sandbox.acme', undefined, 4)).toEqual([['d', 'c', 'b', 'a']]);
    expect(pages('live.acme', undefined, 20)).toEqual([['other-environment']]);
    expect(pages('live.globex', undefined, 20)).toEqual([[]]);
  });

  it('keeps the members whose summary shows the tier, `default` for those without one', () => {
    expect(pages('sandbox.acme', 'gold', 1)).toEqual([['c'], ['a']]);
    expect(pages('sandbox.acme', 'default', 20)).toEqual([['b']]);
    expect(pages('sandbox.acme', 'GOLD', 20)).toEqual([[]]);
  });

  it('answers each member with the summary the member route answers', () => {
    const page = pageOf(cursors, 'members', ['sandbox.acme', undefined], {});
    const { members } = queries.members('sandbox.acme', {}, page);
    expect(members).toEqual(['d', 'c', 'b', 'a'].map((id) => queries.member('sandbox.acme', id)));
    expect(members[1].redemptionCounts).toEqual({
      SUBMITTED: 1,
      OPEN: 2,
      AWAITING_VENDOR: 0,
      AWAITING_CUSTOMER: 0,
      PURCHASED: 0,
      COMPLETED: 3,
      CANCELED: 4,
    });
    expect(members[2]).toMatchObject({ tier: 'default', displayName: null, attributes: {} });
  });
});
