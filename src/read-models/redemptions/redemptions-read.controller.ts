import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { CurrentPrincipal } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { memberFilter, tenantKey } from '../../auth/tenancy';
import { RedemptionPathParams } from '../../ledger/redemptions/redemption.dto';
import { REDEMPTIONS } from '../../projections/names';
import { CursorCodec } from '../shared/cursor-codec';
import { Freshness } from '../shared/freshness';
import { pageOf } from '../shared/paging';
import { ListRedemptionsQuery } from './redemption-read.dto';
import { RedemptionQueries } from './redemption.queries';
import { NoQuery } from '../../shared/http/no-input';

const notFound = (id: string) =>
  new NotFoundException({ code: 'NOT_FOUND', message: `Redemption ${id} not found` });

/** Reads of redemptions. A member sees its own only: another member's is 404, never 403. */
@Controller('v1/redemptions')
export class RedemptionsReadController {
  constructor(
    private readonly queries: RedemptionQueries,
    private readonly freshness: Freshness,
    private readonly cursors: CursorCodec,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListRedemptionsQuery) {
    const externalUserID = memberFilter(principal, query.externalUserID);
    const { status, offerId } = query;
    const couponCode = query.couponCode?.toUpperCase();
    const tenant = tenantKey(principal.tenant);
    // Filters added later join the selection only when given: cursors issued before still serve.
    const selection =
      couponCode !== undefined
        ? [tenant, externalUserID, status, offerId, couponCode]
        : [tenant, externalUserID, status, ...(offerId === undefined ? [] : [offerId])];
    const page = pageOf(this.cursors, 'redemptions', selection, query);
    await this.freshness.of([REDEMPTIONS]);
    return this.queries.list(tenant, { externalUserID, status, offerId, couponCode }, page);
  }

  @Get(':id')
  @NoQuery()
  async get(@CurrentPrincipal() principal: Principal, @Param() params: RedemptionPathParams) {
    await this.freshness.of([REDEMPTIONS]);
    const view = this.queries.find(tenantKey(principal.tenant), params.id, memberOf(principal));
    if (!view) throw notFound(params.id);
    return view;
  }

  @Get(':id/history')
  @NoQuery()
  async history(@CurrentPrincipal() principal: Principal, @Param() params: RedemptionPathParams) {
    await this.freshness.of([REDEMPTIONS]);
    const tenant = tenantKey(principal.tenant);
    if (!this.queries.exists(tenant, params.id, memberOf(principal))) throw notFound(params.id);
    return { id: params.id, history: this.queries.historyOf(tenant, params.id) };
  }
}

function memberOf(principal: Principal): string | undefined {
  return principal.kind === 'member' ? principal.externalUserID : undefined;
}
