import type { OfferDefinition } from './offer.events';

/**
 * Who looks at the catalog. An organization sees every offer of its tenant; a member sees the
 * ACTIVE ones only (OUT_OF_STOCK included). To a member an INACTIVE offer is one that does not
 * exist, on a read and on a redemption alike, so that unreleased offers cannot be probed.
 */
export type CatalogAudience = 'org' | 'member';

export function visibleTo(
  audience: CatalogAudience,
  offer: Pick<OfferDefinition, 'status'>,
): boolean {
  return audience === 'org' || offer.status === 'ACTIVE';
}
