import type { JsonObject, JsonValue } from '../event-store/event-store.port';
import type { AuditedEvent, Violation } from './audit-rules';
import { type AuditOptions, LedgerAudit } from './ledger-audit';

export const WALLET = 'wallet-sandbox.acme.m1';
export const MEMBER = 'm-1';
export const OFFER = 'offer-sandbox.acme.offer-1';
export const T0 = '2025-03-01T10:00:00.000Z';

/** An event as a decider returns it. */
export type Decided = { type: string; data: unknown };

/**
 * A log of recorded events written without any decider, so that a test can write what no command
 * would: each `append` is one append (consecutive revisions and positions, one metadata).
 */
export class Log {
  readonly events: AuditedEvent[] = [];
  private readonly revisions = new Map<string, bigint>();
  private requests = 0;

  /** Appends `events` to `stream` as one request; `metadata` overrides the request's. */
  append(stream: string, events: readonly Decided[], metadata: JsonObject = {}): this {
    const requestId = `req-${++this.requests}`;
    const member: JsonObject = stream.startsWith('wallet-') ? { externalUserID: MEMBER } : {};
    const shared: JsonObject = {
      schemaVersion: 1,
      occurredAt: T0,
      requestId,
      idempotencyKey: null,
      actor: 'org:acme',
      environment: 'sandbox',
      orgId: 'acme',
      correlationId: requestId,
      causationId: null,
      ...member,
      ...metadata,
    };
    for (const event of events) {
      const revision = this.revisions.get(stream) ?? 0n;
      this.revisions.set(stream, revision + 1n);
      this.push({ stream, revision, type: event.type, data: event.data, metadata: shared });
    }
    return this;
  }

  /** One event exactly as given, at the next position. */
  push(event: Omit<AuditedEvent, 'position' | 'data'> & { data: unknown }): this {
    this.events.push({
      ...event,
      data: event.data as JsonValue,
      position: BigInt(this.events.length + 1),
    });
    return this;
  }

  /** The position the next event gets. */
  get next(): bigint {
    return BigInt(this.events.length + 1);
  }
}

/** Every violation an audit of `events` reports, the end of the log's included. */
export function audited(
  events: readonly AuditedEvent[],
  options: AuditOptions = { positionsCountEvents: true },
): Violation[] {
  const audit = new LedgerAudit(options);
  return [...events.flatMap((event) => audit.audit(event)), ...audit.finish()];
}

/** Violations as rule, stream, revision and position, the message left out. */
export const placed = (violations: readonly Violation[]) =>
  violations.map(({ rule, stream, revision, position }) => ({ rule, stream, revision, position }));

export const credit = (amount: number): Decided => ({
  type: 'PointsCredited',
  data: { transactionId: `txn-${amount}`, amount, reason: null, creditedAt: T0 },
});

export const debit = (
  amount: number,
  redemptionId: string | null,
  reason = redemptionId === null ? 'member_archived' : 'redemption',
): Decided => ({
  type: 'PointsDebited',
  data: { transactionId: `txn-d-${amount}`, amount, reason, redemptionId, debitedAt: T0 },
});

export const refund = (amount: number, redemptionId: string): Decided => ({
  type: 'PointsRefunded',
  data: {
    transactionId: `txn-r-${amount}`,
    amount,
    reason: 'redemption_canceled',
    redemptionId,
    refundedAt: T0,
  },
});

export const reversedRefund = (amount: number, redemptionId: string): Decided => ({
  type: 'PointsRefunded',
  data: {
    transactionId: `txn-v-${amount}`,
    amount,
    reason: 'redemption_reversed',
    redemptionId,
    refundedAt: T0,
  },
});

/** A reversal of a FIXED redemption (no units, no amount) unless `part` names one. */
export const reversal = (
  redemptionId: string,
  reversedPoints: number,
  part: { units?: number; amount?: string } = {},
): Decided => ({
  type: 'RedemptionReversed',
  data: {
    redemptionId,
    units: part.units ?? null,
    amount: part.amount ?? null,
    reversedPoints,
    reason: null,
    reversedAt: T0,
  },
});

export const moved = (redemptionId: string, from: string, to: string): Decided => ({
  type: 'RedemptionStatusChanged',
  data: { redemptionId, from, to, startAt: null, endAt: null, changedAt: T0 },
});

export const canceled = (
  redemptionId: string,
  from: string,
  refundedPoints: number,
  canceledBy = 'org',
): Decided => ({
  type: 'RedemptionCanceled',
  data: { redemptionId, from, canceledBy, reason: null, refundedPoints, canceledAt: T0 },
});

export const archived = (retainBalance: boolean, forfeitedPoints: number): Decided => ({
  type: 'MemberArchived',
  data: { retainBalance, forfeitedPoints, archivedAt: T0 },
});

export const unarchived: Decided = { type: 'MemberUnarchived', data: { unarchivedAt: T0 } };

export const reserved = (redemptionId: string, units = 1): Decided => ({
  type: 'OfferStockReserved',
  data: { redemptionId, units, reservedAt: T0 },
});

export const released = (redemptionId: string, units = 1): Decided => ({
  type: 'OfferStockReleased',
  data: { redemptionId, units, releasedAt: T0 },
});
