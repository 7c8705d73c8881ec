import type { OfferSnapshot } from '../../catalog/offer/offer.snapshot';
import { fold } from '../../shared/domain/decider';
import { deciderSpec } from '../../shared/domain/decider-spec';
import { redemptionView } from '../redemptions/redemption.view';
import type { ReverseRedemption } from './wallet.commands';
import { walletDecider } from './wallet.decider';
import type { WalletEvent } from './wallet.events';
import {
  cancel,
  credited,
  movedTo,
  offer,
  redeemed,
  registered,
  reverse,
  T0,
} from './wallet.fixtures';
import { walletOf, type WalletState } from './wallet.state';

const spec = deciderSpec(walletDecider);

const unitOffer = offer({ priceModel: 'UNIT_BASED', pointsPrice: null, unitCost: 30 });
const amountOffer = offer({
  priceModel: 'AMOUNT_BASED',
  pointsPrice: null,
  minAmount: '1.00',
  maxAmount: '100.00',
  pointsPerAmountUnit: 3,
});

/** A redemption of `snapshot` as CreateRedemption records it for a quantity or an amount. */
function redeemedAs(
  snapshot: OfferSnapshot,
  {
    quantity = 1,
    amount = null,
    pointsCost,
  }: { quantity?: number; amount?: string | null; pointsCost: number },
): WalletEvent[] {
  const [created, debit] = redeemed('r-1', { ...snapshot, pointsPrice: pointsCost });
  return [
    {
      ...created,
      data: { ...(created.data as object), offer: snapshot, quantity, amount, pointsCost },
    } as WalletEvent,
    debit,
  ];
}

const reversedEvent = (data: {
  units?: number | null;
  amount?: string | null;
  reversedPoints: number;
}): WalletEvent => ({
  type: 'RedemptionReversed',
  data: {
    redemptionId: 'r-1',
    units: data.units ?? null,
    amount: data.amount ?? null,
    reversedPoints: data.reversedPoints,
    reason: 'returned',
    reversedAt: T0,
  },
});

const refundEvent = (amount: number): WalletEvent => ({
  type: 'PointsRefunded',
  data: {
    transactionId: 'tx-reverse',
    amount,
    reason: 'redemption_reversed',
    redemptionId: 'r-1',
    refundedAt: T0,
  },
});

const view = (state: WalletState) => {
  const entry = walletOf(state).redemptions.get('r-1')!;
  return redemptionView(entry, 'm-1');
};

const unitHistory = [
  registered(),
  credited(500),
  ...redeemedAs(unitOffer, { quantity: 4, pointsCost: 120 }),
];
const amountHistory = [
  registered(),
  credited(500),
  ...redeemedAs(amountOffer, { amount: '10.00', pointsCost: 30 }),
];

describe('wallet decider: ReverseRedemption', () => {
  it('gives back some units of a UNIT_BASED redemption at the unit cost it was redeemed at', () => {
    const state = spec
      .given(unitHistory)
      .when(reverse({ units: 1 }))
      .then([reversedEvent({ units: 1, reversedPoints: 30 }), refundEvent(30)]);
    expect(walletOf(state).ledger).toMatchObject({ balance: 410, refunded: 30 });
    expect(view(state)).toMatchObject({
      status: 'SUBMITTED',
      pointsRefunded: 30,
      reversedPoints: 30,
      reversedUnits: 1,
      reversedAmount: null,
      reversalState: 'PARTIALLY_REVERSED',
    });
  });

  it('reverses the rest of the units when none are named, and then refuses a third', () => {
    const given = [
      ...unitHistory,
      reversedEvent({ units: 1, reversedPoints: 30 }),
      refundEvent(30),
    ];
    const state = spec
      .given(given)
      .when(reverse())
      .then([reversedEvent({ units: 3, reversedPoints: 90 }), refundEvent(90)]);
    expect(view(state)).toMatchObject({ reversedUnits: 4, reversalState: 'FULLY_REVERSED' });
    spec
      .given([...given, reversedEvent({ units: 3, reversedPoints: 90 }), refundEvent(90)])
      .when(reverse({ units: 1 }))
      .then('REDEMPTION_FULLY_REVERSED');
  });

  it('refuses more units than remain, naming how many do', () => {
    const error = spec
      .given(unitHistory)
      .when(reverse({ units: 5 }))
      .then('VALIDATION_FAILED');
    expect(error.details).toEqual({ field: 'units', remainingUnits: 4 });
  });

  it('gives back an amount as the points of the cumulative amount, rounded down, less those given back', () => {
    // 10.00 at 3 points: 0.50 is worth 1.5 points -> 1; then 1.00 in all is worth 3 -> 2 more.
    const first = [reversedEvent({ amount: '0.50', reversedPoints: 1 }), refundEvent(1)];
    spec
      .given(amountHistory)
      .when(reverse({ amount: '0.50' }))
      .then(first);
    const state = spec
      .given([...amountHistory, ...first])
      .when(reverse({ amount: '0.5' }))
      .then([reversedEvent({ amount: '0.5', reversedPoints: 2 }), refundEvent(2)]);
    expect(view(state)).toMatchObject({
      reversedPoints: 3,
      reversedUnits: null,
      reversedAmount: '1.00',
      reversalState: 'PARTIALLY_REVERSED',
    });
  });

  it('returns exactly the rest of the points with the rest of the amount', () => {
    const given = [
      ...amountHistory,
      reversedEvent({ amount: '0.50', reversedPoints: 1 }),
      refundEvent(1),
    ];
    const state = spec
      .given(given)
      .when(reverse())
      .then([reversedEvent({ amount: '9.50', reversedPoints: 29 }), refundEvent(29)]);
    expect(view(state)).toMatchObject({
      reversedPoints: 30,
      reversedAmount: '10.00',
      reversalState: 'FULLY_REVERSED',
    });
    expect(walletOf(state).ledger).toMatchObject({ balance: 500, refunded: 30 });
  });

  it('refuses an amount above what remains, or of 0', () => {
    const error = spec
      .given(amountHistory)
      .when(reverse({ amount: '10.01' }))
      .then('VALIDATION_FAILED');
    expect(error.details).toEqual({ field: 'amount', remainingAmount: '10.00' });
    spec
      .given(amountHistory)
      .when(reverse({ amount: '0.00' }))
      .then('VALIDATION_FAILED');
  });

  it('reverses a FIXED redemption whole, whatever its status but CANCELED', () => {
    const given = [registered(), credited(100), ...redeemed('r-1', offer({ pointsPrice: 40 }))];
    const state = spec
      .given([...given, ...movedTo('r-1', 'COMPLETED')])
      .when(reverse())
      .then([reversedEvent({ reversedPoints: 40 }), refundEvent(40)]);
    expect(view(state)).toMatchObject({
      status: 'COMPLETED',
      reversedPoints: 40,
      reversedUnits: null,
      reversedAmount: null,
      reversalState: 'FULLY_REVERSED',
    });
  });

  it('refuses the field another price model takes', () => {
    const fixed = [registered(), credited(100), ...redeemed('r-1')];
    expect(
      spec
        .given(fixed)
        .when(reverse({ units: 1 }))
        .then('VALIDATION_FAILED').details,
    ).toEqual({
      field: 'units',
    });
    expect(
      spec
        .given(unitHistory)
        .when(reverse({ amount: '1' }))
        .then('VALIDATION_FAILED').details,
    ).toEqual({
      field: 'amount',
    });
    expect(
      spec
        .given(amountHistory)
        .when(reverse({ units: 1 }))
        .then('VALIDATION_FAILED').details,
    ).toEqual({
      field: 'units',
    });
  });

  it('refuses a canceled redemption, and an unknown one', () => {
    const given = [registered(), credited(100), ...redeemed('r-1')];
    const canceled = spec.given(given).when(cancel('org')).thenEvents();
    spec
      .given([...given, ...canceled])
      .when(reverse())
      .then('REDEMPTION_ALREADY_CANCELED');
    spec
      .given(given)
      .when({ ...reverse(), data: { ...reverse().data, redemptionId: 'r-9' } })
      .then('NOT_FOUND');
  });

  it('lets a later cancel refund only what is still debited, and keeps the offer held until then', () => {
    const given = [
      ...unitHistory,
      reversedEvent({ units: 1, reversedPoints: 30 }),
      refundEvent(30),
    ];
    expect(walletOf(fold(walletDecider, given)).nonCanceledByOffer.get('offer-1')).toBe(1);
    const events = spec.given(given).when(cancel('org')).thenEvents();
    expect(events[0].data).toMatchObject({ refundedPoints: 90 });
    expect(events[1].data).toMatchObject({ amount: 90, reason: 'redemption_canceled' });
  });

  it('forfeits the refund of a member archived with its balance forfeited, as a cancel does', () => {
    const given = [
      registered(),
      credited(100),
      ...redeemed('r-1', offer({ pointsPrice: 10 })),
      {
        type: 'MemberArchived',
        data: { retainBalance: false, forfeitedPoints: 90, archivedAt: T0 },
      },
      {
        type: 'PointsDebited',
        data: {
          transactionId: 'tx-a',
          amount: 90,
          reason: 'member_archived',
          redemptionId: null,
          debitedAt: T0,
        },
      },
    ] as WalletEvent[];
    const events = spec.given(given).when(reverse()).thenEvents();
    expect(events.map((e) => e.type)).toEqual([
      'RedemptionReversed',
      'PointsRefunded',
      'PointsDebited',
    ]);
    expect(events[2].data).toMatchObject({
      amount: 10,
      reason: 'member_archived',
      transactionId: 'tx-forfeit',
    });
    expect(walletOf(fold(walletDecider, [...given, ...events])).ledger.balance).toBe(0);
  });

  it('records a reversal of a free FIXED redemption without a refund', () => {
    spec
      .given([registered(), ...redeemed('r-1', offer({ pointsPrice: 0 }))])
      .when(reverse())
      .then([reversedEvent({ reversedPoints: 0 })]);
  });

  it('refuses a member as the actor, and a blank reason', () => {
    const given = [registered(), credited(100), ...redeemed('r-1')];
    const asMember = {
      ...reverse(),
      data: { ...reverse().data, actor: 'member' },
    } as unknown as ReverseRedemption;
    spec.given(given).when(asMember).then('VALIDATION_FAILED');
    spec
      .given(given)
      .when({ ...reverse(), data: { ...reverse().data, reason: '  ' } })
      .then('VALIDATION_FAILED');
  });
});
