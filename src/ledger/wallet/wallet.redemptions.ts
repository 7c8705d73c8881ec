import { priceRedemption } from '../../catalog/offer/offer.pricing';
import { fewerUnitsRemain, offerUnavailability } from '../../catalog/offer/offer.snapshot';
import { DomainError, isDomainError, validationFailed } from '../../shared/domain/domain-error';
import {
  compareInstants,
  isIsoInstant,
  isNonEmptyString,
  isPlainObject,
  MAX_TEXT_LENGTH,
  optionalText,
} from '../../shared/domain/values';
import type { CancelRedemption, ChangeRedemptionStatus, CreateRedemption } from './wallet.commands';
import {
  pointsForfeited,
  REDEMPTION_STATUSES,
  RedemptionCreated,
  WalletEvent,
} from './wallet.events';
import { commandBasics, redemptionExtras } from './wallet.inputs';
import {
  cancelError,
  holdNotApplied,
  redemptionNotFound,
  statusMoveError,
} from './wallet.lifecycle';
import { holdExpiry, releaseEvents } from './wallet.holds';
import { lifetimePoints, walletOf, WalletState } from './wallet.state';

type Decision = WalletEvent[] | DomainError;

const archived = () => new DomainError('MEMBER_ARCHIVED', 'The member is archived');

export function createRedemption({ data: d }: CreateRedemption, state: WalletState): Decision {
  const basics = commandBasics(d.now, {
    redemptionId: d.redemptionId,
    transactionId: d.transactionId,
  });
  if (basics) return basics;
  if (!isPlainObject(d.offer) || !isNonEmptyString(d.offer.id, 200)) {
    return validationFailed('offer is required');
  }
  if (!optionalText(d.description)) {
    return validationFailed(
      `description must be 1-${MAX_TEXT_LENGTH} characters, not all blank, or null`,
      {
        field: 'description',
      },
    );
  }
  if (state.status === 'archived') return archived();
  const wallet = walletOf(state);
  if (wallet.redemptions.has(d.redemptionId)) {
    return new DomainError('CONFLICT', `Redemption ${d.redemptionId} already exists`, {
      redemptionId: d.redemptionId,
    });
  }
  const { offer } = d;
  const unavailable = offerUnavailability(offer, d.now);
  if (unavailable) return unavailable;
  const price = priceRedemption(offer, { quantity: d.quantity, amount: d.amount });
  if (isDomainError(price)) return price;
  if (offer.remainingStock !== null && price.units > offer.remainingStock) {
    return new DomainError('OFFER_UNAVAILABLE', fewerUnitsRemain(offer.remainingStock, offer.id), {
      offerId: offer.id,
      reason: 'OUT_OF_STOCK',
      remainingStock: offer.remainingStock,
      requested: price.units,
    });
  }
  const extras = redemptionExtras(d);
  if (isDomainError(extras)) return extras;
  const delayed = d.delayPointsDeduction ?? false;
  if (typeof delayed !== 'boolean')
    return validationFailed('delayPointsDeduction must be a boolean', {
      field: 'delayPointsDeduction',
    });
  if (!delayed && d.holdExpiresAt != null)
    return validationFailed('holdExpiresAt applies only with delayPointsDeduction true', {
      field: 'holdExpiresAt',
    });
  const expiresAt = delayed ? holdExpiry(d) : null;
  if (isDomainError(expiresAt)) return expiresAt;
  const held = wallet.nonCanceledByOffer.get(offer.id) ?? 0;
  if (offer.maxPerMember !== null && held >= offer.maxPerMember) {
    return new DomainError(
      'REDEMPTION_ALREADY_EXISTS',
      `The member already holds ${held} redemption(s) of offer ${offer.id}, the most allowed`,
      { offerId: offer.id, maxPerMember: offer.maxPerMember },
    );
  }
  const { balance, pending } = wallet.ledger;
  const available = balance - pending;
  if (available < price.pointsCost) {
    return new DomainError(
      'INSUFFICIENT_POINTS',
      pending === 0
        ? `The balance of ${balance} points is below the ${price.pointsCost} required`
        : `The ${available} points available (a balance of ${balance}, ${pending} on hold) are below the ${price.pointsCost} required`,
      pending === 0
        ? { balance, required: price.pointsCost }
        : { balance, pending, available, required: price.pointsCost },
    );
  }
  const headroom = Number.MAX_SAFE_INTEGER - lifetimePoints(wallet.ledger);
  if (price.pointsCost > headroom) {
    return validationFailed(
      `Redeeming ${price.pointsCost} points would take the wallet's lifetime points past ${Number.MAX_SAFE_INTEGER}`,
      { field: 'offer', maxCost: headroom },
    );
  }
  const created: RedemptionCreated = {
    type: 'RedemptionCreated',
    data: {
      redemptionId: d.redemptionId,
      externalUserID: d.externalUserID,
      offer: { ...offer, images: [...offer.images] },
      quantity: price.quantity,
      amount: price.amount,
      pointsCost: price.pointsCost,
      description: d.description ?? null,
      shipping: extras.shipping,
      artifact: extras.artifact,
      ...(expiresAt === null ? {} : { deduction: 'DELAYED' as const }),
      createdAt: d.now,
    },
  };
  if (expiresAt !== null) {
    const { redemptionId, now: heldAt } = d;
    const points = price.pointsCost;
    return [created, { type: 'PointsHeld', data: { redemptionId, points, expiresAt, heldAt } }];
  }
  if (price.pointsCost === 0) return [created];
  return [
    created,
    {
      type: 'PointsDebited',
      data: {
        transactionId: d.transactionId,
        amount: price.pointsCost,
        reason: 'redemption',
        redemptionId: d.redemptionId,
        debitedAt: d.now,
      },
    },
  ];
}

export function changeRedemptionStatus(
  { data: d }: ChangeRedemptionStatus,
  state: WalletState,
): Decision {
  const basics = commandBasics(d.now, { redemptionId: d.redemptionId });
  if (basics) return basics;
  if (!REDEMPTION_STATUSES.includes(d.status)) {
    return validationFailed(`status must be one of ${REDEMPTION_STATUSES.join(', ')}`, {
      field: 'status',
    });
  }
  if (d.actor !== 'org') {
    return validationFailed('Only the organization moves a redemption through its lifecycle');
  }
  for (const field of ['startAt', 'endAt'] as const) {
    const value = d[field];
    if (value !== undefined && value !== null && !isIsoInstant(value)) {
      return validationFailed(`${field} must be an ISO-8601 instant or null`, { field });
    }
  }
  const entry = walletOf(state).redemptions.get(d.redemptionId);
  if (entry === undefined) return redemptionNotFound(d.redemptionId);
  const moveError = statusMoveError(entry.status, d.status);
  if (moveError) return moveError;
  if (d.status === 'COMPLETED' && entry.hold?.state === 'HELD') return holdNotApplied(entry);
  const startAt = d.startAt === undefined ? entry.startAt : d.startAt;
  const endAt = d.endAt === undefined ? entry.endAt : d.endAt;
  if (startAt !== null && endAt !== null && compareInstants(endAt, startAt) < 0) {
    return validationFailed('endAt must not be before startAt', { field: 'endAt' });
  }
  return [
    {
      type: 'RedemptionStatusChanged',
      data: {
        redemptionId: d.redemptionId,
        from: entry.status,
        to: d.status,
        startAt,
        endAt,
        changedAt: d.now,
      },
    },
  ];
}

export function cancelRedemption({ data: d }: CancelRedemption, state: WalletState): Decision {
  const basics = commandBasics(d.now, {
    redemptionId: d.redemptionId,
    transactionId: d.transactionId,
    forfeitTransactionId: d.forfeitTransactionId,
  });
  if (basics) return basics;
  if (d.actor !== 'member' && d.actor !== 'org') {
    return validationFailed('actor must be member or org');
  }
  if (!optionalText(d.reason)) {
    return validationFailed(
      `reason must be 1-${MAX_TEXT_LENGTH} characters, not all blank, or null`,
      { field: 'reason' },
    );
  }
  if (state.status === 'archived' && d.actor === 'member') return archived();
  const entry = walletOf(state).redemptions.get(d.redemptionId);
  if (entry === undefined) return redemptionNotFound(d.redemptionId);
  const refusal = cancelError(entry.status, d.actor);
  if (refusal) return refusal;
  if (entry.hold?.state === 'HELD') {
    const release = { by: d.actor, reason: d.reason ?? null, why: 'canceled' as const, now: d.now };
    return releaseEvents(entry, release);
  }
  const refundedPoints = entry.pointsDebited - entry.pointsRefunded;
  const canceled: WalletEvent = {
    type: 'RedemptionCanceled',
    data: {
      redemptionId: d.redemptionId,
      from: entry.status,
      canceledBy: d.actor,
      reason: d.reason ?? null,
      refundedPoints,
      canceledAt: d.now,
    },
  };
  if (refundedPoints === 0) return [canceled];
  const refunded: WalletEvent = {
    type: 'PointsRefunded',
    data: {
      transactionId: d.transactionId,
      amount: refundedPoints,
      reason: 'redemption_canceled',
      redemptionId: d.redemptionId,
      refundedAt: d.now,
    },
  };
  // A member archived with its balance forfeited holds no points: the refund is forfeited too.
  if (state.status !== 'archived' || state.balanceRetained) return [canceled, refunded];
  return [canceled, refunded, pointsForfeited(d.forfeitTransactionId, refundedPoints, d.now)];
}
