import type { OfferSnapshot } from '../../catalog/offer/offer.snapshot';
import type { DomainEvent } from '../../shared/domain/decider';
import type { JsonObject } from '../../shared/domain/values';

export const REDEMPTION_STATUSES = [
  'SUBMITTED',
  'OPEN',
  'AWAITING_VENDOR',
  'AWAITING_CUSTOMER',
  'PURCHASED',
  'COMPLETED',
  'CANCELED',
] as const;
export type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number];

export type Actor = 'member' | 'org';

/** Most characters of a member's text profile fields, at the edge (dto-rules.ts) and in the decider. */
export const PROFILE_TEXT_LIMITS = { displayName: 200, tier: 64, posAccountId: 128 } as const;

export type ProfileFields = {
  displayName: string | null;
  tier: string | null;
  attributes: JsonObject;
  email: string | null;
  /** E.164, e.g. +14155552671. */
  phone: string | null;
  posAccountId: string | null;
};

/** The profile's fields, as the decider writes them and every fold reads them. */
export const PROFILE_FIELDS = [
  'displayName',
  'tier',
  'attributes',
  'email',
  'phone',
  'posAccountId',
] as const satisfies ReadonlyArray<keyof ProfileFields>;

/**
 * The profile fields `source` holds, and no other: a field an event carries that this version does
 * not know (events.md: a later release may add one) must not reach the profile.
 */
export function profileFieldsOf(source: Partial<ProfileFields>): Partial<ProfileFields> {
  const picked: Partial<ProfileFields> = {};
  for (const field of PROFILE_FIELDS)
    if (Object.hasOwn(source, field)) Object.assign(picked, { [field]: source[field] });
  return picked;
}

export type ShippingAddress = {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
};

export type RedemptionArtifact =
  { type: 'NONE' } | { type: 'COUPON'; couponCode: string } | { type: 'FULFILMENT' };

export type MemberRegistered = DomainEvent<
  'MemberRegistered',
  ProfileFields & { externalUserID: string; registeredAt: string }
>;
export type MemberProfileUpdated = DomainEvent<
  'MemberProfileUpdated',
  { changes: Partial<ProfileFields>; updatedAt: string }
>;
export type MemberArchived = DomainEvent<
  'MemberArchived',
  { retainBalance: boolean; forfeitedPoints: number; archivedAt: string }
>;
export type MemberUnarchived = DomainEvent<'MemberUnarchived', { unarchivedAt: string }>;

export type PointsCredited = DomainEvent<
  'PointsCredited',
  { transactionId: string; amount: number; reason: string | null; creditedAt: string }
>;
export type PointsDebited = DomainEvent<
  'PointsDebited',
  {
    transactionId: string;
    amount: number;
    reason: 'redemption' | 'member_archived';
    redemptionId: string | null;
    debitedAt: string;
  }
>;

/** Points a member archived without retaining its balance gives up: what it held, or a later refund. */
export const pointsForfeited = (
  transactionId: string,
  amount: number,
  at: string,
): PointsDebited => ({
  type: 'PointsDebited',
  data: { transactionId, amount, reason: 'member_archived', redemptionId: null, debitedAt: at },
});
export type PointsRefunded = DomainEvent<
  'PointsRefunded',
  {
    transactionId: string;
    amount: number;
    reason: 'redemption_canceled' | 'redemption_reversed';
    redemptionId: string;
    refundedAt: string;
  }
>;

export type RedemptionCreated = DomainEvent<
  'RedemptionCreated',
  {
    redemptionId: string;
    externalUserID: string;
    offer: OfferSnapshot;
    quantity: number;
    amount: string | null;
    pointsCost: number;
    description: string | null;
    shipping: ShippingAddress | null;
    artifact: RedemptionArtifact;
    /**
     * DELAYED (seed 003's delay_points_deduction): the points are held by the PointsHeld that
     * follows in the same append, and debited when the hold is applied. Absent on a redemption
     * debited at once, as on every redemption written before holds existed.
     */
    deduction?: 'DELAYED';
    createdAt: string;
  }
>;
export type RedemptionStatusChanged = DomainEvent<
  'RedemptionStatusChanged',
  {
    redemptionId: string;
    from: RedemptionStatus;
    to: RedemptionStatus;
    startAt: string | null;
    endAt: string | null;
    changedAt: string;
  }
>;
export type RedemptionCanceled = DomainEvent<
  'RedemptionCanceled',
  {
    redemptionId: string;
    from: RedemptionStatus;
    /** system: a hold that expired (PointsHoldReleased reason expired follows). */
    canceledBy: Actor | 'system';
    reason: string | null;
    refundedPoints: number;
    canceledAt: string;
  }
>;

export const REVERSAL_STATES = ['NONE', 'PARTIALLY_REVERSED', 'FULLY_REVERSED'] as const;
export type ReversalState = (typeof REVERSAL_STATES)[number];

/**
 * Part or all of a redemption given back (seed 002): `units` for a UNIT_BASED offer, `amount` (a
 * decimal string) for an AMOUNT_BASED one, neither for a FIXED one, which is reversed whole.
 * Followed in the same append by the PointsRefunded of `reversedPoints` when that is above 0.
 */
export type RedemptionReversed = DomainEvent<
  'RedemptionReversed',
  {
    redemptionId: string;
    units: number | null;
    amount: string | null;
    reversedPoints: number;
    reason: string | null;
    reversedAt: string;
  }
>;

/** Seed 004: how a FULFILMENT redemption was shipped. */
export type Fulfilment = {
  trackingNumber: string;
  carrier: string | null;
  trackingUrl: string | null;
  /** When this tracking was recorded: a correction records its own instant. */
  fulfilledAt: string;
};

/** A FULFILMENT redemption is shipped, or its tracking corrected (the latest event holds). */
export type RedemptionFulfilled = DomainEvent<
  'RedemptionFulfilled',
  Fulfilment & { redemptionId: string }
>;

/**
 * Points of a DELAYED redemption set aside: pending, not debited. Follows its RedemptionCreated in
 * the same append. `expiresAt` is a canonical instant (toISOString's form).
 */
export type PointsHeld = DomainEvent<
  'PointsHeld',
  { redemptionId: string; points: number; expiresAt: string; heldAt: string }
>;

/** A hold confirmed (an order or payment went through): its PointsDebited follows in the same append. */
export type PointsHoldApplied = DomainEvent<
  'PointsHoldApplied',
  { redemptionId: string; points: number; reference: string | null; appliedAt: string }
>;

export const HOLD_RELEASE_REASONS = ['released', 'canceled', 'expired'] as const;
export type HoldReleaseReason = (typeof HOLD_RELEASE_REASONS)[number];

/**
 * A hold given up, with nothing debited: after the RedemptionCanceled of its redemption, in the
 * same append. released: POST .../release; canceled: a cancel, or the member's archiving;
 * expired: its expiresAt passed.
 */
export type PointsHoldReleased = DomainEvent<
  'PointsHoldReleased',
  { redemptionId: string; points: number; reason: HoldReleaseReason; releasedAt: string }
>;

export type WalletEvent =
  | MemberRegistered
  | MemberProfileUpdated
  | MemberArchived
  | MemberUnarchived
  | PointsCredited
  | PointsDebited
  | PointsRefunded
  | RedemptionCreated
  | RedemptionStatusChanged
  | RedemptionCanceled
  | RedemptionReversed
  | RedemptionFulfilled
  | PointsHeld
  | PointsHoldApplied
  | PointsHoldReleased;
