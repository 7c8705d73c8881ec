import { decideOffer } from '../../catalog/offer/offer.decider';
import type { OfferEvent } from '../../catalog/offer/offer.events';
import { type DefinedOffer, evolveOffer, type OfferState } from '../../catalog/offer/offer.state';
import type { EventContext } from '../../event-store/envelope';
import { LocksNeeded, type PlannedAppend } from '../../shared/application/command-executor';
import type { Versioned } from '../../shared/application/state-cache';
import { isDomainError } from '../../shared/domain/domain-error';
import { offerStream } from '../streams';
import { expiredHolds } from '../wallet/wallet.holds';
import type { WalletEvent } from '../wallet/wallet.events';
import { walletOf, type WalletState } from '../wallet/wallet.state';
import type { Aggregates } from './aggregates';

/** What one offer's stream gets from a decision: its state as loaded, and the events on top. */
export interface OfferChange {
  stream: string;
  loaded: Versioned<OfferState>;
  events: OfferEvent[];
}

/**
 * The stock releases a wallet decision's cancels call for, one change per offer: a cancel frees
 * the units its redemption reserved. Besides the cancel a command asks for, a decision may cancel
 * others (holds it releases because they expired, or because the member is archived), whose
 * offers the command did not lock: then it runs again holding their locks too (LocksNeeded).
 */
export async function stockReleases(
  aggregates: Aggregates,
  tenantKey: string,
  before: WalletState,
  events: readonly WalletEvent[],
  held: readonly string[],
  now: string,
): Promise<OfferChange[]> {
  const changes = new Map<string, OfferChange>();
  for (const event of events) {
    if (event.type !== 'RedemptionCanceled') continue;
    const { redemptionId } = event.data;
    const entry = walletOf(before).redemptions.get(redemptionId);
    if (entry === undefined) continue;
    const stream = offerStream(tenantKey, entry.offerId);
    let change = changes.get(stream);
    if (change === undefined) {
      // Planned on a stale offer, a release would miss the reservation or conflict, and the stock
      // would stay reserved for a canceled redemption.
      const loaded = await aggregates.offerAsWritten(stream);
      change = { stream, loaded, events: [] };
    }
    const state = change.events.reduce(evolveOffer, change.loaded.state);
    if (state.status === 'absent' || !state.reservations.has(redemptionId)) continue;
    if (!held.includes(stream)) throw new LocksNeeded([...held, stream]);
    const released = decideOffer({ type: 'ReleaseOfferStock', data: { redemptionId, now } }, state);
    if (isDomainError(released) || released.length === 0) continue;
    change.events.push(...released);
    changes.set(stream, change);
  }
  return [...changes.values()];
}

/** The redemptions whose holds expired at `now`: a decision on the wallet cancels them. */
export function expiredHoldIds(wallet: WalletState, now: string): string[] {
  return expiredHolds(wallet, now).flatMap((e) =>
    e.type === 'RedemptionCanceled' ? [e.data.redemptionId] : [],
  );
}

/** The offer with the units of these redemptions given back, as their releases would leave it. */
export function offerWithout(
  offer: DefinedOffer,
  redemptionIds: readonly string[],
  now: string,
): DefinedOffer {
  let state: OfferState = offer;
  for (const redemptionId of redemptionIds) {
    const released = decideOffer({ type: 'ReleaseOfferStock', data: { redemptionId, now } }, state);
    if (!isDomainError(released)) state = released.reduce(evolveOffer, state);
  }
  return state as DefinedOffer; // a release never takes an offer's definition away
}

/**
 * The releases' appends. One by one (EventStoreDB) they follow the wallet's append, whose answer
 * stands if one of them conflicts: they are follow-ups (PlannedAppend.followUp).
 */
export function planOfferChanges(
  aggregates: Aggregates,
  changes: readonly OfferChange[],
  context: EventContext,
): PlannedAppend[] {
  return changes
    .filter((c) => c.events.length > 0)
    .map((c) => ({
      ...aggregates.offers.plan(c.stream, c.loaded, c.events, context),
      followUp: true,
    }));
}

/**
 * A wallet decision's appends: the wallet's (with the state it leads to), then those of the offers
 * whose stock its cancels free (stockReleases; LocksNeeded when it needs an offer's lock).
 */
export async function planWalletDecision(
  aggregates: Aggregates,
  tenantKey: string,
  stream: string,
  loaded: Versioned<WalletState>,
  events: readonly WalletEvent[],
  held: readonly string[],
  now: string,
  context: EventContext,
): Promise<{ state: WalletState; appends: PlannedAppend[] }> {
  const wallet = aggregates.wallets.plan(stream, loaded, events, context);
  const changes = await stockReleases(aggregates, tenantKey, loaded.state, events, held, now);
  return {
    state: wallet.state,
    appends: [wallet, ...planOfferChanges(aggregates, changes, context)],
  };
}
