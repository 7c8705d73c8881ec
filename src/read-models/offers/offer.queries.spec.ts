import { ReadModelDb } from '../../projections/read-model-db';
import type { CatalogAudience } from '../../catalog/offer/offer.audience';
import { catalogPageSql } from './offer.queries';

describe('The catalog page query', () => {
  const readModels = ReadModelDb.open({ path: ':memory:' });
  afterAll(() => readModels.close());

  const plan = (audience: CatalogAudience) =>
    (
      readModels.db
        .prepare(`EXPLAIN QUERY PLAN ${catalogPageSql(audience)} LIMIT 21`)
        .all('sandbox.acme', 1000) as Array<{ detail: string }>
    )
      .map((step) => step.detail)
      .join(' | ');

  it.each<[CatalogAudience, string]>([
    ['org', 'rm_offers_by_tenant'],
    // Only the active offers: a member's page never walks the inactive ones.
    ['member', 'rm_offers_active_by_tenant'],
  ])('for the %s searches %s, newest first', (audience, index) => {
    expect(plan(audience)).toMatch(new RegExp(`^SEARCH rm_offers USING INDEX ${index} `));
    expect(plan(audience)).not.toMatch(/TEMP B-TREE/);
  });
});
