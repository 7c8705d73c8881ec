import type { RecordedEvent } from '../event-store/event-store.port';

/**
 * Every rule `ledger audit` checks, by the stable name it prints (docs/audit.md says what each
 * means and what to do about it). The order is the order of the summary.
 */
export const AUDIT_RULES = [
  'unreadable-event',
  'revision-gap',
  'position-gap',
  'tenant-mismatch',
  'member-mismatch',
  'negative-balance',
  'balance-mismatch',
  'unsafe-integer',
  'debit-not-atomic',
  'debit-mismatch',
  'refund-not-atomic',
  'refund-mismatch',
  'reversal-mismatch',
  'forfeit-mismatch',
  'archived-member',
  'redemption-repeated',
  'unknown-redemption',
  'illegal-transition',
  'canceled-twice',
  'fulfilment-mismatch',
  'hold-mismatch',
  'negative-pending',
  'overspent-hold',
  'per-member-limit',
  'offer-lifecycle',
  'reservation-mismatch',
  'stock-exceeded',
] as const;

export type AuditRule = (typeof AUDIT_RULES)[number];

/** What the audit reads of an event: its envelope without its id and created time. */
export type AuditedEvent = Pick<
  RecordedEvent,
  'stream' | 'type' | 'data' | 'metadata' | 'revision' | 'position' | 'unreadable'
>;

/** A rule an event breaks, and a sentence that says how. */
export interface Finding {
  readonly rule: AuditRule;
  readonly message: string;
}

/** A finding at the event that breaks the rule. */
export interface Violation extends Finding {
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
}

/**
 * The second half of an append that an event asks for (a redemption's debit, a cancel's refund, an
 * archive's forfeit): the next event of `$all` must be it, or `finding` is reported at the event
 * that asked.
 */
export interface Follower {
  readonly finding: Finding;
  readonly matches: (next: AuditedEvent) => boolean;
}

export const violationAt = (event: AuditedEvent, finding: Finding): Violation => ({
  ...finding,
  stream: event.stream,
  revision: event.revision,
  position: event.position,
});

/**
 * Whether `event` is the event right after `previous` in the same append: the next revision of
 * the same stream, read right after it from `$all`, written for the same request (every event of
 * one decision carries the same metadata, events.md).
 */
export function sameStreamNext(previous: AuditedEvent | null, event: AuditedEvent): boolean {
  return (
    previous !== null &&
    previous.stream === event.stream &&
    previous.revision + 1n === event.revision
  );
}

/** A value as a sentence quotes it. */
export const quoted = (value: unknown): string => JSON.stringify(value) ?? 'nothing';
