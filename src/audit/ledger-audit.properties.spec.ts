import fc from 'fast-check';
import type { OfferCommand } from '../catalog/offer/offer.commands';
import { offerDecider } from '../catalog/offer/offer.decider';
import type { OfferEvent } from '../catalog/offer/offer.events';
import { create } from '../catalog/offer/offer.fixtures';
import { toOfferSnapshot } from '../catalog/offer/offer.snapshot';
import type { OfferState } from '../catalog/offer/offer.state';
import type { WalletCommand } from '../ledger/wallet/wallet.commands';
import { walletDecider } from '../ledger/wallet/wallet.decider';
import { REDEMPTION_STATUSES, type WalletEvent } from '../ledger/wallet/wallet.events';
import { at } from '../ledger/wallet/wallet.fixtures';
import { STATUS_MOVES } from '../ledger/wallet/wallet.lifecycle';
import { walletOf, type WalletState } from '../ledger/wallet/wallet.state';
import { isDomainError } from '../shared/domain/domain-error';
import { audited, Log, MEMBER, WALLET } from './audit.fixtures';

/** Two offers: one with stock and a per-member limit, one free and unlimited. */
const OFFERS = [
  { stream: 'offer-sandbox.acme.stocked', id: 'stocked', maxTotal: 3, maxPerMember: 2, price: 40 },
  { stream: 'offer-sandbox.acme.free', id: 'free', maxTotal: null, maxPerMember: null, price: 0 },
];

type Step =
  | { kind: 'credit'; amount: number }
  | { kind: 'redeem'; offer: number }
  | { kind: 'cancel'; target: number; actor: 'member' | 'org' }
  | { kind: 'move'; target: number; status: number }
  | { kind: 'archive'; retain: boolean }
  | { kind: 'upsert' }
  | { kind: 'restock'; maxTotal: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('credit' as const),
      amount: fc.integer({ min: 1, max: 120 }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('redeem' as const),
      offer: fc.integer({ min: 0, max: 1 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('cancel' as const),
      target: fc.nat(),
      actor: fc.constantFrom('member' as const, 'org' as const),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      target: fc.nat(),
      status: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('archive' as const), retain: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('upsert' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('restock' as const),
      maxTotal: fc.integer({ min: 1, max: 5 }),
    }),
  },
);

/** The service's writes, decided by the real deciders and appended as the command side does. */
class Service {
  readonly log = new Log();
  private wallet: WalletState = walletDecider.initialState;
  private readonly offers: OfferState[] = OFFERS.map(() => offerDecider.initialState);
  private readonly ids: string[] = [];

  constructor() {
    OFFERS.forEach((o, i) => {
      const { maxTotal, maxPerMember, price: pointsPrice } = o;
      this.decideOffer(i, create({ offerId: o.id, maxTotal, maxPerMember, pointsPrice }));
    });
  }

  private decideOffer(i: number, command: OfferCommand): OfferEvent[] {
    const events = offerDecider.decide(command, this.offers[i]);
    if (isDomainError(events)) return [];
    this.offers[i] = events.reduce(offerDecider.evolve, this.offers[i]);
    this.log.append(OFFERS[i].stream, events);
    return events;
  }

  private decideWallet(command: WalletCommand): WalletEvent[] {
    const events = walletDecider.decide(command, this.wallet);
    if (isDomainError(events)) return [];
    this.wallet = events.reduce(walletDecider.evolve, this.wallet);
    this.log.append(WALLET, events);
    return events;
  }

  run(s: Step, i: number): void {
    const now = at(i);
    const target = 'target' in s ? this.ids[s.target % Math.max(1, this.ids.length)] : undefined;
    switch (s.kind) {
      case 'credit':
        this.decideWallet({
          type: 'CreditPoints',
          data: { transactionId: `t-${i}`, amount: s.amount, now },
        });
        return;
      case 'redeem':
        return this.redeem(s.offer, `r-${i}`, now);
      case 'cancel': {
        if (target === undefined) return;
        const entry = walletOf(this.wallet).redemptions.get(target);
        const data = { redemptionId: target, transactionId: `t-${i}`, actor: s.actor, now };
        const events = this.decideWallet({
          type: 'CancelRedemption',
          data: { ...data, forfeitTransactionId: `f-${i}` },
        });
        const o = OFFERS.findIndex((offer) => offer.id === entry?.offerId);
        if (events.length > 0 && o >= 0)
          this.decideOffer(o, { type: 'ReleaseOfferStock', data: { redemptionId: target, now } });
        return;
      }
      case 'move': {
        if (target === undefined) return;
        // Mostly moves the lifecycle allows, so that redemptions get far along it.
        const from = walletOf(this.wallet).redemptions.get(target)?.status ?? 'SUBMITTED';
        const choices = [...STATUS_MOVES[from], ...STATUS_MOVES[from], ...REDEMPTION_STATUSES];
        this.decideWallet({
          type: 'ChangeRedemptionStatus',
          data: {
            redemptionId: target,
            status: choices[s.status % choices.length],
            actor: 'org',
            now,
          },
        });
        return;
      }
      case 'archive':
        this.decideWallet({
          type: 'ArchiveMember',
          data: { retainBalance: s.retain, transactionId: `t-${i}`, now },
        });
        return;
      case 'upsert':
        this.decideWallet({
          type: 'UpsertMemberProfile',
          data: { externalUserID: MEMBER, tier: `tier-${i % 3}`, now },
        });
        return;
      case 'restock':
        this.decideOffer(0, {
          type: 'UpdateOffer',
          data: { patch: { maxTotal: s.maxTotal }, now },
        });
    }
  }

  /** As the redemption command: the stock first, then the wallet; a refusal writes neither. */
  private redeem(o: number, redemptionId: string, now: string): void {
    const state = this.offers[o];
    if (state.status === 'absent') return;
    const reserve = offerDecider.decide(
      { type: 'ReserveOfferStock', data: { redemptionId, units: 1, now } },
      state,
    );
    const events = walletDecider.decide(
      {
        type: 'CreateRedemption',
        data: {
          redemptionId,
          transactionId: `t-${redemptionId}`,
          externalUserID: MEMBER,
          offer: toOfferSnapshot(state),
          now,
        },
      },
      this.wallet,
    );
    if (isDomainError(reserve) || isDomainError(events)) return;
    if (state.offer.maxTotal !== null) {
      this.offers[o] = reserve.reduce(offerDecider.evolve, state);
      this.log.append(OFFERS[o].stream, reserve);
    }
    this.wallet = events.reduce(walletDecider.evolve, this.wallet);
    this.log.append(WALLET, events);
    this.ids.push(redemptionId);
  }
}

describe('LedgerAudit properties', () => {
  it('finds nothing wrong in any history the deciders write', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 80 }), (steps) => {
        const service = new Service();
        steps.forEach((s, i) => service.run(s, i));
        expect(audited(service.log.events)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
