import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { CurrentPrincipal } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { tenantKey } from '../../auth/tenancy';
import { RedemptionPathParams } from '../../ledger/redemptions/redemption.dto';
import { OFFERS } from '../../projections/names';
import { CursorCodec } from '../shared/cursor-codec';
import { Freshness } from '../shared/freshness';
import { PageQuery, pageOf } from '../shared/paging';
import type { CatalogAudience } from '../../catalog/offer/offer.audience';
import { OfferQueries } from './offer.queries';
import { NoQuery } from '../../shared/http/no-input';

/**
 * The catalog. An organization sees every offer; a member sees ACTIVE offers (OUT_OF_STOCK ones
 * included) only, and an INACTIVE one is 404 to it, as an unknown one.
 */
@Controller('v1/offers')
export class OffersReadController {
  constructor(
    private readonly queries: OfferQueries,
    private readonly freshness: Freshness,
    private readonly cursors: CursorCodec,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    const tenant = tenantKey(principal.tenant);
    const audience = audienceOf(principal);
    const page = pageOf(this.cursors, 'offers', [tenant, audience], query);
    await this.freshness.of([OFFERS]);
    return this.queries.list(tenant, audience, page);
  }

  @Get(':id')
  @NoQuery()
  async get(@CurrentPrincipal() principal: Principal, @Param() params: RedemptionPathParams) {
    await this.freshness.of([OFFERS]);
    const view = this.queries.find(tenantKey(principal.tenant), params.id, audienceOf(principal));
    if (!view)
      throw new NotFoundException({ code: 'NOT_FOUND', message: `Offer ${params.id} not found` });
    return view;
  }
}

function audienceOf(principal: Principal): CatalogAudience {
  return principal.kind;
}
