import { DomainError, validationFailed } from '../../shared/domain/domain-error';
import { hasControlCharacters } from '../../shared/domain/control-characters';
import {
  DAY_MS,
  instantCeilMs,
  instantMs,
  isIsoInstant,
  isNonEmptyString,
  MAX_TEXT_LENGTH,
  optionalText,
} from '../../shared/domain/values';
import type { ApplyHold, CreateRedemption, ReleaseHold } from './wallet.commands';
import type { HoldReleaseReason, RedemptionCanceled, WalletEvent } from './wallet.events';
import { commandBasics } from './wallet.inputs';
import { redemptionNotFound } from './wallet.lifecycle';
import {
  lifetimePoints,
  walletOf,
  type Hold,
  type RedemptionEntry,
  type WalletState,
} from './wallet.state';

/** Seed 003's delayed deduction: how long a hold lasts unless told, and at most. */
export const HOLD_LIMITS = {
  defaultMs: DAY_MS,
  maxMs: 30 * DAY_MS,
  /** Most characters of an apply's reference (an order or payment id), at the edge and here. */
  reference: 200,
} as const;

type Decision = WalletEvent[] | DomainError;

/**
 * When a new hold expires, as its PointsHeld records it (toISOString's form, rounded up to the
 * millisecond, so never before what was asked): `holdExpiresAt`, or now + 24 h.
 */
export function holdExpiry(d: CreateRedemption['data']): string | DomainError {
  const nowMs = instantMs(d.now);
  if (d.holdExpiresAt == null) return new Date(nowMs + HOLD_LIMITS.defaultMs).toISOString();
  const field = { field: 'holdExpiresAt' };
  if (!isIsoInstant(d.holdExpiresAt))
    return validationFailed('holdExpiresAt must be an ISO-8601 instant with a zone', field);
  const ms = instantCeilMs(d.holdExpiresAt);
  if (ms <= nowMs) return validationFailed('holdExpiresAt must be in the future', field);
  if (ms > nowMs + HOLD_LIMITS.maxMs)
    return validationFailed('holdExpiresAt must be at most 30 days ahead', field);
  return new Date(ms).toISOString();
}

/** The refusal of a command that needs a HELD hold, given the hold it found. */
export function holdRefusal(id: string, hold: Hold | null): DomainError | null {
  const details = { redemptionId: id };
  if (hold === null)
    return new DomainError(
      'REDEMPTION_NOT_HELD',
      'The redemption was debited at once: it holds no points',
      details,
    );
  switch (hold.state) {
    case 'HELD':
      return null;
    case 'APPLIED':
      return new DomainError('HOLD_ALREADY_APPLIED', 'The hold was already applied', details);
    case 'RELEASED':
      return new DomainError('HOLD_RELEASED', 'The hold was released', details);
    case 'EXPIRED':
      return new DomainError('HOLD_EXPIRED', 'The hold expired', {
        ...details,
        expiresAt: hold.expiresAt,
      });
  }
}

/** The hold is past its expiresAt at `now`. */
export const holdExpired = (expiresAt: string, now: string) =>
  instantMs(now) >= instantMs(expiresAt);

/** A HELD redemption canceled and its hold released, nothing debited: one append. */
export function releaseEvents(
  entry: RedemptionEntry,
  release: {
    by: RedemptionCanceled['data']['canceledBy'];
    reason: string | null;
    why: HoldReleaseReason;
    now: string;
  },
): WalletEvent[] {
  const redemptionId = entry.created.redemptionId;
  return [
    {
      type: 'RedemptionCanceled',
      data: {
        redemptionId,
        from: entry.status,
        canceledBy: release.by,
        reason: release.reason,
        refundedPoints: 0,
        canceledAt: release.now,
      },
    },
    {
      type: 'PointsHoldReleased',
      data: {
        redemptionId,
        points: entry.hold?.points ?? 0,
        reason: release.why,
        releasedAt: release.now,
      },
    },
  ];
}

/**
 * The releases of every hold past its expiresAt at `now`, oldest redemption first. O(1) on a
 * wallet without holds; otherwise a look at the active holds only.
 */
export function expiredHolds(state: WalletState, now: string): WalletEvent[] {
  if (state.status === 'empty' || state.holds.size === 0 || !isIsoInstant(now)) return [];
  const events: WalletEvent[] = [];
  const expired = [...state.holds.values()]
    .filter((h) => holdExpired(h.expiresAt, now))
    .sort((a, b) => instantMs(a.expiresAt) - instantMs(b.expiresAt));
  for (const { redemptionId } of expired) {
    const entry = state.redemptions.get(redemptionId);
    if (entry === undefined) continue;
    events.push(
      ...releaseEvents(entry, { by: 'system', reason: 'hold expired', why: 'expired', now }),
    );
  }
  return events;
}

/** The holds still HELD, released because the member is archived (a cancel, by the org). */
export function holdsReleasedOnArchive(state: WalletState, now: string): WalletEvent[] {
  if (state.status === 'empty' || state.holds.size === 0) return [];
  const events: WalletEvent[] = [];
  for (const { redemptionId } of state.holds.values()) {
    const entry = state.redemptions.get(redemptionId);
    if (entry === undefined) continue;
    events.push(
      ...releaseEvents(entry, { by: 'org', reason: 'member archived', why: 'canceled', now }),
    );
  }
  return events;
}

const reasonError = () =>
  validationFailed(`reason must be 1-${MAX_TEXT_LENGTH} characters, not all blank, or null`, {
    field: 'reason',
  });

/** A HELD hold confirmed: PointsHoldApplied, and its PointsDebited, in one append. */
export function applyHold({ data: d }: ApplyHold, state: WalletState): Decision {
  const basics = commandBasics(d.now, {
    redemptionId: d.redemptionId,
    transactionId: d.transactionId,
  });
  if (basics) return basics;
  if (d.actor !== 'org') return validationFailed('Only the organization applies a hold');
  const reference = d.reference ?? null;
  if (
    reference !== null &&
    (!isNonEmptyString(reference, HOLD_LIMITS.reference) || hasControlCharacters(reference))
  )
    return validationFailed(
      `reference must be 1-${HOLD_LIMITS.reference} characters on one line, not all blank, or null`,
      { field: 'reference' },
    );
  const wallet = walletOf(state);
  const entry = wallet.redemptions.get(d.redemptionId);
  if (entry === undefined) return redemptionNotFound(d.redemptionId);
  const refused = holdRefusal(d.redemptionId, entry.hold);
  if (refused) return refused;
  const { points } = entry.hold as Hold;
  if (points > Number.MAX_SAFE_INTEGER - lifetimePoints(wallet.ledger))
    return validationFailed(
      `Debiting ${points} points would take the wallet's lifetime points past ${Number.MAX_SAFE_INTEGER}`,
    );
  const applied: WalletEvent = {
    type: 'PointsHoldApplied',
    data: { redemptionId: d.redemptionId, points, reference, appliedAt: d.now },
  };
  if (points === 0) return [applied];
  return [
    applied,
    {
      type: 'PointsDebited',
      data: {
        transactionId: d.transactionId,
        amount: points,
        reason: 'redemption',
        redemptionId: d.redemptionId,
        debitedAt: d.now,
      },
    },
  ];
}

/** A HELD hold given up: its redemption canceled (stock and maxPerMember freed), nothing debited. */
export function releaseHold({ data: d }: ReleaseHold, state: WalletState): Decision {
  const basics = commandBasics(d.now, { redemptionId: d.redemptionId });
  if (basics) return basics;
  if (d.actor !== 'org') return validationFailed('Only the organization releases a hold');
  if (!optionalText(d.reason)) return reasonError();
  const entry = walletOf(state).redemptions.get(d.redemptionId);
  if (entry === undefined) return redemptionNotFound(d.redemptionId);
  const refused = holdRefusal(d.redemptionId, entry.hold);
  if (refused) return refused;
  return releaseEvents(entry, { by: 'org', reason: d.reason ?? null, why: 'released', now: d.now });
}
