import { Inject, Injectable } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { emailKey } from '../../ledger/wallet/member-aliases';
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

/** What GET /v1/members keeps; each given one must match, and none given lists every member. */
export interface MemberFilter {
  /** An emailKey (its ASCII letters in lower case), matched with the profiles' emails' keys. */
  email?: string;
  /** E.164: exact match. */
  phone?: string;
  /** Exact match. */
  posAccountId?: string;
  /** The tier the summaries show (`default` while unset): exact match. */
  tier?: string;
}

type MemberFilterName = keyof MemberFilter;

/**
 * The filters and their columns in rm_members, in the order they are preferred to lead the search:
 * an alias first (a handful of members share one at most), the tier last (many share it).
 */
const FILTER_COLUMNS: ReadonlyArray<[MemberFilterName, string]> = [
  ['email', 'email_key'],
  ['phone', 'phone'],
  ['posAccountId', 'pos_account_id'],
  ['tier', 'tier'],
];

/** The filters a query was given, in FILTER_COLUMNS's order, as its statement takes them. */
function filtersOf(filter: MemberFilter): MemberFilterName[] {
  return FILTER_COLUMNS.map(([name]) => name).filter((name) => filter[name] !== undefined);
}

/** A list query's filters as GET /v1/members reads them: the email folded, `?tier=` none. */
export function memberFilterOf(query: {
  email?: string;
  phone?: string;
  posAccountId?: string;
  tier?: string;
}): MemberFilter {
  return {
    email: query.email === undefined ? undefined : emailKey(query.email),
    phone: query.phone,
    posAccountId: query.posAccountId,
    tier: query.tier || undefined,
  };
}

/**
 * What selects the list's rows, as its cursors are bound to it (pageOf): the tenant and every
 * filter, so that a cursor of one filter is refused on another.
 */
export function memberListSelection(
  tenant: string,
  filter: MemberFilter,
): Array<string | undefined> {
  return [tenant, ...FILTER_COLUMNS.map(([name]) => filter[name])];
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
 * A page of GET /v1/members, newest first: the members of a tenant that match the filters named
 * (their values bound in FILTER_COLUMNS's order, after the tenant), by the position of their first
 * event (rm_members.first_position), cut after the page. The first filter leads the search through
 * its own index (rm_members_by_email, _by_phone, _by_pos_account_id, _by_tier; none:
 * rm_members_by_tenant); the others are checked on the rows it finds, their columns written
 * `+m.column` so that SQLite, which keeps no statistics here, cannot pick their index instead
 * (through rm_members_by_tier, an email of a gold member would walk every gold member). CROSS JOIN
 * pins rm_members as the outer loop: driven from rm_wallets the page would walk every wallet of the
 * tenant and sort them. wallet.queries.spec.ts checks the plans. Every member row has its wallet
 * row: both are written on the member's first event.
 */
export function memberListSql(named: readonly MemberFilterName[] = []): string {
  const columns = FILTER_COLUMNS.filter(([name]) => named.includes(name)).map(
    ([, column]) => column,
  );
  const terms = columns.map((column, i) => ` AND ${i === 0 ? '' : '+'}m.${column} = ?`);
  return `SELECT m.first_position AS position, ${SUMMARY_COLUMNS}
    FROM rm_members m CROSS JOIN rm_wallets w
      ON w.tenant = m.tenant AND w.external_user_id = m.external_user_id
    ${COUNTS_JOIN}
    WHERE m.tenant = ?${terms.join('')} AND m.first_position < ?
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
    pending: row.pending,
  };
  return walletView({
    profile: null,
    ledger,
    redemptions: PersistentMap.empty(),
    nonCanceledByOffer: PersistentMap.empty(),
    holds: PersistentMap.empty(),
  });
}

@Injectable()
export class WalletQueries {
  private readonly walletRow: Database.Statement;
  private readonly summary: Database.Statement;
  private readonly transactions: LimitedStatements;
  private readonly db: Database.Database;
  /** One statement per combination of filters given, by their names (at most 16). */
  private readonly memberPages = new Map<string, LimitedStatements>();

  constructor(@Inject(READ_MODEL_DB) readModels: ReadModelDb) {
    const db = readModels.db;
    this.db = db;
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
    this.transactions = new LimitedStatements(
      db,
      `SELECT position, id, amount, created_at AS createdAt, reason, redemption_id AS redemptionID, type
       FROM rm_transactions WHERE tenant = ? AND external_user_id = ? AND position < ? ORDER BY position DESC`,
    );
  }

  /** A member without events has an empty wallet, as the command side sees it. */
  wallet(tenant: string, externalUserID: string): WalletView {
    const row = (this.walletRow.get(tenant, externalUserID) as WalletRecord | undefined) ?? EMPTY;
    return toWalletView(row);
  }

  eligibility(tenant: string, externalUserID: string): { tier: string; wallet: WalletView } {
    const row = (this.walletRow.get(tenant, externalUserID) as WalletRecord | undefined) ?? EMPTY;
    return { tier: tierOf(profileOf(row)), wallet: toWalletView(row) };
  }

  /** memberSummaryView's shape (PUT /v1/members answers with it); undefined when the member has no events. */
  member(tenant: string, externalUserID: string): MemberSummaryView | undefined {
    const row = this.summary.get(tenant, externalUserID) as SummaryRecord | undefined;
    return row && summaryOf(row);
  }

  /**
   * The tenant's members, newest first: every member `member` answers for (archived ones too)
   * that matches every filter given, each with the very summary it answers.
   */
  members(
    tenant: string,
    filter: MemberFilter,
    page: Page,
  ): { members: MemberSummaryView[]; nextCursor: string | null } {
    const filters = filtersOf(filter);
    const key = filters.join(',');
    let statements = this.memberPages.get(key);
    if (!statements) {
      statements = new LimitedStatements(this.db, memberListSql(filters));
      this.memberPages.set(key, statements);
    }
    const params = [tenant, ...filters.map((name) => filter[name]), beforeParam(page)];
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
