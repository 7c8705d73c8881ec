import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { CurrentPrincipal, OrgOnly } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { resolveMember, tenantKey } from '../../auth/tenancy';
import { MemberPathParams } from '../../ledger/members/member.dto';
import { REDEMPTIONS, TRANSACTIONS, WALLETS } from '../../projections/names';
import { CursorCodec } from '../shared/cursor-codec';
import { Freshness } from '../shared/freshness';
import { pageOf } from '../shared/paging';
import { ListMembersQuery, MemberQuery, TransactionsQuery } from './wallet-read.dto';
import { memberFilterOf, memberListSelection, WalletQueries } from './wallet.queries';
import { NoQuery } from '../../shared/http/no-input';

/** A member's wallet, ledger, eligibility and (org only) summary, and the list of members. */
@Controller('v1')
export class WalletReadController {
  constructor(
    private readonly queries: WalletQueries,
    private readonly freshness: Freshness,
    private readonly cursors: CursorCodec,
  ) {}

  @Get('wallet')
  async wallet(@CurrentPrincipal() principal: Principal, @Query() query: MemberQuery) {
    const member = resolveMember(principal, query.externalUserID);
    await this.freshness.of([WALLETS]);
    return this.queries.wallet(tenantKey(principal.tenant), member);
  }

  @Get('wallet/transactions')
  async transactions(@CurrentPrincipal() principal: Principal, @Query() query: TransactionsQuery) {
    const member = resolveMember(principal, query.externalUserID);
    const tenant = tenantKey(principal.tenant);
    const page = pageOf(this.cursors, 'transactions', [tenant, member], query);
    await this.freshness.of([TRANSACTIONS]);
    return this.queries.transactionsOf(tenant, member, page);
  }

  @Get('eligibility')
  async eligibility(@CurrentPrincipal() principal: Principal, @Query() query: MemberQuery) {
    const member = resolveMember(principal, query.externalUserID);
    await this.freshness.of([WALLETS]);
    return this.queries.eligibility(tenantKey(principal.tenant), member);
  }

  /**
   * Every member GET /v1/members/{id} answers (archived ones too, as it shows them), newest first,
   * each item that route's answer; with filters, those whose tier and aliases match them all.
   */
  @Get('members')
  @OrgOnly()
  async members(@CurrentPrincipal() principal: Principal, @Query() query: ListMembersQuery) {
    const tenant = tenantKey(principal.tenant);
    const filter = memberFilterOf(query);
    const page = pageOf(this.cursors, 'members', memberListSelection(tenant, filter), query);
    await this.freshness.of([WALLETS, REDEMPTIONS]);
    return this.queries.members(tenant, filter, page);
  }

  @Get('members/:externalUserID')
  @NoQuery()
  @OrgOnly()
  async member(@CurrentPrincipal() principal: Principal, @Param() params: MemberPathParams) {
    await this.freshness.of([WALLETS, REDEMPTIONS]);
    const summary = this.queries.member(tenantKey(principal.tenant), params.externalUserID);
    if (!summary) throw new NotFoundException({ code: 'NOT_FOUND', message: 'Member not found' });
    return summary;
  }
}
