import { offerSnapshotProblem } from '../../catalog/offer/offer.shape';
import {
  bool,
  eventProblem,
  EventRules,
  type FieldRule,
  fields,
  fieldsProblem,
  integerFrom,
  object,
  objectOrNull,
  oneOf,
  optional,
  text,
  textOrNull,
} from '../../shared/domain/event-shape';
import { parseDecimal } from '../../catalog/offer/offer.pricing';
import { HOLD_RELEASE_REASONS, REDEMPTION_STATUSES, type WalletEvent } from './wallet.events';
import { isIsoInstant } from '../../shared/domain/values';

/** The fold compares it with the clock: a malformed one would never expire. */
const instant: FieldRule = { ok: isIsoInstant, expected: 'an ISO-8601 instant' };

const amount = integerFrom(1);
const unitsOrNull: FieldRule = {
  ok: (v) => v === null || (Number.isSafeInteger(v) && (v as number) >= 1),
  expected: 'an integer of at least 1, or null',
};
/** The fold sums reversed amounts: "abc" would read as 0. */
const decimalOrNull: FieldRule = {
  ok: (v) => v === null || parseDecimal(v) !== null,
  expected: 'a decimal string or null',
};

/** A profile field left out reads as null (memberSummary), so an older event may lack one. */
const PROFILE_RULES = {
  displayName: optional(textOrNull),
  tier: optional(textOrNull),
  attributes: optional(object),
  email: optional(textOrNull),
  phone: optional(textOrNull),
  posAccountId: optional(textOrNull),
};

const ARTIFACT_TYPES = ['NONE', 'COUPON', 'FULFILMENT'];

function redemptionCreatedProblem(data: Record<string, unknown>): string | null {
  const problem = fieldsProblem(data, {
    redemptionId: text,
    externalUserID: text,
    offer: object,
    quantity: integerFrom(1),
    amount: textOrNull,
    pointsCost: integerFrom(0),
    description: textOrNull,
    shipping: objectOrNull,
    artifact: object,
    deduction: optional(oneOf(['DELAYED'])),
    createdAt: text,
  });
  if (problem !== null) return problem;
  const artifact = fieldsProblem(data.artifact as Record<string, unknown>, {
    type: oneOf(ARTIFACT_TYPES),
  });
  if (artifact !== null) return `artifact ${artifact}`;
  return offerSnapshotProblem(data.offer as Record<string, unknown>);
}

/** What evolveWallet reads of each wallet event, as the wallet decider writes it (events.md). */
const WALLET_EVENT_RULES = {
  MemberRegistered: fields({ externalUserID: text, ...PROFILE_RULES }),
  MemberProfileUpdated: (data) => {
    const problem = fieldsProblem(data, { changes: object });
    return problem ?? fieldsProblem(data.changes as Record<string, unknown>, PROFILE_RULES);
  },
  MemberArchived: fields({ retainBalance: bool }),
  MemberUnarchived: fields({}),
  PointsCredited: fields({ amount }),
  PointsDebited: fields({ amount, redemptionId: textOrNull }),
  PointsRefunded: fields({ amount, redemptionId: textOrNull }),
  RedemptionCreated: redemptionCreatedProblem,
  RedemptionStatusChanged: fields({
    redemptionId: text,
    to: oneOf(REDEMPTION_STATUSES),
    startAt: textOrNull,
    endAt: textOrNull,
    changedAt: text,
  }),
  RedemptionCanceled: fields({ redemptionId: text, canceledAt: text }),
  RedemptionReversed: fields({
    redemptionId: text,
    units: unitsOrNull,
    amount: decimalOrNull,
    reversedPoints: integerFrom(0),
    reversedAt: text,
  }),
  RedemptionFulfilled: fields({
    redemptionId: text,
    trackingNumber: text,
    carrier: textOrNull,
    trackingUrl: textOrNull,
    fulfilledAt: text,
  }),
  PointsHeld: fields({
    redemptionId: text,
    points: integerFrom(0),
    expiresAt: instant,
    heldAt: text,
  }),
  PointsHoldApplied: fields({
    redemptionId: text,
    points: integerFrom(0),
    reference: textOrNull,
    appliedAt: text,
  }),
  PointsHoldReleased: fields({
    redemptionId: text,
    points: integerFrom(0),
    reason: oneOf(HOLD_RELEASE_REASONS),
    releasedAt: text,
  }),
} satisfies Record<WalletEvent['type'], EventRules[string]>;

/** The event types this aggregate writes (docs/events.md). */
export const WALLET_EVENT_TYPES: readonly string[] = Object.keys(WALLET_EVENT_RULES);

/**
 * Why evolveWallet cannot fold `event`, or null: an event type it does not know (written by a
 * newer release, or by another tool), or data that breaks what it reads.
 */
export function walletEventProblem(event: { type: string; data: unknown }): string | null {
  return eventProblem('wallet', WALLET_EVENT_RULES, event);
}
