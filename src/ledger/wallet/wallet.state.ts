import { assertNever } from '../../shared/domain/decider';
import { PersistentMap } from '../../shared/domain/persistent-map';
import {
  type Fulfilment,
  type PointsHoldApplied,
  type PointsHoldReleased,
  profileFieldsOf,
  type ProfileFields,
  type RedemptionCreated,
  type RedemptionStatus,
  type WalletEvent,
} from './wallet.events';
import { addReversal, noneReversed, type Reversed } from './wallet.reversed';

export type MemberProfile = ProfileFields & { readonly externalUserID: string };

export type Ledger = {
  readonly balance: number;
  readonly credited: number;
  readonly debited: number;
  readonly refunded: number;
  /** Points debited by redemptions and not yet refunded: what cancels could still give back. */
  readonly refundable: number;
  /** Points on hold (DELAYED redemptions not yet applied or released): part of balance, not spendable. */
  readonly pending: number;
};

/** What a decision may spend: the balance less the points on hold. */
export const availablePoints = (ledger: Ledger): number => ledger.balance - ledger.pending;

/**
 * credited + refunded + refundable bounds every total and the balance; keeping it within
 * Number.MAX_SAFE_INTEGER keeps the ledger's sums exact.
 */
export function lifetimePoints(ledger: Ledger): number {
  return ledger.credited + ledger.refunded + ledger.refundable;
}

export const HOLD_STATES = ['HELD', 'APPLIED', 'RELEASED', 'EXPIRED'] as const;
export type HoldState = (typeof HOLD_STATES)[number];

/** The points of a DELAYED redemption: held, then applied (debited) or released. */
export type Hold = {
  readonly state: HoldState;
  readonly points: number;
  readonly expiresAt: string;
  readonly appliedAt: string | null;
  readonly releasedAt: string | null;
  /** The order or payment an apply named, if any. */
  readonly reference: string | null;
};

/** A hold still HELD, as the wallet keeps it to find the expired ones without a look at the rest. */
export type ActiveHold = {
  readonly redemptionId: string;
  readonly points: number;
  readonly expiresAt: string;
};

export type RedemptionEntry = {
  /** What the redemption was created with: the command side answers with it. */
  readonly created: RedemptionCreated['data'];
  readonly updatedAt: string;
  readonly canceledAt: string | null;
  readonly offerId: string;
  readonly status: RedemptionStatus;
  readonly pointsDebited: number;
  /** Refunds by cancels and reversals alike. */
  readonly pointsRefunded: number;
  /** What reversals gave back; a cancel is not a reversal. */
  readonly reversed: Reversed;
  /** FULFILMENT redemptions: the latest tracking, null until shipped. */
  readonly fulfilment: Fulfilment | null;
  /** DELAYED redemptions only, else null. */
  readonly hold: Hold | null;
  readonly startAt: string | null;
  readonly endAt: string | null;
};

export type Wallet = {
  /** null until the member's profile is first upserted: a credit can open a wallet. */
  readonly profile: MemberProfile | null;
  readonly ledger: Ledger;
  readonly redemptions: PersistentMap<RedemptionEntry>;
  readonly nonCanceledByOffer: PersistentMap<number>;
  /** The holds still HELD, by redemption id: empty on almost every wallet. */
  readonly holds: PersistentMap<ActiveHold>;
};

export type WalletState =
  | { readonly status: 'empty' }
  | ({ readonly status: 'active' } & Wallet)
  | ({ readonly status: 'archived'; readonly balanceRetained: boolean } & Wallet);

export const initialWalletState: WalletState = { status: 'empty' };

const EMPTY_WALLET: Wallet = {
  profile: null,
  ledger: { balance: 0, credited: 0, debited: 0, refunded: 0, refundable: 0, pending: 0 },
  redemptions: PersistentMap.empty(),
  nonCanceledByOffer: PersistentMap.empty(),
  holds: PersistentMap.empty(),
};

export function walletOf(state: WalletState): Wallet {
  if (state.status === 'empty') return EMPTY_WALLET;
  const { profile, ledger, redemptions, nonCanceledByOffer, holds } = state;
  return { profile, ledger, redemptions, nonCanceledByOffer, holds };
}

function withWallet(state: WalletState, wallet: Wallet): WalletState {
  return state.status === 'archived'
    ? { status: 'archived', balanceRetained: state.balanceRetained, ...wallet }
    : { status: 'active', ...wallet };
}

function updateRedemption(
  wallet: Wallet,
  id: string | null,
  update: (entry: RedemptionEntry) => RedemptionEntry,
): PersistentMap<RedemptionEntry> {
  const entry = id === null ? undefined : wallet.redemptions.get(id);
  if (id === null || entry === undefined) return wallet.redemptions;
  return wallet.redemptions.set(id, update(entry));
}

function countOffer(counts: PersistentMap<number>, offerId: string, delta: number) {
  return counts.set(offerId, (counts.get(offerId) ?? 0) + delta);
}

/** A HELD hold applied or released: no longer pending. Anything else changes nothing. */
function endHold(wallet: Wallet, event: PointsHoldApplied | PointsHoldReleased): Wallet {
  const { redemptionId, points } = event.data;
  const entry = wallet.redemptions.get(redemptionId);
  if (entry?.hold?.state !== 'HELD') return wallet;
  const hold: Hold =
    event.type === 'PointsHoldApplied'
      ? {
          ...entry.hold,
          state: 'APPLIED',
          appliedAt: event.data.appliedAt,
          reference: event.data.reference,
        }
      : {
          ...entry.hold,
          state: event.data.reason === 'expired' ? 'EXPIRED' : 'RELEASED',
          releasedAt: event.data.releasedAt,
        };
  const at = hold.appliedAt ?? hold.releasedAt ?? entry.updatedAt;
  return {
    ...wallet,
    ledger: { ...wallet.ledger, pending: wallet.ledger.pending - points },
    redemptions: wallet.redemptions.set(redemptionId, { ...entry, hold, updatedAt: at }),
    holds: wallet.holds.delete(redemptionId),
  };
}

export function evolveWallet(state: WalletState, event: WalletEvent): WalletState {
  const wallet = walletOf(state);
  const { ledger } = wallet;
  switch (event.type) {
    case 'MemberRegistered': {
      const { externalUserID } = event.data;
      const profile = { ...(profileFieldsOf(event.data) as ProfileFields), externalUserID };
      return withWallet(state, { ...wallet, profile });
    }
    case 'MemberProfileUpdated':
      if (wallet.profile === null) return state;
      return withWallet(state, {
        ...wallet,
        profile: { ...wallet.profile, ...profileFieldsOf(event.data.changes) },
      });
    case 'MemberArchived':
      return { status: 'archived', balanceRetained: event.data.retainBalance, ...wallet };
    case 'MemberUnarchived':
      return state.status === 'archived' ? { status: 'active', ...wallet } : state;
    case 'PointsCredited': {
      const { amount } = event.data;
      const next = {
        ...ledger,
        balance: ledger.balance + amount,
        credited: ledger.credited + amount,
      };
      return withWallet(state, { ...wallet, ledger: next });
    }
    case 'PointsDebited': {
      const { amount, redemptionId } = event.data;
      const next = {
        ...ledger,
        balance: ledger.balance - amount,
        debited: ledger.debited + amount,
        refundable: ledger.refundable + (redemptionId === null ? 0 : amount),
      };
      const redemptions = updateRedemption(wallet, redemptionId, (r) => ({
        ...r,
        pointsDebited: r.pointsDebited + amount,
      }));
      return withWallet(state, { ...wallet, ledger: next, redemptions });
    }
    case 'PointsRefunded': {
      const { amount, redemptionId } = event.data;
      const next = {
        ...ledger,
        balance: ledger.balance + amount,
        refunded: ledger.refunded + amount,
        refundable: ledger.refundable - amount,
      };
      const redemptions = updateRedemption(wallet, redemptionId, (r) => ({
        ...r,
        pointsRefunded: r.pointsRefunded + amount,
      }));
      return withWallet(state, { ...wallet, ledger: next, redemptions });
    }
    case 'RedemptionCreated': {
      const { redemptionId, offer } = event.data;
      if (wallet.redemptions.has(redemptionId)) return state;
      const entry: RedemptionEntry = {
        created: event.data,
        updatedAt: event.data.createdAt,
        canceledAt: null,
        offerId: offer.id,
        status: 'SUBMITTED',
        pointsDebited: 0,
        pointsRefunded: 0,
        reversed: noneReversed(event.data),
        fulfilment: null,
        hold: null,
        startAt: null,
        endAt: null,
      };
      return withWallet(state, {
        ...wallet,
        redemptions: wallet.redemptions.set(redemptionId, entry),
        nonCanceledByOffer: countOffer(wallet.nonCanceledByOffer, offer.id, 1),
      });
    }
    case 'RedemptionStatusChanged': {
      const { redemptionId, to, startAt, endAt, changedAt } = event.data;
      const redemptions = updateRedemption(wallet, redemptionId, (r) => ({
        ...r,
        updatedAt: changedAt,
        status: to,
        startAt,
        endAt,
      }));
      return withWallet(state, { ...wallet, redemptions });
    }
    case 'RedemptionCanceled': {
      const entry = wallet.redemptions.get(event.data.redemptionId);
      if (entry === undefined || entry.status === 'CANCELED') return state;
      return withWallet(state, {
        ...wallet,
        redemptions: wallet.redemptions.set(event.data.redemptionId, {
          ...entry,
          status: 'CANCELED',
          updatedAt: event.data.canceledAt,
          canceledAt: event.data.canceledAt,
        }),
        nonCanceledByOffer: countOffer(wallet.nonCanceledByOffer, entry.offerId, -1),
      });
    }
    case 'RedemptionReversed': {
      const { redemptionId, reversedAt } = event.data;
      // Only the totals and updatedAt move: stock and maxPerMember counts are a cancel's to free.
      const redemptions = updateRedemption(wallet, redemptionId, (r) => ({
        ...r,
        updatedAt: reversedAt,
        reversed: addReversal(r.reversed, r.created, event.data),
      }));
      return withWallet(state, { ...wallet, redemptions });
    }
    case 'RedemptionFulfilled': {
      const { redemptionId, trackingNumber, carrier, trackingUrl, fulfilledAt } = event.data;
      const redemptions = updateRedemption(wallet, redemptionId, (r) => ({
        ...r,
        updatedAt: fulfilledAt,
        fulfilment: { trackingNumber, carrier, trackingUrl, fulfilledAt },
      }));
      return withWallet(state, { ...wallet, redemptions });
    }
    case 'PointsHeld': {
      const { redemptionId, points, expiresAt } = event.data;
      const entry = wallet.redemptions.get(redemptionId);
      if (entry === undefined || entry.hold !== null) return state;
      const hold: Hold = {
        state: 'HELD',
        points,
        expiresAt,
        appliedAt: null,
        releasedAt: null,
        reference: null,
      };
      return withWallet(state, {
        ...wallet,
        ledger: { ...ledger, pending: ledger.pending + points },
        redemptions: wallet.redemptions.set(redemptionId, { ...entry, hold }),
        holds: wallet.holds.set(redemptionId, { redemptionId, points, expiresAt }),
      });
    }
    case 'PointsHoldApplied':
    case 'PointsHoldReleased':
      return withWallet(state, endHold(wallet, event));
    default:
      // Loads check events first (walletEventProblem): never a state of undefined.
      return assertNever(event);
  }
}
