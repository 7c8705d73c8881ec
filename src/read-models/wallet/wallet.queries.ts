import { Inject, Injectable } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { REDEMPTION_STATUSES } from '../../ledger/wallet/wallet.events';
import {
  DEFAULT_TIER,
  MemberSummaryView,
  memberSummary,
  RedemptionCounts,
  SummaryProfile,
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
  private readonly counts: Database.Statement;
  private readonly transactions: LimitedStatements;

  constructor(@Inject(READ_MODEL_DB) readModels: ReadModelDb) {
    const db = readModels.db;
    // A wallet exists from its member's first event: then it has a ledger row, and maybe a profile.
    this.walletRow = db.prepare(
      `SELECT w.balance, w.credited, w.debited, w.refunded, w.pending, m.profile, coalesce(m.archived, 0) AS archived
       FROM rm_wallets w LEFT JOIN rm_members m ON m.tenant = w.tenant AND m.external_user_id = w.external_user_id
       WHERE w.tenant = ? AND w.external_user_id = ?`,
    );
    this.counts = db.prepare(
      `SELECT ${REDEMPTION_STATUSES.map(statusColumn).join(', ')} FROM rm_redemption_counts
       WHERE tenant = ? AND scope = 'member' AND scope_id = ?`,
    );
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
      tier: profileOf(row)?.tier ?? DEFAULT_TIER,
      wallet: { ...toWalletView(row), pending: row.pending },
    };
  }

  /** memberSummaryView's shape (PUT /v1/members answers with it); undefined when the member has no events. */
  member(tenant: string, externalUserID: string): MemberSummaryView | undefined {
    const row = this.walletRow.get(tenant, externalUserID) as WalletRecord | undefined;
    if (!row) return undefined;
    const stored = this.counts.get(tenant, externalUserID) as Record<string, number> | undefined;
    const redemptionCounts = Object.fromEntries(
      REDEMPTION_STATUSES.map((s) => [s, stored?.[statusColumn(s)] ?? 0]),
    ) as RedemptionCounts;
    return memberSummary({
      externalUserID,
      profile: profileOf(row),
      archived: row.archived === 1,
      wallet: toWalletView(row),
      redemptionCounts,
    });
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
