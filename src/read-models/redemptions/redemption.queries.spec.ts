import { ReadModelDb } from '../../projections/read-model-db';
import { listQuery, RedemptionFilter } from './redemption.queries';

/** Which index SQLite searches rm_redemptions with, for a page of the list with these filters. */
function indexFor(readModels: ReadModelDb, filter: RedemptionFilter): string {
  const { sql, params } = listQuery('sandbox.acme', filter);
  const plan = readModels.db
    .prepare(`EXPLAIN QUERY PLAN ${sql} LIMIT 21`)
    .all(...params, 1000) as Array<{ detail: string }>;
  const search = plan.find((step) => /^SEARCH r /.test(step.detail))?.detail ?? '';
  return /USING INDEX (\w+)/.exec(search)?.[1] ?? search;
}

describe('The redemption list query', () => {
  const readModels = ReadModelDb.open({ path: ':memory:' });
  afterAll(() => readModels.close());

  it.each<[string, RedemptionFilter, string]>([
    ['the tenant', {}, 'rm_redemptions_by_tenant'],
    ['a member', { externalUserID: 'm1' }, 'rm_redemptions_by_member'],
    // Seed 001's loop: a member's OPEN redemptions, not every OPEN redemption of the tenant.
    ['a member and a status', { externalUserID: 'm1', status: 'OPEN' }, 'rm_redemptions_by_member'],
    ['a member and an offer', { externalUserID: 'm1', offerId: 'o1' }, 'rm_redemptions_by_member'],
    [
      'a member, a status and an offer',
      { externalUserID: 'm1', status: 'OPEN', offerId: 'o1' },
      'rm_redemptions_by_member',
    ],
    ['a status', { status: 'OPEN' }, 'rm_redemptions_by_status'],
    ['an offer', { offerId: 'o1' }, 'rm_redemptions_by_offer'],
    // Not every redemption of the offer, walked for the few in that status.
    ['an offer and a status', { offerId: 'o1', status: 'OPEN' }, 'rm_redemptions_by_offer_status'],
    // A checkout's look-up of a code: one row, whatever else the caller filters by.
    ['a coupon code', { couponCode: 'PL-H3DSZ-TQUBY' }, 'rm_redemptions_by_coupon'],
    [
      'a member and a coupon code',
      { externalUserID: 'm1', couponCode: 'PL-H3DSZ-TQUBY' },
      'rm_redemptions_by_coupon',
    ],
    [
      'a coupon code, a status and an offer',
      { couponCode: 'PL-H3DSZ-TQUBY', status: 'OPEN', offerId: 'o1' },
      'rm_redemptions_by_coupon',
    ],
  ])('searches by %s with its own index, newest first', (_name, filter, index) => {
    expect(indexFor(readModels, filter)).toBe(index);
    const { sql, params } = listQuery('sandbox.acme', filter);
    const plan = readModels.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params, 1) as Array<{
      detail: string;
    }>;
    expect(plan.map((step) => step.detail).join(' | ')).not.toMatch(/TEMP B-TREE/); // no sort
  });
});
