import { REDEMPTION_STATUSES, RedemptionStatus } from './wallet.events';
import { Wallet, WalletState, walletOf } from './wallet.state';

export const CURRENCY = { name: 'Points', symbol: 'PTS' } as const;
/**
 * Stored in rm_members.tier, which GET /v1/members?tier= matches: changing it needs a read-model
 * migration, so that the read models are replayed with the new value.
 */
export const DEFAULT_TIER = 'default';

export interface WalletView {
  balance: number;
  amountReceived: number;
  amountSpent: number;
  currency: { name: string; symbol: string };
  refunded: number;
  /** Points on hold (DELAYED redemptions not yet applied or released): counted in balance. */
  pending: number;
  /** What a redemption may spend: balance - pending. */
  available: number;
}

/** Expys v1: amountReceived is what was credited, amountSpent what redemptions kept (debits less refunds). */
export function walletView(wallet: Wallet): WalletView {
  const { ledger } = wallet;
  return {
    balance: ledger.balance,
    amountReceived: ledger.credited,
    amountSpent: ledger.debited - ledger.refunded,
    currency: { ...CURRENCY },
    refunded: ledger.refunded,
    pending: ledger.pending,
    available: ledger.balance - ledger.pending,
  };
}

export type RedemptionCounts = Record<RedemptionStatus, number>;

export function redemptionCounts(wallet: Wallet): RedemptionCounts {
  const counts = Object.fromEntries(REDEMPTION_STATUSES.map((s) => [s, 0])) as RedemptionCounts;
  for (const entry of wallet.redemptions.values()) counts[entry.status]++;
  return counts;
}

export interface MemberSummaryView {
  externalUserID: string;
  displayName: string | null;
  tier: string;
  attributes: Record<string, unknown>;
  email: string | null;
  phone: string | null;
  posAccountId: string | null;
  archived: boolean;
  wallet: WalletView;
  redemptionCounts: RedemptionCounts;
}

/** The profile fields a member summary shows; both the command side and the read models hold them. */
export interface SummaryProfile {
  displayName: string | null;
  tier: string | null;
  attributes: Record<string, unknown>;
  email: string | null;
  phone: string | null;
  posAccountId: string | null;
}

/** The tier a summary shows: the profile's, or DEFAULT_TIER while it has none. */
export const tierOf = (profile: SummaryProfile | null): string => profile?.tier ?? DEFAULT_TIER;

/** One definition of the summary, whichever side holds the member. */
export function memberSummary(parts: {
  externalUserID: string;
  profile: SummaryProfile | null;
  archived: boolean;
  wallet: WalletView;
  redemptionCounts: RedemptionCounts;
}): MemberSummaryView {
  const { externalUserID, profile, archived, wallet, redemptionCounts } = parts;
  return {
    externalUserID,
    displayName: profile?.displayName ?? null,
    tier: tierOf(profile),
    attributes: profile?.attributes ?? {},
    email: profile?.email ?? null,
    phone: profile?.phone ?? null,
    posAccountId: profile?.posAccountId ?? null,
    archived,
    wallet,
    redemptionCounts,
  };
}

export function memberSummaryView(state: WalletState, externalUserID: string): MemberSummaryView {
  const wallet = walletOf(state);
  return memberSummary({
    externalUserID,
    profile: wallet.profile,
    archived: state.status === 'archived',
    wallet: walletView(wallet),
    redemptionCounts: redemptionCounts(wallet),
  });
}
