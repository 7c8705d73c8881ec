import type { OfferSnapshot } from '../../catalog/offer/offer.snapshot';
import { fold } from '../../shared/domain/decider';
import { deciderSpec } from '../../shared/domain/decider-spec';
import type { CreateRedemption, WalletCommand } from './wallet.commands';
import { walletDecider } from './wallet.decider';
import type { WalletEvent } from './wallet.events';
import { at, cancel, credited, movedTo, offer, redeemed, T0 } from './wallet.fixtures';

const spec = deciderSpec(walletDecider);

const redeem = (
  snapshot: OfferSnapshot = offer(),
  data: Partial<CreateRedemption['data']> = {},
): WalletCommand => ({
  type: 'CreateRedemption',
  data: {
    redemptionId: 'r-1',
    transactionId: 'tx-r-1',
    externalUserID: 'm-1',
    offer: snapshot,
    now: T0,
    ...data,
  },
});
const costOf = (command: WalletCommand, history: WalletEvent[]) => {
  const [created] = spec.given(history).when(command).thenEvents();
  return created.type === 'RedemptionCreated' ? created.data.pointsCost : undefined;
};

describe('wallet: creating a redemption', () => {
  it('records the redemption and debits its price in one decision', () => {
    const state = spec
      .given([credited(250)])
      .when(redeem(offer(), { description: 'for two' }))
      .then([
        {
          type: 'RedemptionCreated',
          data: {
            redemptionId: 'r-1',
            externalUserID: 'm-1',
            offer: offer(),
            quantity: 1,
            amount: null,
            pointsCost: 100,
            description: 'for two',
            shipping: null,
            artifact: { type: 'NONE' },
            createdAt: T0,
          },
        },
        {
          type: 'PointsDebited',
          data: {
            transactionId: 'tx-r-1',
            amount: 100,
            reason: 'redemption',
            redemptionId: 'r-1',
            debitedAt: T0,
          },
        },
      ]);
    expect(state).toMatchObject({ ledger: { balance: 150, debited: 100 } });
  });

  it('spends an exact balance down to zero', () => {
    const events = spec
      .given([credited(100)])
      .when(redeem())
      .thenEvents();
    expect(fold(walletDecider, [credited(100), ...events])).toMatchObject({
      ledger: { balance: 0 },
    });
  });

  it('refuses a balance below the price', () => {
    const error = spec
      .given([credited(99)])
      .when(redeem())
      .then('INSUFFICIENT_POINTS');
    expect(error.details).toEqual({ balance: 99, required: 100 });
    spec.given().when(redeem()).then('INSUFFICIENT_POINTS');
  });

  it('refuses an archived member', () => {
    const archived: WalletEvent = {
      type: 'MemberArchived',
      data: { retainBalance: true, forfeitedPoints: 0, archivedAt: T0 },
    };
    spec
      .given([credited(500), archived])
      .when(redeem())
      .then('MEMBER_ARCHIVED');
  });

  it('keeps room to refund it within Number.MAX_SAFE_INTEGER lifetime points', () => {
    const error = spec
      .given([credited(Number.MAX_SAFE_INTEGER - 50)])
      .when(redeem())
      .then('VALIDATION_FAILED');
    expect(error.details).toMatchObject({ maxCost: 50 });
  });

  it('refuses a redemption id already used', () => {
    spec
      .given([credited(500), ...redeemed('r-1', offer({ id: 'other' }))])
      .when(redeem())
      .then('CONFLICT');
  });

  describe('offer availability', () => {
    const window = { availableFrom: at(0), expiresAt: at(60) };
    it.each([
      ['INACTIVE', offer({ status: 'INACTIVE' }), T0],
      ['OUT_OF_STOCK', offer({ status: 'OUT_OF_STOCK' }), T0],
      ['OUT_OF_STOCK', offer({ remainingStock: 0 }), T0],
      ['NOT_YET_AVAILABLE', offer(window), at(-1)],
      ['EXPIRED', offer(window), at(60)],
      ['NOT_YET_AVAILABLE', offer({ availableFrom: `${T0.slice(0, -1)}0001Z` }), T0],
    ])('refuses an offer that is %s', (reason, snapshot, now) => {
      const error = spec
        .given([credited(500)])
        .when(redeem(snapshot, { now }))
        .then('OFFER_UNAVAILABLE');
      expect(error.details).toMatchObject({ reason });
    });

    it('checks stock before status: a sold-out INACTIVE offer is OUT_OF_STOCK (api.md order)', () => {
      const error = spec
        .given([credited(500)])
        .when(redeem(offer({ status: 'INACTIVE', remainingStock: 0 })))
        .then('OFFER_UNAVAILABLE');
      expect(error.details).toEqual({ offerId: 'offer-1', reason: 'OUT_OF_STOCK' });
    });

    it('accepts an offer that expires less than a millisecond after now', () => {
      spec
        .given([credited(500)])
        .when(redeem(offer({ expiresAt: `${T0.slice(0, -1)}0001Z` }), { now: T0 }))
        .thenEvents();
    });

    it.each([
      ['opens', at(0)],
      ['closes', at(59)],
    ])('accepts the minute the window %s', (_edge, now) => {
      spec
        .given([credited(500)])
        .when(redeem(offer(window), { now }))
        .thenEvents();
    });

    it('refuses more units than remain', () => {
      const units = offer({
        priceModel: 'UNIT_BASED',
        pointsPrice: null,
        unitCost: 10,
        remainingStock: 2,
      });
      const error = spec
        .given([credited(500)])
        .when(redeem(units, { quantity: 3 }))
        .then('OFFER_UNAVAILABLE');
      expect(error.details).toMatchObject({ remainingStock: 2, requested: 3 });
    });
  });

  describe('pricing', () => {
    const units = offer({ priceModel: 'UNIT_BASED', pointsPrice: null, unitCost: 40 });
    const amounts = offer({
      priceModel: 'AMOUNT_BASED',
      pointsPrice: null,
      minAmount: '10.00',
      maxAmount: '100.00',
      pointsPerAmountUnit: 10,
    });

    it('charges unitCost x quantity, one unit by default', () => {
      expect(costOf(redeem(units), [credited(500)])).toBe(40);
      expect(costOf(redeem(units, { quantity: 3 }), [credited(500)])).toBe(120);
    });

    it('refuses more units than remain, naming how many do', () => {
      const few = (remainingStock: number) => ({ ...units, remainingStock });
      const one = spec.given([credited(500)]).when(redeem(few(1), { quantity: 2 }));
      expect(one.then('OFFER_UNAVAILABLE').message).toBe('Only 1 unit of offer offer-1 remains');
      const two = spec.given([credited(500)]).when(redeem(few(2), { quantity: 3 }));
      expect(two.then('OFFER_UNAVAILABLE').message).toBe('Only 2 units of offer offer-1 remain');
    });

    it('charges amount x pointsPerAmountUnit within the bounds, inclusive', () => {
      expect(costOf(redeem(amounts, { amount: '10.00' }), [credited(5000)])).toBe(100);
      expect(costOf(redeem(amounts, { amount: '55.5' }), [credited(5000)])).toBe(555);
      expect(costOf(redeem(amounts, { amount: '100' }), [credited(5000)])).toBe(1000);
    });

    it.each([
      ['a quantity of 0', redeem(units, { quantity: 0 })],
      ['a quantity above 1 on a fixed offer', redeem(offer(), { quantity: 2 })],
      ['an amount on a fixed offer', redeem(offer(), { amount: '5' })],
      ['a missing amount', redeem(amounts)],
      ['an amount below the minimum', redeem(amounts, { amount: '9.99' })],
      ['an amount above the maximum', redeem(amounts, { amount: '100.01' })],
      ['an amount worth a fraction of a point', redeem(amounts, { amount: '10.05' })],
      ['a malformed amount', redeem(amounts, { amount: '1e2' })],
    ])('refuses %s', (_case, command) => {
      spec
        .given([credited(5000)])
        .when(command)
        .then('VALIDATION_FAILED');
    });

    it('checks availability before the price, the price before the limit, the limit before the balance', () => {
      spec
        .given()
        .when(redeem(offer({ status: 'INACTIVE' }), { quantity: 0 }))
        .then('OFFER_UNAVAILABLE');
      spec
        .given([credited(100), ...redeemed('r-0')])
        .when(redeem(offer(), { quantity: 0 }))
        .then('VALIDATION_FAILED');
      spec
        .given([credited(100), ...redeemed('r-0')])
        .when(redeem())
        .then('REDEMPTION_ALREADY_EXISTS');
    });
  });

  describe('per-member limit', () => {
    it('refuses a second redemption of an offer limited to one', () => {
      const error = spec
        .given([credited(500), ...redeemed('r-0')])
        .when(redeem())
        .then('REDEMPTION_ALREADY_EXISTS');
      expect(error.details).toEqual({ offerId: 'offer-1', maxPerMember: 1 });
    });

    it('allows another once the first is canceled', () => {
      const canceled: WalletEvent = {
        type: 'RedemptionCanceled',
        data: {
          redemptionId: 'r-0',
          from: 'SUBMITTED',
          canceledBy: 'member',
          reason: null,
          refundedPoints: 0,
          canceledAt: T0,
        },
      };
      spec
        .given([credited(500), ...redeemed('r-0'), canceled])
        .when(redeem())
        .thenEvents();
    });

    it('counts completed redemptions', () => {
      spec
        .given([credited(500), ...redeemed('r-0'), ...movedTo('r-0', 'COMPLETED')])
        .when(redeem())
        .then('REDEMPTION_ALREADY_EXISTS');
    });

    it('follows maxPerMember, and null means no limit', () => {
      const two = offer({ maxPerMember: 2 });
      spec
        .given([credited(500), ...redeemed('r-0', two)])
        .when(redeem(two))
        .thenEvents();
      spec
        .given([credited(500), ...redeemed('r-0', two), ...redeemed('r-9', two)])
        .when(redeem(two))
        .then('REDEMPTION_ALREADY_EXISTS');
      const open = offer({ maxPerMember: null });
      spec
        .given([credited(500), ...redeemed('r-0', open), ...redeemed('r-9', open)])
        .when(redeem(open))
        .thenEvents();
    });
  });

  describe('artifacts', () => {
    const shipping = {
      name: 'Mira Olsen',
      line1: 'Storgata 12',
      city: 'Oslo',
      postalCode: '0155',
      country: 'NO',
    };

    it('records the coupon code of a coupon offer, and requires it', () => {
      const coupon = offer({ artifact: 'COUPON' });
      const [created] = spec
        .given([credited(500)])
        .when(redeem(coupon, { couponCode: 'SAVE-9F31' }))
        .thenEvents();
      expect(created.data).toMatchObject({ artifact: { type: 'COUPON', couponCode: 'SAVE-9F31' } });
      spec
        .given([credited(500)])
        .when(redeem(coupon))
        .then('VALIDATION_FAILED');
      spec
        .given([credited(500)])
        .when(redeem(offer(), { couponCode: 'X' }))
        .then('VALIDATION_FAILED');
    });

    it('records the shipping address of a fulfilment offer, and requires it', () => {
      const item = offer({ artifact: 'FULFILMENT' });
      const [created] = spec
        .given([credited(500)])
        .when(redeem(item, { shipping }))
        .thenEvents();
      expect(created.data).toMatchObject({
        artifact: { type: 'FULFILMENT' },
        shipping: { ...shipping, line2: null, region: null },
      });
      spec
        .given([credited(500)])
        .when(redeem(item))
        .then('VALIDATION_FAILED');
      spec
        .given([credited(500)])
        .when(redeem(item, { shipping: { ...shipping, city: '' } }))
        .then('VALIDATION_FAILED');
      spec
        .given([credited(500)])
        .when(redeem(offer(), { shipping }))
        .then('VALIDATION_FAILED');
    });

    it('refuses a description past 500 characters', () => {
      spec
        .given([credited(500)])
        .when(redeem(offer(), { description: 'x'.repeat(501) }))
        .then('VALIDATION_FAILED');
    });
  });

  it('debits nothing for a free offer, and refunds nothing when it is canceled', () => {
    const free = offer({ pointsPrice: 0 });
    const events = spec.given().when(redeem(free)).thenEvents();
    expect(events.map((e) => e.type)).toEqual(['RedemptionCreated']);
    spec
      .given(events)
      .when(cancel('member'))
      .then([
        {
          type: 'RedemptionCanceled',
          data: {
            redemptionId: 'r-1',
            from: 'SUBMITTED',
            canceledBy: 'member',
            reason: 'changed plans',
            refundedPoints: 0,
            canceledAt: T0,
          },
        },
      ]);
  });
});
