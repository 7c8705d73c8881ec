import { DomainError } from '../../shared/domain/domain-error';
import type { Actor, RedemptionStatus } from './wallet.events';
import type { RedemptionEntry } from './wallet.state';

/** Seed 001. CANCELED is reached only through a cancel; COMPLETED and CANCELED are terminal. */
export const STATUS_MOVES: Readonly<Record<RedemptionStatus, readonly RedemptionStatus[]>> = {
  SUBMITTED: ['OPEN'],
  OPEN: ['AWAITING_VENDOR', 'AWAITING_CUSTOMER', 'PURCHASED'],
  AWAITING_VENDOR: ['AWAITING_CUSTOMER', 'OPEN', 'PURCHASED'],
  AWAITING_CUSTOMER: ['AWAITING_VENDOR', 'OPEN', 'PURCHASED'],
  PURCHASED: ['COMPLETED'],
  COMPLETED: [],
  CANCELED: [],
};

const MEMBER_CANCELABLE: readonly RedemptionStatus[] = [
  'SUBMITTED',
  'OPEN',
  'AWAITING_VENDOR',
  'AWAITING_CUSTOMER',
];

export function statusMoveError(from: RedemptionStatus, to: RedemptionStatus): DomainError | null {
  if (STATUS_MOVES[from].includes(to)) return null;
  const allowed = [...STATUS_MOVES[from]];
  const hint = to === 'CANCELED' ? '; cancel the redemption instead' : '';
  return new DomainError(
    'INVALID_STATUS_TRANSITION',
    `A redemption cannot move from ${from} to ${to}${hint}`,
    { from, to, allowed },
  );
}

/** The refusals of every command on a redemption: one it does not know, one canceled. */
export const redemptionNotFound = (id: string) =>
  new DomainError('NOT_FOUND', `Redemption ${id} not found`, { redemptionId: id });
export const alreadyCanceled = () =>
  new DomainError('REDEMPTION_ALREADY_CANCELED', 'The redemption is already canceled');

/** A redemption with nothing left unreversed: `why` says what that forbids. */
export const fullyReversed = (entry: RedemptionEntry, why: string) =>
  new DomainError('REDEMPTION_FULLY_REVERSED', why, { reversedPoints: entry.reversed.points });

/** A DELAYED redemption whose points are still on hold: nothing debited to reverse or complete. */
export const holdNotApplied = (entry: RedemptionEntry) =>
  new DomainError('HOLD_NOT_APPLIED', "The redemption's points are on hold: apply the hold first", {
    redemptionId: entry.created.redemptionId,
  });

export function cancelError(status: RedemptionStatus, actor: Actor | 'system'): DomainError | null {
  if (status === 'CANCELED') return alreadyCanceled();
  if (status === 'COMPLETED') {
    return new DomainError(
      'INVALID_STATUS_TRANSITION',
      'A COMPLETED redemption cannot be canceled',
      {
        from: status,
        to: 'CANCELED',
      },
    );
  }
  if (actor === 'member' && !MEMBER_CANCELABLE.includes(status)) {
    return new DomainError(
      'INVALID_STATUS_TRANSITION',
      `A ${status} redemption can no longer be canceled by the member; the organization must cancel it`,
      { from: status, to: 'CANCELED', actor },
    );
  }
  return null;
}
