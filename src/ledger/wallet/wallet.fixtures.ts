import type { OfferSnapshot } from '../../catalog/offer/offer.snapshot';
import type { ReverseRedemption, WalletCommand } from './wallet.commands';
import type { MemberRegistered, RedemptionStatus, WalletEvent } from './wallet.events';

export const T0 = '2025-03-01T10:00:00.000Z';

export function at(minutes: number): string {
  return new Date(Date.parse(T0) + minutes * 60_000).toISOString();
}

export function offer(overrides: Partial<OfferSnapshot> = {}): OfferSnapshot {
  return {
    id: 'offer-1',
    title: 'Sunset kayak tour',
    description: null,
    shortDescription: null,
    images: [],
    kind: 'EXPERIENCE',
    type: 'OUTDOOR',
    priceModel: 'FIXED',
    pointsPrice: 100,
    unitCost: null,
    minAmount: null,
    maxAmount: null,
    pointsPerAmountUnit: null,
    status: 'ACTIVE',
    availableFrom: null,
    expiresAt: null,
    maxTotal: null,
    maxPerMember: 1,
    remainingStock: null,
    artifact: 'NONE',
    ...overrides,
  };
}

export const credited = (amount: number, transactionId = `tx-credit-${amount}`): WalletEvent => ({
  type: 'PointsCredited',
  data: { transactionId, amount, reason: null, creditedAt: T0 },
});

/** A redemption of `snapshot` at its fixed price, as CreateRedemption records it. */
export function redeemed(redemptionId: string, snapshot: OfferSnapshot = offer()): WalletEvent[] {
  const pointsCost = snapshot.pointsPrice ?? 0;
  const created: WalletEvent = {
    type: 'RedemptionCreated',
    data: {
      redemptionId,
      externalUserID: 'm-1',
      offer: snapshot,
      quantity: 1,
      amount: null,
      pointsCost,
      description: null,
      shipping: null,
      artifact: { type: 'NONE' },
      createdAt: T0,
    },
  };
  if (pointsCost === 0) return [created];
  return [
    created,
    {
      type: 'PointsDebited',
      data: {
        transactionId: `tx-${redemptionId}`,
        amount: pointsCost,
        reason: 'redemption',
        redemptionId,
        debitedAt: T0,
      },
    },
  ];
}

const PATH: RedemptionStatus[] = ['SUBMITTED', 'OPEN', 'AWAITING_VENDOR', 'PURCHASED', 'COMPLETED'];

/** Status moves that take a fresh redemption along SUBMITTED -> OPEN -> ... to `status`. */
export function movedTo(redemptionId: string, status: RedemptionStatus): WalletEvent[] {
  const path =
    status === 'AWAITING_CUSTOMER'
      ? ['SUBMITTED', 'OPEN', 'AWAITING_CUSTOMER']
      : PATH.slice(0, PATH.indexOf(status) + 1);
  return path.slice(1).map((to, i) => ({
    type: 'RedemptionStatusChanged',
    data: {
      redemptionId,
      from: path[i] as RedemptionStatus,
      to: to as RedemptionStatus,
      startAt: null,
      endAt: null,
      changedAt: T0,
    },
  }));
}

export const registered = (externalUserID = 'member-1'): MemberRegistered => ({
  type: 'MemberRegistered',
  data: {
    externalUserID,
    displayName: 'Ada',
    tier: 'gold',
    attributes: {},
    email: null,
    phone: null,
    posAccountId: null,
    registeredAt: T0,
  },
});

export const cancel = (actor: 'member' | 'org', redemptionId = 'r-1'): WalletCommand => ({
  type: 'CancelRedemption',
  data: {
    redemptionId,
    transactionId: 'tx-refund',
    forfeitTransactionId: 'tx-forfeit',
    actor,
    reason: 'changed plans',
    now: T0,
  },
});

/** The org gives back `part` of redemption r-1 (all that remains when left out). */
export const reverse = (
  part: { units?: number | null; amount?: string | null } = {},
): ReverseRedemption => ({
  type: 'ReverseRedemption',
  data: {
    redemptionId: 'r-1',
    transactionId: 'tx-reverse',
    forfeitTransactionId: 'tx-forfeit',
    reason: 'returned',
    actor: 'org',
    now: T0,
    ...part,
  },
});
