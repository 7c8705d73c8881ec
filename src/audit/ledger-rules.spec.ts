import { createdWith } from '../catalog/offer/offer.fixtures';
import { offer, redeemed } from '../ledger/wallet/wallet.fixtures';
import * as walletState from '../ledger/wallet/wallet.state';
import {
  archived,
  audited,
  canceled,
  credit,
  debit,
  Log,
  moved,
  OFFER,
  refund,
  released,
  reversal,
  reversedRefund,
  reserved,
  WALLET,
} from './audit.fixtures';

/** A redemption of a fixed-price offer of its own, so that per-member limits stay out of the way. */
const redemption = (id: string, price: number) =>
  redeemed(id, offer({ id: `offer-${id}`, pointsPrice: price, maxPerMember: null }));

/** The rule, revision, position and message of each violation. */
const found = (log: Log) =>
  audited(log.events).map((v) => [v.rule, v.stream, v.revision, v.position, v.message]);

describe('LedgerAudit: the points of a wallet', () => {
  it('negative-balance: a redemption that takes more than the balance', () => {
    const log = new Log().append(WALLET, [credit(100)]).append(WALLET, redemption('r-1', 150));
    expect(found(log)).toEqual([
      ['negative-balance', WALLET, 2n, 3n, 'the balance falls to -50 points from 100'],
    ]);
  });

  it('negative-balance: reported where the balance falls, not at each event while it is below 0', () => {
    const log = new Log()
      .append(WALLET, redemption('r-1', 150))
      .append(WALLET, [credit(100)])
      .append(WALLET, redemption('r-2', 10));
    expect(found(log).map(([rule, , revision, , message]) => [rule, revision, message])).toEqual([
      ['negative-balance', 1n, 'the balance falls to -150 points from 0'],
      ['negative-balance', 4n, 'the balance falls to -60 points'],
    ]);
  });

  it('balance-mismatch: a fold whose balance drifts from credited - debited + refunded', () => {
    const evolve = walletState.evolveWallet;
    const spy = jest.spyOn(walletState, 'evolveWallet').mockImplementation((state, event) => {
      const next = evolve(state, event);
      if (next.status === 'empty' || event.type !== 'PointsRefunded') return next;
      return { ...next, ledger: { ...next.ledger, balance: next.ledger.balance + 1 } };
    });
    try {
      const log = new Log()
        .append(WALLET, [credit(100)])
        .append(WALLET, redemption('r-1', 40))
        .append(WALLET, [canceled('r-1', 'SUBMITTED', 40), refund(40, 'r-1')]);
      expect(found(log)).toEqual([
        [
          'balance-mismatch',
          WALLET,
          4n,
          5n,
          'the balance is 101, credited - debited + refunded is 100',
        ],
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('unsafe-integer: lifetime points past 2^53 - 1, where sums stop being exact', () => {
    const log = new Log()
      .append(WALLET, [credit(Number.MAX_SAFE_INTEGER)])
      .append(WALLET, [credit(1)])
      .append(WALLET, [credit(1)]);
    expect(found(log)).toEqual([
      [
        'unsafe-integer',
        WALLET,
        1n,
        2n,
        "the wallet's figures (balance 9,007,199,254,740,992, lifetime points 9,007,199,254,740,992) leave the safe-integer range (9,007,199,254,740,991): its sums are no longer exact",
      ],
    ]);
  });
});

describe('LedgerAudit: a redemption and its debit', () => {
  it('debit-not-atomic: the debit written by another request than its RedemptionCreated', () => {
    const [created, debited] = redemption('r-1', 100);
    const log = new Log()
      .append(WALLET, [credit(100)])
      .append(WALLET, [created])
      .append(WALLET, [debited]);
    expect(found(log)).toEqual([
      [
        'debit-not-atomic',
        WALLET,
        2n,
        3n,
        "the debit of redemption r-1 follows its RedemptionCreated but carries another request's metadata: two appends, not one",
      ],
    ]);
  });

  it('debit-not-atomic: a redemption that costs points with no debit after it', () => {
    const [created] = redemption('r-1', 100);
    const log = new Log().append(WALLET, [credit(100)]).append(WALLET, [created]);
    expect(found(log)).toEqual([
      [
        'debit-not-atomic',
        WALLET,
        1n,
        2n,
        'redemption r-1 costs 100 points, and the next event of its append is not its PointsDebited',
      ],
    ]);
  });

  it('debit-not-atomic: each half of an append split by another event is reported', () => {
    const [created, debited] = redemption('r-1', 100);
    const log = new Log()
      .append(WALLET, [credit(100), created])
      .append(OFFER, createdWith())
      .append(WALLET, [debited]);
    expect(found(log).map(([rule, , revision, position]) => [rule, revision, position])).toEqual([
      ['debit-not-atomic', 1n, 2n],
      ['debit-not-atomic', 2n, 4n],
    ]);
  });

  it('debit-mismatch: a debit that is not what the redemption costs', () => {
    const [created] = redemption('r-1', 100);
    const log = new Log().append(WALLET, [credit(100)]).append(WALLET, [created, debit(90, 'r-1')]);
    expect(found(log)).toEqual([
      ['debit-mismatch', WALLET, 2n, 3n, 'it debits 90 points for redemption r-1, which costs 100'],
    ]);
  });

  it('redemption-repeated and debit-mismatch: a redemption created and debited a second time', () => {
    const log = new Log()
      .append(WALLET, [credit(100)])
      .append(WALLET, redemption('r-1', 30))
      .append(WALLET, redemption('r-1', 30));
    expect(found(log).map(([rule, , revision, , message]) => [rule, revision, message])).toEqual([
      [
        'redemption-repeated',
        3n,
        'redemption r-1 was created before: the fold ignores this one, but not what follows it',
      ],
      ['debit-mismatch', 4n, 'redemption r-1 is debited a second time (30 points before)'],
    ]);
  });
});

describe('LedgerAudit: reversals', () => {
  const bought = () =>
    new Log().append(WALLET, [credit(100)]).append(WALLET, redemption('r-1', 100));

  it('passes a partial reversal, a cancel of the rest and a reversal of a free redemption', () => {
    const log = bought()
      .append(WALLET, [reversal('r-1', 100), reversedRefund(100, 'r-1')])
      .append(WALLET, redemption('r-2', 0))
      .append(WALLET, [reversal('r-2', 0)]);
    expect(found(log)).toEqual([]);
  });

  it('reversal-mismatch: a reversal that gives back more than is still debited', () => {
    const log = bought().append(WALLET, [reversal('r-1', 160), reversedRefund(160, 'r-1')]);
    expect(found(log)).toEqual([
      [
        'reversal-mismatch',
        WALLET,
        3n,
        4n,
        'it gives back 160 points of redemption r-1, where 100 are still debited for it',
      ],
    ]);
  });

  it('reversal-mismatch: a reversal of a canceled redemption, or of one reversed whole', () => {
    const canceledFirst = bought()
      .append(WALLET, [canceled('r-1', 'SUBMITTED', 100), refund(100, 'r-1')])
      .append(WALLET, [reversal('r-1', 0)]);
    expect(found(canceledFirst).map(([rule, , revision]) => [rule, revision])).toEqual([
      ['reversal-mismatch', 5n],
    ]);
    const twice = bought()
      .append(WALLET, [reversal('r-1', 100), reversedRefund(100, 'r-1')])
      .append(WALLET, [reversal('r-1', 0)]);
    expect(found(twice).map(([rule, , revision]) => [rule, revision])).toEqual([
      ['reversal-mismatch', 5n],
    ]);
  });

  it('reversal-mismatch: a part that gives back more points than its units or amount are worth', () => {
    // 10 units at 10 points, and 10.00 at 3 points: 1 unit is worth 10 points, "1.00" 3.
    const priced = (
      id: string,
      snapshot: Record<string, unknown>,
      data: Record<string, unknown>,
    ) => {
      const [created] = redeemed(id, offer({ id: `offer-${id}`, maxPerMember: null, ...snapshot }));
      const pointsCost = data.pointsCost as number;
      return [
        { ...created, data: { ...(created.data as object), ...data } },
        debit(pointsCost, id),
      ];
    };
    const unit = { priceModel: 'UNIT_BASED', pointsPrice: null, unitCost: 10 };
    const amount = {
      priceModel: 'AMOUNT_BASED',
      pointsPrice: null,
      minAmount: '1.00',
      maxAmount: '100.00',
      pointsPerAmountUnit: 3,
    };
    const log = new Log()
      .append(WALLET, [credit(200)])
      .append(WALLET, priced('r-u', unit, { quantity: 10, pointsCost: 100 }))
      .append(WALLET, [reversal('r-u', 10, { units: 1 }), reversedRefund(10, 'r-u')])
      .append(WALLET, [reversal('r-u', 90, { units: 1 }), reversedRefund(90, 'r-u')])
      .append(WALLET, priced('r-a', amount, { amount: '10.00', pointsCost: 30 }))
      .append(WALLET, [reversal('r-a', 30, { amount: '1.00' }), reversedRefund(30, 'r-a')])
      .append(WALLET, [reversal('r-u', 0, { amount: '1.00' })]);
    expect(found(log).map(([rule, , revision, , message]) => [rule, revision, message])).toEqual([
      [
        'reversal-mismatch',
        5n,
        'it gives back 90 points for 1 units of redemption r-u, where the service gives back 10',
      ],
      [
        'reversal-mismatch',
        9n,
        'it gives back 30 points for amount "1.00" of redemption r-a, where the service gives back 3',
      ],
      [
        'reversal-mismatch',
        11n,
        'it reverses amount "1.00" of redemption r-u, a UNIT_BASED one, which is not measured so',
      ],
    ]);
  });

  it('refund-not-atomic: a reversal whose refund is written by another request', () => {
    const log = bought()
      .append(WALLET, [reversal('r-1', 100)])
      .append(WALLET, [reversedRefund(100, 'r-1')]);
    expect(found(log)).toEqual([
      [
        'refund-not-atomic',
        WALLET,
        4n,
        5n,
        "the refund of redemption r-1 follows its RedemptionReversed but carries another request's metadata: two appends, not one",
      ],
    ]);
  });

  it('refund-not-atomic: a reversal with no refund after it', () => {
    const log = bought().append(WALLET, [reversal('r-1', 100)]);
    expect(found(log).map(([rule, , revision]) => [rule, revision])).toEqual([
      ['refund-not-atomic', 3n],
    ]);
  });

  it('refund-mismatch: a refund of other than its reversal says', () => {
    const log = bought().append(WALLET, [reversal('r-1', 40), reversedRefund(60, 'r-1')]);
    expect(found(log)).toEqual([
      [
        'refund-mismatch',
        WALLET,
        4n,
        5n,
        'it refunds 60 points for redemption r-1, and its RedemptionReversed says 40',
      ],
    ]);
  });
});

describe('LedgerAudit: fulfilment', () => {
  const shippedTo = (id: string, artifact: string) => {
    const [created, debit] = redemption(id, 10);
    const data = created.data as Record<string, unknown>;
    return [{ ...created, data: { ...data, artifact: { type: artifact } } }, debit];
  };
  const fulfilled = (redemptionId: string) => ({
    type: 'RedemptionFulfilled',
    data: {
      redemptionId,
      trackingNumber: 'JD1',
      carrier: null,
      trackingUrl: null,
      fulfilledAt: '2025-03-01T10:00:00.000Z',
    },
  });

  it('passes a FULFILMENT redemption shipped, and its tracking corrected', () => {
    const log = new Log()
      .append(WALLET, [credit(100)])
      .append(WALLET, shippedTo('r-1', 'FULFILMENT'))
      .append(WALLET, [fulfilled('r-1')])
      .append(WALLET, [fulfilled('r-1')]);
    expect(found(log)).toEqual([]);
  });

  it('fulfilment-mismatch: a redemption of another artifact, or a canceled one, fulfilled', () => {
    const log = new Log()
      .append(WALLET, [credit(100)])
      .append(WALLET, shippedTo('r-1', 'NONE'))
      .append(WALLET, [fulfilled('r-1')])
      .append(WALLET, shippedTo('r-2', 'FULFILMENT'))
      .append(WALLET, [canceled('r-2', 'SUBMITTED', 10), refund(10, 'r-2')])
      .append(WALLET, [fulfilled('r-2')])
      .append(WALLET, [fulfilled('r-9')]);
    expect(found(log).map(([rule, , revision, , message]) => [rule, revision, message])).toEqual([
      [
        'fulfilment-mismatch',
        3n,
        'it fulfils redemption r-1, whose artifact is NONE, not FULFILMENT',
      ],
      [
        'fulfilment-mismatch',
        8n,
        `it fulfils redemption r-2, canceled at ${'2025-03-01T10:00:00.000Z'}`,
      ],
      ['unknown-redemption', 9n, 'a fulfilment of redemption r-9, which this wallet does not hold'],
    ]);
  });
});

describe('LedgerAudit: cancels and refunds', () => {
  const history = () =>
    new Log()
      .append(WALLET, [credit(100)])
      .append(WALLET, redemption('r-1', 100))
      .append(WALLET, [canceled('r-1', 'SUBMITTED', 100), refund(100, 'r-1')]);

  it('refund-not-atomic: a second refund of a canceled redemption, written on its own', () => {
    const log = history().append(WALLET, [refund(100, 'r-1')]);
    expect(found(log)).toEqual([
      [
        'refund-not-atomic',
        WALLET,
        5n,
        6n,
        'a refund of 100 points for redemption r-1, refunded 100 points already: a refund is the next event of the append that cancels or reverses its redemption',
      ],
    ]);
  });

  it('refund-mismatch: a refund of more than its cancel says', () => {
    const log = new Log()
      .append(WALLET, [credit(100)])
      .append(WALLET, redemption('r-1', 100))
      .append(WALLET, [canceled('r-1', 'SUBMITTED', 100), refund(160, 'r-1')]);
    expect(found(log)).toEqual([
      [
        'refund-mismatch',
        WALLET,
        4n,
        5n,
        'it refunds 160 points for redemption r-1, and its RedemptionCanceled says 100',
      ],
    ]);
  });

  it('refund-mismatch: a cancel that refunds other than what was debited for the redemption', () => {
    const log = new Log()
      .append(WALLET, [credit(100)])
      .append(WALLET, redemption('r-1', 100))
      .append(WALLET, [canceled('r-1', 'SUBMITTED', 60), refund(60, 'r-1')]);
    expect(found(log)).toEqual([
      [
        'refund-mismatch',
        WALLET,
        3n,
        4n,
        'the cancel of redemption r-1 refunds 60 points, where 100 were debited for it and 0 refunded',
      ],
    ]);
  });

  it('canceled-twice: a redemption canceled again', () => {
    const log = history().append(WALLET, [canceled('r-1', 'CANCELED', 0)]);
    expect(found(log)).toEqual([
      [
        'canceled-twice',
        WALLET,
        5n,
        6n,
        `redemption r-1 was canceled already, at ${log.events[3].metadata.occurredAt}`,
      ],
    ]);
  });

  it('forfeit-mismatch: a forfeit on archiving that does not take the whole balance', () => {
    const log = new Log()
      .append(WALLET, [credit(300)])
      .append(WALLET, [archived(false, 300), debit(200, null)]);
    expect(found(log)).toEqual([
      [
        'forfeit-mismatch',
        WALLET,
        2n,
        3n,
        'it forfeits 200 points where its MemberArchived says 300',
      ],
    ]);
  });

  it('archived-member: points credited to an archived member', () => {
    const log = new Log()
      .append(WALLET, [credit(300)])
      .append(WALLET, [archived(true, 0)])
      .append(WALLET, [credit(5)]);
    expect(found(log)).toEqual([
      ['archived-member', WALLET, 2n, 3n, '5 points credited to an archived member'],
    ]);
  });
});

describe('LedgerAudit: the lifecycle of a redemption', () => {
  const created = () =>
    new Log().append(WALLET, [credit(100)]).append(WALLET, redemption('r-1', 0));

  it('unknown-redemption: a status move of a redemption the wallet does not hold', () => {
    const log = created().append(WALLET, [moved('r-2', 'SUBMITTED', 'OPEN')]);
    expect(found(log)).toEqual([
      [
        'unknown-redemption',
        WALLET,
        2n,
        3n,
        'a status move of redemption r-2, which this wallet does not hold',
      ],
    ]);
  });

  it('illegal-transition: a move the lifecycle does not allow', () => {
    const log = created().append(WALLET, [moved('r-1', 'SUBMITTED', 'COMPLETED')]);
    expect(found(log)).toEqual([
      [
        'illegal-transition',
        WALLET,
        2n,
        3n,
        'redemption r-1: A redemption cannot move from SUBMITTED to COMPLETED',
      ],
    ]);
  });

  it('illegal-transition: a move from another status than the redemption has', () => {
    const log = created().append(WALLET, [moved('r-1', 'OPEN', 'PURCHASED')]);
    expect(found(log).map(([rule, , , , message]) => [rule, message])).toEqual([
      [
        'illegal-transition',
        'it moves redemption r-1 from "OPEN" to PURCHASED, but the redemption is SUBMITTED, and A redemption cannot move from SUBMITTED to PURCHASED',
      ],
    ]);
  });

  it('illegal-transition: a member cancel of a PURCHASED redemption', () => {
    const log = created()
      .append(WALLET, [moved('r-1', 'SUBMITTED', 'OPEN')])
      .append(WALLET, [moved('r-1', 'OPEN', 'PURCHASED')])
      .append(WALLET, [canceled('r-1', 'PURCHASED', 0, 'member')]);
    expect(found(log)).toEqual([
      [
        'illegal-transition',
        WALLET,
        4n,
        5n,
        'redemption r-1: A PURCHASED redemption can no longer be canceled by the member; the organization must cancel it',
      ],
    ]);
  });

  it('per-member-limit: more redemptions of an offer than its maxPerMember', () => {
    const limited = offer({ id: 'offer-1', pointsPrice: 0, maxPerMember: 1 });
    const log = new Log()
      .append(WALLET, redeemed('r-1', limited))
      .append(WALLET, redeemed('r-2', limited));
    expect(found(log)).toEqual([
      [
        'per-member-limit',
        WALLET,
        1n,
        2n,
        'the member already holds 1 redemption(s) of offer offer-1 that are not canceled, and its maxPerMember is 1',
      ],
    ]);
  });
});

describe('LedgerAudit: the stock of an offer', () => {
  it('stock-exceeded: reservations past maxTotal, by a reservation or by a lower maxTotal', () => {
    const log = new Log()
      .append(OFFER, createdWith({ maxTotal: 3 }))
      .append(OFFER, [reserved('r-1', 2)])
      .append(OFFER, [reserved('r-2', 2)])
      .append(OFFER, [released('r-2', 2)])
      .append(OFFER, [{ type: 'OfferUpdated', data: { changes: { maxTotal: 1 }, updatedAt: '' } }]);
    expect(found(log)).toEqual([
      [
        'stock-exceeded',
        OFFER,
        2n,
        3n,
        '4 units are reserved of offer offer-1, whose maxTotal is 3',
      ],
      [
        'stock-exceeded',
        OFFER,
        4n,
        5n,
        '2 units are reserved of offer offer-1, whose maxTotal is 1',
      ],
    ]);
  });

  it('reservation-mismatch: a release of a redemption that holds no reservation', () => {
    const log = new Log()
      .append(OFFER, createdWith({ maxTotal: 3 }))
      .append(OFFER, [released('r-1')]);
    expect(found(log)).toEqual([
      [
        'reservation-mismatch',
        OFFER,
        1n,
        2n,
        'redemption r-1 holds no reservation of this offer to release',
      ],
    ]);
  });

  it('offer-lifecycle: a reservation before the offer exists', () => {
    const log = new Log().append(OFFER, [reserved('r-1')]).append(OFFER, createdWith());
    expect(found(log)).toEqual([
      [
        'offer-lifecycle',
        OFFER,
        0n,
        1n,
        "a OfferStockReserved before the offer's OfferCreated: the fold ignores it",
      ],
    ]);
  });
});
