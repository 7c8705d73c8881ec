import type Database from 'better-sqlite3';
import type { ProjectedEvent, Projection } from '../engine/projection';
import { unhandled } from '../engine/projection';
import { int, record, str, strOrNull } from '../engine/fields';
import { Appends } from '../engine/appends';
import type { WriteSetBuilder } from '../engine/write-set';
import { TRANSACTIONS } from '../names';

/** Transaction types of the points ledger; DEBIT amounts are negative. */
export const TRANSACTION_TYPES = ['CREDIT', 'DEBIT', 'REFUND'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/**
 * rm_transactions: the points ledger, one row per credit, debit and refund, keyed by the position
 * of its event (which is also the order and the cursor). Inserts only, nothing cached.
 */
export class TransactionsProjection implements Projection {
  readonly name = TRANSACTIONS;
  readonly categories = ['wallet'];
  private readonly rows: Appends;

  constructor(_db: Database.Database) {
    this.rows = new Appends(
      `INSERT INTO rm_transactions (position, tenant, external_user_id, id, type, amount, reason, redemption_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      9,
    );
  }

  apply(event: ProjectedEvent): void {
    const data = record(event.data);
    switch (event.type) {
      case 'PointsCredited':
        return this.entry(
          event,
          'CREDIT',
          int(data, 'amount'),
          strOrNull(data, 'reason'),
          null,
          str(data, 'creditedAt'),
        );
      case 'PointsDebited':
        return this.entry(
          event,
          'DEBIT',
          -int(data, 'amount'),
          strOrNull(data, 'reason'),
          strOrNull(data, 'redemptionId'),
          str(data, 'debitedAt'),
        );
      case 'PointsRefunded':
        return this.entry(
          event,
          'REFUND',
          int(data, 'amount'),
          strOrNull(data, 'reason'),
          strOrNull(data, 'redemptionId'),
          str(data, 'refundedAt'),
        );
      case 'MemberRegistered':
      case 'MemberProfileUpdated':
      case 'MemberArchived':
      case 'MemberUnarchived':
      case 'RedemptionCreated':
      case 'RedemptionStatusChanged':
      case 'RedemptionCanceled':
      case 'RedemptionReversed':
      case 'RedemptionFulfilled':
      case 'PointsHeld':
      case 'PointsHoldApplied':
      case 'PointsHoldReleased':
        return; // moves no points
      default:
        unhandled(this.name, event);
    }
  }

  write(out: WriteSetBuilder): void {
    this.rows.write(out);
  }

  pending(): number {
    return this.rows.pending;
  }

  trim(): void {}

  reset(): void {
    this.rows.reset();
  }

  private entry(
    event: ProjectedEvent,
    type: TransactionType,
    amount: number,
    reason: string | null,
    redemptionId: string | null,
    createdAt: string,
  ): void {
    const id = str(record(event.data), 'transactionId');
    this.rows.row.push(
      event.position,
      event.tenant,
      event.externalUserID,
      id,
      type,
      amount,
      reason,
      redemptionId,
      createdAt,
    );
  }
}

export const transactionsProjection = (db: Database.Database) => new TransactionsProjection(db);
