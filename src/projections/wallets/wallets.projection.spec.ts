import { ReadModelDb } from '../read-model-db';
import type { ProjectedEvent } from '../engine/projection';
import { WriteSetBuilder, WriteSetExecutor } from '../engine/write-set';
import { WalletsProjection } from './wallets.projection';

const TENANT = 'sandbox.acme';

/** A wallet event of `member` at `position`, as the engine hands it to projections. */
function event(position: number, member: string, type: string, data: object): ProjectedEvent {
  return {
    position,
    type,
    category: 'wallet',
    stream: `wallet-${TENANT}.${member}`,
    data,
    tenant: TENANT,
    externalUserID: member,
    occurredAtMs: 0,
    invalid: null,
  };
}

const registered = (
  position: number,
  member: string,
  tier: string | null,
  aliases: { email?: string; phone?: string; posAccountId?: string } = {},
) =>
  event(position, member, 'MemberRegistered', {
    externalUserID: member,
    displayName: null,
    tier,
    attributes: {},
    email: null,
    phone: null,
    posAccountId: null,
    ...aliases,
  });
const profileChanged = (position: number, member: string, changes: object) =>
  event(position, member, 'MemberProfileUpdated', { changes });
const credited = (position: number, member: string) =>
  event(position, member, 'PointsCredited', { amount: 10 });
const redeemed = (position: number, member: string): ProjectedEvent[] => [
  event(position, member, 'RedemptionCreated', {}),
  event(position + 1, member, 'PointsDebited', { amount: 5 }),
];

/** The projection over a fresh read-model database; `commit` folds events and stores them. */
function setUp() {
  const readModels = ReadModelDb.open({ path: ':memory:' });
  const executor = new WriteSetExecutor(readModels.db);
  let projection = new WalletsProjection(readModels.db);
  projection.reset(true);
  /** Applies the events and stores one commit; returns the tables it wrote. */
  const commit = (events: ProjectedEvent[]): string[] => {
    for (const e of events) projection.apply(e);
    const out = new WriteSetBuilder();
    projection.write(out);
    const set = out.build([]);
    executor.execute(set);
    projection.trim();
    return set.statements.map((s) => /INTO (\w+)/.exec(s.sql)![1]).sort();
  };
  /** A new projection over the stored rows, as after a restart: nothing cached. */
  const restart = () => {
    projection = new WalletsProjection(readModels.db);
    projection.reset(false);
  };
  const members = () =>
    readModels.db
      .prepare(
        'SELECT external_user_id AS id, first_position AS firstPosition, tier, archived FROM rm_members ORDER BY first_position',
      )
      .all();
  const aliases = () =>
    readModels.db
      .prepare(
        'SELECT external_user_id AS id, email_key AS emailKey, phone, pos_account_id AS posAccountId FROM rm_members ORDER BY first_position',
      )
      .all();
  return { commit, restart, members, aliases, db: readModels.db, close: () => readModels.close() };
}

describe('The wallets projection', () => {
  it("records where each member's first event is, whatever it is, and the tier its summary shows", () => {
    const { commit, members, close } = setUp();
    commit([credited(3, 'credited-first'), registered(4, 'registered-first', 'gold')]);
    commit([registered(7, 'credited-first', null), ...redeemed(8, 'redeemed-first')]);
    expect(members()).toEqual([
      { id: 'credited-first', firstPosition: 3, tier: 'default', archived: 0 },
      { id: 'registered-first', firstPosition: 4, tier: 'gold', archived: 0 },
      { id: 'redeemed-first', firstPosition: 8, tier: 'default', archived: 0 },
    ]);
    close();
  });

  it('follows the tier through profile changes, and keeps the first position', () => {
    const { commit, restart, members, close } = setUp();
    commit([registered(1, 'ada', null)]);
    commit([profileChanged(2, 'ada', { tier: 'gold' })]);
    expect(members()).toEqual([{ id: 'ada', firstPosition: 1, tier: 'gold', archived: 0 }]);
    restart();
    commit([profileChanged(3, 'ada', { displayName: 'Ada' })]);
    commit([event(4, 'ada', 'MemberArchived', {})]);
    expect(members()).toEqual([{ id: 'ada', firstPosition: 1, tier: 'gold', archived: 1 }]);
    commit([profileChanged(5, 'ada', { tier: null })]);
    expect(members()).toEqual([{ id: 'ada', firstPosition: 1, tier: 'default', archived: 1 }]);
    close();
  });

  it('keeps the aliases a member is looked up by with the profile: set, changed, cleared', () => {
    const { commit, restart, aliases, close } = setUp();
    const none = { emailKey: null, phone: null, posAccountId: null };
    commit([credited(1, 'bob'), registered(2, 'ada', null, { email: 'Ada.L@Example.COM' })]);
    expect(aliases()).toEqual([
      { id: 'bob', ...none },
      { id: 'ada', emailKey: 'ada.l@example.com', phone: null, posAccountId: null },
    ]);
    commit([
      registered(3, 'bob', 'gold', { phone: '+14155552671', posAccountId: 'POS-7' }),
      profileChanged(4, 'ada', { email: 'Élodie@Example.com', phone: '+447700900123' }),
    ]);
    expect(aliases()).toEqual([
      { id: 'bob', emailKey: null, phone: '+14155552671', posAccountId: 'POS-7' },
      { id: 'ada', emailKey: 'Élodie@example.com', phone: '+447700900123', posAccountId: null },
    ]);
    // Kept through changes of other fields and archiving, also read back after a restart.
    restart();
    commit([event(5, 'ada', 'MemberArchived', {}), event(6, 'bob', 'MemberArchived', {})]);
    commit([profileChanged(7, 'bob', { tier: 'silver' }), credited(8, 'ada')]);
    expect(aliases()).toEqual([
      { id: 'bob', emailKey: null, phone: '+14155552671', posAccountId: 'POS-7' },
      { id: 'ada', emailKey: 'Élodie@example.com', phone: '+447700900123', posAccountId: null },
    ]);
    commit([
      profileChanged(9, 'ada', { email: null, phone: null }),
      profileChanged(10, 'bob', { phone: null, posAccountId: 'pos-7' }),
    ]);
    expect(aliases()).toEqual([
      { id: 'bob', emailKey: null, phone: null, posAccountId: 'pos-7' },
      { id: 'ada', ...none },
    ]);
    // As evolveWallet: changes to a wallet without a profile change nothing.
    commit([credited(11, 'cy'), profileChanged(12, 'cy', { email: 'cy@example.com' })]);
    expect(aliases()).toContainEqual({ id: 'cy', ...none });
    close();
  });

  it('writes no member row when points move for a member it has seen, cached or not', () => {
    const { commit, restart, close } = setUp();
    expect(commit([registered(1, 'ada', 'gold'), credited(2, 'bob')])).toEqual([
      'rm_members',
      'rm_wallet_totals',
      'rm_wallets',
    ]);
    expect(commit([credited(3, 'ada'), ...redeemed(4, 'bob')])).toEqual(['rm_wallets']);
    restart();
    expect(commit([...redeemed(6, 'ada'), credited(8, 'bob')])).toEqual(['rm_wallets']);
    close();
  });

  it('stops on a member whose wallet row has no member row (deleted by hand), naming the cure', () => {
    const { commit, restart, db, close } = setUp();
    commit([registered(1, 'ada', 'gold')]);
    db.prepare("DELETE FROM rm_members WHERE external_user_id = 'ada'").run();
    restart(); // nothing cached: the rows are read back from the file
    expect(() => commit([profileChanged(2, 'ada', { tier: 'silver' })])).toThrow(
      'rm_members has no row for ada, who has a wallet: rebuild',
    );
    close();
  });
});
