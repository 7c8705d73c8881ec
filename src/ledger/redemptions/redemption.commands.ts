import { Injectable } from '@nestjs/common';
import { visibleTo } from '../../catalog/offer/offer.audience';
import { decideOffer } from '../../catalog/offer/offer.decider';
import { toOfferSnapshot } from '../../catalog/offer/offer.snapshot';
import { OfferState } from '../../catalog/offer/offer.state';
import { EventContext } from '../../event-store/envelope';
import {
  Decision,
  ExecutionResult,
  LocksNeeded,
  PlannedAppend,
} from '../../shared/application/command-executor';
import { Versioned } from '../../shared/application/state-cache';
import { DomainError } from '../../shared/domain/domain-error';
import { CommandRequest, eventContext } from '../../shared/http/command-request';
import { Aggregates } from '../application/aggregates';
import { accepted, isDomainError, refusal } from '../application/decisions';
import { parseTenantKey } from '../../auth/tenancy';
import type { Tenant } from '../../auth/principal';
import { compareInstants } from '../../shared/domain/values';
import {
  memberRefOfRedemption,
  newCouponCode,
  newRedemptionId,
  newTransactionId,
  offerStream,
  walletStream,
} from '../streams';
import { ShippingInput } from '../wallet/wallet.commands';
import { decideWallet, decideWalletOutcome } from '../wallet/wallet.decider';
import { Actor, RedemptionStatus } from '../wallet/wallet.events';
import { walletOf, WalletState } from '../wallet/wallet.state';
import { evolveOffer } from '../../catalog/offer/offer.state';
import {
  expiredHoldIds,
  offerWithout,
  planOfferChanges,
  planWalletDecision,
  stockReleases,
} from '../application/stock-releases';
import { redemptionView } from './redemption.view';

export interface CreateRedemptionInput {
  offerId: string;
  quantity?: number;
  amount?: string;
  description?: string;
  shipping?: ShippingInput;
  delayPointsDeduction?: boolean;
  holdExpiresAt?: string;
}

const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);

/** The context of what the service decides on its own (the sweeper): no request, no key. */
function systemContext(tenant: Tenant, occurredAt: string, externalUserID: string): EventContext {
  return {
    occurredAt,
    requestId: null,
    idempotencyKey: null,
    actor: 'system',
    environment: tenant.environment,
    orgId: tenant.orgId,
    correlationId: null,
    causationId: null,
    externalUserID,
  };
}

/** The view of one redemption in a wallet state (after the events of a decision). */
function answer(
  state: WalletState,
  redemptionId: string,
  status: number,
  appends: PlannedAppend[],
): Decision {
  const entry = walletOf(state).redemptions.get(redemptionId);
  if (!entry) throw new Error(`Redemption ${redemptionId} missing after its own decision`);
  return accepted(status, redemptionView(entry, entry.created.externalUserID), appends);
}

@Injectable()
export class RedemptionCommands {
  constructor(private readonly aggregates: Aggregates) {}

  /**
   * Debits the wallet and, for an offer with a total stock, reserves a unit on the offer first:
   * the offer's stream is then the consistency boundary of its stock, as the wallet is of points.
   */
  async create(
    req: CommandRequest,
    externalUserID: string,
    input: CreateRedemptionInput,
  ): Promise<ExecutionResult> {
    const { wallets, offers, executor, memberRefs } = this.aggregates;
    const ref = await memberRefs.of(req.tenantKey, externalUserID);
    const wallet = walletStream(req.tenantKey, ref);
    const offer = offerStream(req.tenantKey, input.offerId);
    const redemptionId = newRedemptionId(ref, req.idempotency);
    const transactionId = newTransactionId();
    const stockLimited = (await offers.load(offer)).state;
    const locks =
      stockLimited.status === 'defined' && stockLimited.offer.maxTotal !== null
        ? [wallet, offer]
        : [wallet];

    return executor.run(
      locks,
      async ({ held, now }) => {
        const context = eventContext(req, now, { externalUserID });
        const atomic = executor.appendsAtomically;
        // An offer it does not lock (no stock) has no expected revision to catch a stale definition.
        const offerLoaded = await this.aggregates.offerAsWritten(offer);
        if (
          offerLoaded.state.status === 'absent' ||
          !visibleTo(req.principal.kind, offerLoaded.state.offer)
        )
          return refusal(notFound(`Offer ${input.offerId}`), req.requestId);
        // Stock set on the offer since the locks were chosen: queue on its lock, not race on it.
        if (offerLoaded.state.offer.maxTotal !== null && !held.includes(offer))
          throw new LocksNeeded([wallet, offer]);
        const walletLoaded = await wallets.load(wallet);
        // Another attempt of this keyed request wrote it already (a replica that followed its
        // record): it is the answer, and the stock it reserved stays with it.
        if (walletOf(walletLoaded.state).redemptions.has(redemptionId))
          return answer(walletLoaded.state, redemptionId, 201, []);
        const reserved = offerLoaded.state.reservations.has(redemptionId);
        // The stock as this request may count it: the units an earlier attempt of it reserved are
        // its own; and where its appends are one transaction, so are the units of the member's
        // expired holds, which it releases. One by one (EventStoreDB), those are released only
        // after the wallet's append: a stale view of the wallet must never free stock.
        const snapshot = toOfferSnapshot(
          offerWithout(
            offerLoaded.state,
            [
              ...(reserved ? [redemptionId] : []),
              ...(atomic ? expiredHoldIds(walletLoaded.state, now) : []),
            ],
            now,
          ),
        );
        const events = decideWallet(
          {
            type: 'CreateRedemption',
            data: {
              redemptionId,
              transactionId,
              externalUserID,
              offer: snapshot,
              quantity: input.quantity,
              amount: input.amount,
              description: input.description,
              shipping: input.shipping,
              couponCode: snapshot.artifact === 'COUPON' ? newCouponCode() : null,
              delayPointsDeduction: input.delayPointsDeduction,
              holdExpiresAt: input.holdExpiresAt,
              now,
            },
          },
          walletLoaded.state,
        );
        if (isDomainError(events)) {
          const release = reserved
            ? this.releaseStock(offer, offerLoaded, redemptionId, now, context)
            : [];
          return refusal(events, req.requestId, release);
        }
        // Holds that expired on the way are canceled with the decision: their stock goes back.
        const changes = await stockReleases(
          this.aggregates,
          req.tenantKey,
          walletLoaded.state,
          events,
          held,
          now,
        );
        // The reservation goes before the wallet's append, which it guards.
        const reservation: PlannedAppend[] = [];
        if (offerLoaded.state.offer.maxTotal !== null && !reserved) {
          const units = events.find((e) => e.type === 'RedemptionCreated')?.data.quantity ?? 1;
          const own = changes.find((c) => c.stream === offer);
          const reserve = (state: OfferState) =>
            decideOffer({ type: 'ReserveOfferStock', data: { redemptionId, units, now } }, state);
          if (atomic && own) {
            // One transaction: the releases, then the reservation on the units they gave back.
            const stock = reserve(own.events.reduce(evolveOffer, own.loaded.state));
            if (isDomainError(stock)) return refusal(stock, req.requestId);
            own.events.push(...stock);
          } else {
            const stock = reserve(offerLoaded.state);
            if (isDomainError(stock)) return refusal(stock, req.requestId);
            const planned = offers.plan(offer, offerLoaded, stock, context);
            reservation.push(planned);
            // A release on this offer follows the wallet's append, on top of the reservation.
            if (own) own.loaded = { state: planned.state, revision: planned.revision };
          }
        }
        const debit = wallets.plan(wallet, walletLoaded, events, context);
        const releases = planOfferChanges(this.aggregates, changes, context);
        const appends = atomic
          ? [...reservation, ...releases, debit]
          : [...reservation, debit, ...releases];
        return answer(debit.state, redemptionId, 201, appends);
      },
      req.idempotency,
    );
  }

  cancel(
    req: CommandRequest,
    redemptionId: string,
    actor: Actor,
    reason: string | null,
  ): Promise<ExecutionResult> {
    const transactionId = newTransactionId();
    const forfeitTransactionId = newTransactionId();
    const cancel = (data: { redemptionId: string; now: string }) => ({
      type: 'CancelRedemption' as const,
      data: { ...data, transactionId, forfeitTransactionId, actor, reason },
    });
    return this.onRedemption(req, redemptionId, cancel, { finishesCancel: true });
  }

  /** Stock and per-member counts stay held: only a cancel frees them, so only the wallet is locked. */
  reverse(
    req: CommandRequest,
    redemptionId: string,
    input: { units: number | null; amount: string | null; reason: string | null },
  ): Promise<ExecutionResult> {
    const transactionId = newTransactionId();
    const forfeitTransactionId = newTransactionId();
    const reverse = (data: { redemptionId: string; now: string }) => ({
      type: 'ReverseRedemption' as const,
      data: { ...data, ...input, transactionId, forfeitTransactionId, actor: 'org' as const },
    });
    return this.onRedemption(req, redemptionId, reverse, { finishesCancel: false });
  }

  /** Seed 003/004: a held redemption's order or payment went through; its points are debited. */
  apply(req: CommandRequest, redemptionId: string, reference: string | null) {
    const transactionId = newTransactionId();
    const apply = (data: { redemptionId: string; now: string }) => ({
      type: 'ApplyHold' as const,
      data: { ...data, transactionId, reference, actor: 'org' as const },
    });
    return this.onRedemption(req, redemptionId, apply, { finishesCancel: false });
  }

  /** A held redemption given up: canceled, its stock freed, nothing debited. */
  release(req: CommandRequest, redemptionId: string, reason: string | null) {
    const release = (data: { redemptionId: string; now: string }) => ({
      type: 'ReleaseHold' as const,
      data: { ...data, reason, actor: 'org' as const },
    });
    return this.onRedemption(req, redemptionId, release, { finishesCancel: true });
  }

  /**
   * The hold sweeper's command: releases the holds of one wallet that are past their expiresAt at
   * `at` (or at the executor's clock, if later), with their stock. Answers how many it released;
   * none when another command released them first. No Idempotency-Key: deciding again on the
   * current state is what makes a repeat harmless.
   */
  async expireHolds(tenantKey: string, ref: string, at: string): Promise<number> {
    const { wallets, executor } = this.aggregates;
    const tenant = parseTenantKey(tenantKey);
    if (tenant === undefined) return 0;
    const wallet = walletStream(tenantKey, ref);
    const result = await executor.run([wallet], async ({ held, now }) => {
      const when = compareInstants(now, at) > 0 ? now : at;
      const loaded = await wallets.load(wallet);
      const events = decideWallet({ type: 'ExpireHolds', data: { now: when } }, loaded.state);
      if (isDomainError(events) || events.length === 0) return accepted(200, 0, []);
      const first = events[0].type === 'RedemptionCanceled' ? events[0].data.redemptionId : '';
      const member = walletOf(loaded.state).redemptions.get(first)?.created.externalUserID;
      if (member === undefined) return accepted(200, 0, []);
      const context = systemContext(tenant, when, member);
      const { appends } = await planWalletDecision(
        this.aggregates,
        tenantKey,
        wallet,
        loaded,
        events,
        held,
        when,
        context,
      );
      const released = events.filter((e) => e.type === 'PointsHoldReleased').length;
      return accepted(200, released, appends);
    });
    return result.outcome.body as number;
  }

  /**
   * The sweeper's command for stock that a canceled redemption still holds: where a cancel and its
   * release are two appends (EventStoreDB), the release can be lost to a conflict or a crash after
   * the cancel landed. Releases it if the wallet has the redemption canceled and the offer, as
   * written, still reserves its units; answers how many redemptions' stock it released (0 or 1).
   */
  async releaseLeftStock(
    tenantKey: string,
    redemptionId: string,
    offerId: string,
  ): Promise<number> {
    const { wallets, executor } = this.aggregates;
    const tenant = parseTenantKey(tenantKey);
    const ref = memberRefOfRedemption(redemptionId);
    if (tenant === undefined || ref === null) return 0;
    const wallet = walletStream(tenantKey, ref);
    const offer = offerStream(tenantKey, offerId);
    const result = await executor.run([wallet, offer], async ({ now }) => {
      const entry = walletOf((await wallets.load(wallet)).state).redemptions.get(redemptionId);
      if (entry?.status !== 'CANCELED' || entry.offerId !== offerId) return accepted(200, 0, []);
      const context = systemContext(tenant, now, entry.created.externalUserID);
      const offerLoaded = await this.aggregates.offerAsWritten(offer);
      const release = this.releaseStock(offer, offerLoaded, redemptionId, now, context);
      return accepted(200, release.length, release);
    });
    return result.outcome.body as number;
  }

  fulfil(
    req: CommandRequest,
    redemptionId: string,
    tracking: { trackingNumber: string; carrier: string | null; trackingUrl: string | null },
  ): Promise<ExecutionResult> {
    const fulfil = (data: { redemptionId: string; now: string }) => ({
      type: 'FulfilRedemption' as const,
      data: { ...data, ...tracking, actor: 'org' as const },
    });
    return this.onRedemption(req, redemptionId, fulfil, { finishesCancel: false });
  }

  changeStatus(
    req: CommandRequest,
    redemptionId: string,
    status: RedemptionStatus,
    schedule: { startAt?: string | null; endAt?: string | null },
  ): Promise<ExecutionResult> {
    const move = (data: { redemptionId: string; now: string }) => ({
      type: 'ChangeRedemptionStatus' as const,
      data: { ...data, status, ...schedule, actor: 'org' as const },
    });
    return this.onRedemption(req, redemptionId, move, { finishesCancel: false });
  }

  /**
   * A command on an existing redemption: its id names the wallet. A member reaches only its own;
   * anything else is NOT_FOUND, never FORBIDDEN, so ids cannot be probed.
   */
  private async onRedemption(
    req: CommandRequest,
    redemptionId: string,
    command: (base: { redemptionId: string; now: string }) => Parameters<typeof decideWallet>[0],
    { finishesCancel }: { finishesCancel: boolean },
  ): Promise<ExecutionResult> {
    const { wallets, offers, executor, memberRefs } = this.aggregates;
    const ref = memberRefOfRedemption(redemptionId);
    const own =
      req.principal.kind === 'member'
        ? await memberRefs.of(req.tenantKey, req.principal.externalUserID)
        : ref;
    if (ref === null || ref !== own) throw notFound(`Redemption ${redemptionId}`);
    const wallet = walletStream(req.tenantKey, ref);
    const locks = finishesCancel ? await this.cancelLocks(req, wallet, redemptionId) : [wallet];

    return executor.run(
      locks,
      async ({ held, now }) => {
        const walletLoaded = await wallets.load(wallet);
        const entry = walletOf(walletLoaded.state).redemptions.get(redemptionId);
        if (!entry) return refusal(notFound(`Redemption ${redemptionId}`), req.requestId);
        const context = eventContext(req, now, { externalUserID: entry.created.externalUserID });
        const offer = offerStream(req.tenantKey, entry.offerId);
        if (finishesCancel && entry.status === 'CANCELED') {
          // Where a cancel and its stock release are two appends (EventStoreDB), a cancel whose
          // release did not land finishes it instead of answering "already canceled".
          const release = this.releaseStock(
            offer,
            await offers.load(offer),
            redemptionId,
            now,
            context,
          );
          if (release.length > 0) return answer(walletLoaded.state, redemptionId, 200, release);
        }
        const { events, refused } = decideWalletOutcome(
          command({ redemptionId, now }),
          walletLoaded.state,
        );
        if (events.length === 0)
          return refused
            ? refusal(refused, req.requestId)
            : // Nothing to write (the same tracking again): the redemption as it is.
              answer(walletLoaded.state, redemptionId, 200, []);
        // Every cancel of the decision frees its stock: the one asked for, and holds it expired.
        const { state, appends } = await planWalletDecision(
          this.aggregates,
          req.tenantKey,
          wallet,
          walletLoaded,
          events,
          held,
          now,
          context,
        );
        // A refusal on a wallet whose holds expired still records them (decideWalletOutcome).
        if (refused) return refusal(refused, req.requestId, appends);
        return answer(state, redemptionId, 200, appends);
      },
      req.idempotency,
    );
  }

  /**
   * A cancel writes the wallet and, when the redemption holds stock, its offer too: it then queues
   * on both, as a redemption of that offer does, so that cancels of many members' redemptions do
   * not keep conflicting on the offer's stream. (A reservation is written with its redemption and
   * only its cancel releases it, so what is read here still holds inside the locks.)
   */
  private async cancelLocks(
    req: CommandRequest,
    wallet: string,
    redemptionId: string,
  ): Promise<string[]> {
    const { wallets, offers } = this.aggregates;
    const entry = walletOf((await wallets.load(wallet)).state).redemptions.get(redemptionId);
    if (!entry) return [wallet];
    const offer = offerStream(req.tenantKey, entry.offerId);
    const { state } = await offers.load(offer);
    return state.status !== 'absent' && state.reservations.has(redemptionId)
      ? [wallet, offer]
      : [wallet];
  }

  /** Gives back the stock a redemption holds on its offer, if it holds any. */
  private releaseStock(
    stream: string,
    offerLoaded: Versioned<OfferState>,
    redemptionId: string,
    now: string,
    context: EventContext,
  ): PlannedAppend[] {
    if (offerLoaded.state.status === 'absent' || !offerLoaded.state.reservations.has(redemptionId))
      return [];
    const events = decideOffer(
      { type: 'ReleaseOfferStock', data: { redemptionId, now } },
      offerLoaded.state,
    );
    if (isDomainError(events) || events.length === 0) return [];
    return [this.aggregates.offers.plan(stream, offerLoaded, events, context)];
  }
}
