import { Inject, Injectable } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { REDEMPTION_STATUSES } from '../../ledger/wallet/wallet.events';
import {
  MemberSummaryView,
  memberSummary,
  RedemptionCounts,
  SummaryProfile,
  tierOf,
  WalletView,
  walletView,
} from '../../ledger/wallet/wallet.view';
import { PersistentMap } from '../../shared/domain/persistent-map';
import { LimitedStatements } from '../../infrastructure/sqlite/limited-statements';
import type { ReadModelDb } from '../../projections/read-model-db';
import { statusColumn } from '../../projections/redemptions/redemption-counts';
import { Page, beforeParam, paged } from '../shared/paging';
import { READ_MODEL_DB } from '../shared/tokens';

interface WalletRecord {
  balance: number;
  credited: number;
  debited: number;
  refunded: number;
  pending: number;
  profile: string | null;
  archived: number;
}

/** A wallet row, its member row and its redemption counts: everything a member summary shows. */
interface SummaryRecord extends WalletRecord {
  externalUserID: string;
  /** The member's redemptions per status (statusColumn); null before its first redemption. */
  [count: string]: string | number | null;
}

export interface MemberFilter {
  /** The tier the summaries show (`default` while unset): exact match. */
  tier?: string;
}

export interface TransactionView {
  id: string;
  /** Points in (CREDIT, REFUND) are positive, points out (DEBIT) negative. */
  amount: number;
  createdAt: string;
  reason: string | null;
  redemptionID: string | null;
  type: string;
}

const EMPTY: WalletRecord = {
  balance: 0,
  credited: 0,
  debited: 0,
  refunded: 0,
  pending: 0,
  profile: null,
  archived: 0,
};

/** The stored profile (JSON in rm_members.profile), null before the member's first upsert. */
function profileOf(row: WalletRecord): SummaryProfile | null {
  return row.profile === null ? null : (JSON.parse(row.profile) as SummaryProfile);
}

const COUNT_COLUMNS = REDEMPTION_STATUSES.map((s) => `c.${statusColumn(s)}`).join(', ');

/** A summary's columns, over `w` (rm_wallets), `m` (rm_members) and `c` (the member's counts). */
const SUMMARY_COLUMNS = `w.external_user_id AS externalUserID, w.balance, w.credited, w.debited, w.refunded,
  w.pending, m.profile, coalesce(m.archived, 0) AS archived, ${COUNT_COLUMNS}`;
const COUNTS_JOIN = `LEFT JOIN rm_redemption_counts c
  ON c.tenant = w.tenant AND c.scope = 'member' AND c.scope_id = w.external_user_id`;

/**
 * A page of GET /v1/members, newest first: the members of a tenant (with a tier, of that tier) by
 * the position of their first event (rm_members.first_position), read through
 * rm_members_by_tenant or rm_members_by_tier and cut after the page. CROSS JOIN pins rm_members as
 * the outer loop: SQLite keeps no statistics here, and driven from rm_wallets the page would walk
 * every wallet of the tenant and sort them (wallet.queries.spec.ts checks the plan). Every member
 * row has its wallet row: both are written on the member's first event.
 */
export function memberListSql(byTier: boolean): string {
  return `SELECT m.first_position AS position, ${SUMMARY_COLUMNS}
    FROM rm_members m CROSS JOIN rm_wallets w
      ON w.tenant = m.tenant AND w.external_user_id = m.external_user_id
    ${COUNTS_JOIN}
    WHERE m.tenant = ?${byTier ? ' AND m.tier = ?' : ''} AND m.first_position < ?
    ORDER BY m.first_position DESC`;
}

/**
 * The one summary of a member, from its stored rows: GET /v1/members/{id} and each item of
 * GET /v1/members alike, with the command side's memberSummary (PUT /v1/members answers with it).
 */
function summaryOf(row: SummaryRecord): MemberSummaryView {
  const redemptionCounts = Object.fromEntries(
    REDEMPTION_STATUSES.map((s) => [s, (row[statusColumn(s)] as number | null) ?? 0]),
  ) as RedemptionCounts;
  return memberSummary({
    externalUserID: row.externalUserID,
    profile: profileOf(row),
    archived: row.archived === 1,
    wallet: toWalletView(row),
    redemptionCounts,
  });
}

/** The command side's own walletView over the stored totals: reads and writes answer alike. */
function toWalletView(row: WalletRecord): WalletView {
  const ledger = {
    balance: row.balance,
    credited: row.credited,
    debited: row.debited,
    refunded: row.refunded,
    refundable: 0,
  };
  return walletView({
    profile: null,
    ledger,
    redemptions: PersistentMap.empty(),
    nonCanceledByOffer: PersistentMap.empty(),
  });
}

@Injectable()
export class WalletQueries {
  private readonly walletRow: Database.Statement;
  private readonly summary: Database.Statement;
  private readonly transactions: LimitedStatements;
  private readonly memberPages: { all: LimitedStatements; byTier: LimitedStatements };

  constructor(@Inject(READ_MODEL_DB) readModels: ReadModelDb) {
    const db = readModels.db;
    // A wallet exists from its member's first event: then it has a ledger row, and maybe a profile.
    this.walletRow = db.prepare(
      `SELECT w.balance, w.credited, w.debited, w.refunded, w.pending, m.profile, coalesce(m.archived, 0) AS archived
       FROM rm_wallets w LEFT JOIN rm_members m ON m.tenant = w.tenant AND m.external_user_id = w.external_user_id
       WHERE w.tenant = ? AND w.external_user_id = ?`,
    );
    // One statement, so one snapshot, although the counts are another projection's.
    this.summary = db.prepare(
      `SELECT ${SUMMARY_COLUMNS}
       FROM rm_wallets w LEFT JOIN rm_members m ON m.tenant = w.tenant AND m.external_user_id = w.external_user_id
       ${COUNTS_JOIN}
       WHERE w.tenant = ? AND w.external_user_id = ?`,
    );
    this.memberPages = {
      all: new LimitedStatements(db, memberListSql(false)),
      byTier: new LimitedStatements(db, memberListSql(true)),
    };
    this.transactions = new LimitedStatements(
      db,
      `SELECT position, id, amount, created_at AS createdAt, reason, redemption_id AS redemptionID, type
       FROM rm_transactions WHERE tenant = ? AND external_user_id = ? AND position < ? ORDER BY position DESC`,
    );
  }

  /** A member without events has an empty wallet, as the command side sees it. */
  wallet(tenant: string, externalUserID: string): WalletView & { pending: number } {
    const row = (this.walletRow.get(tenant, externalUserID) as WalletRecord | undefined) ?? EMPTY;
    return { ...toWalletView(row), pending: row.pending };
  }

  eligibility(
    tenant: string,
    externalUserID: string,
  ): { tier: string; wallet: WalletView & { pending: number } } {
    const row = (this.walletRow.get(tenant, externalUserID) as WalletRecord | undefined) ?? EMPTY;
    return {
      tier: tierOf(profileOf(row)),
      wallet: { ...toWalletView(row), pending: row.pending },
    };
  }

  /** memberSummaryView's shape (PUT /v1/members answers with it); undefined when the member has no events. */
  member(tenant: string, externalUserID: string): MemberSummaryView | undefined {
    const row = this.summary.get(tenant, externalUserID) as SummaryRecord | undefined;
    return row && summaryOf(row);
  }

  /**
   * The tenant's members, newest first: every member `member` answers for (archived ones too),
   * each with the very summary it answers.
   */
  members(
    tenant: string,
    filter: MemberFilter,
    page: Page,
  ): { members: MemberSummaryView[]; nextCursor: string | null } {
    const { tier } = filter;
    const [statements, params] =
      tier === undefined
        ? [this.memberPages.all, [tenant, beforeParam(page)]]
        : [this.memberPages.byTier, [tenant, tier, beforeParam(page)]];
    const rows = statements.limit(page.limit + 1).all(...params) as Array<
      SummaryRecord & { position: number }
    >;
    const { rows: kept, nextCursor } = paged(rows, page);
    return { members: kept.map(summaryOf), nextCursor };
  }

  /** The points ledger, newest first. */
  transactionsOf(
    tenant: string,
    externalUserID: string,
    page: Page,
  ): { transactions: TransactionView[]; nextCursor: string | null } {
    const rows = this.transactions
      .limit(page.limit + 1)
      .all(tenant, externalUserID, beforeParam(page)) as Array<
      TransactionView & { position: number }
    >;
    const { rows: kept, nextCursor } = paged(rows, page);
    return { transactions: kept.map(({ position: _p, ...t }) => t), nextCursor };
  }
}
