import { deciderSpec } from '../../shared/domain/decider-spec';
import { fold } from '../../shared/domain/decider';
import { redemptionView } from '../redemptions/redemption.view';
import type { ApplyHold, CreateRedemption, ReleaseHold, WalletCommand } from './wallet.commands';
import { decideWalletOutcome, walletDecider } from './wallet.decider';
import type { WalletEvent } from './wallet.events';
import { at, cancel, credited, movedTo, offer, registered } from './wallet.fixtures';
import { walletOf, type WalletState } from './wallet.state';
import { walletView } from './wallet.view';

const spec = deciderSpec(walletDecider);

const create = (
  redemptionId: string,
  extra: Partial<CreateRedemption['data']> = {},
): CreateRedemption => ({
  type: 'CreateRedemption',
  data: {
    redemptionId,
    transactionId: `tx-${redemptionId}`,
    externalUserID: 'm-1',
    offer: offer({ maxPerMember: null }),
    delayPointsDeduction: true,
    now: at(0),
    ...extra,
  },
});

const apply = (extra: Partial<ApplyHold['data']> = {}): ApplyHold => ({
  type: 'ApplyHold',
  data: {
    redemptionId: 'r-1',
    transactionId: 'tx-apply',
    reference: 'order-42',
    actor: 'org',
    now: at(5),
    ...extra,
  },
});

const release = (extra: Partial<ReleaseHold['data']> = {}): ReleaseHold => ({
  type: 'ReleaseHold',
  data: { redemptionId: 'r-1', reason: 'payment declined', actor: 'org', now: at(5), ...extra },
});

const credit = (amount: number, now = at(5)): WalletCommand => ({
  type: 'CreditPoints',
  data: { transactionId: 'tx-c', amount, reason: null, now },
});

/** What a held redemption of r-1 at 100 points records, expiring at at(60). */
function held(id = 'r-1', expiresAt = at(60)): WalletEvent[] {
  const events = spec
    .given([registered(), credited(1000)])
    .when(create(id, { holdExpiresAt: expiresAt }))
    .thenEvents();
  return events;
}

const stateOf = (events: WalletEvent[]): WalletState => fold(walletDecider, events);
const view = (state: WalletState, id = 'r-1') =>
  redemptionView(walletOf(state).redemptions.get(id)!, 'm-1');

describe('wallet decider: held points (delayed deduction)', () => {
  it('holds the points instead of debiting them, in the append that creates the redemption', () => {
    const events = held();
    expect(events.map((e) => e.type)).toEqual(['RedemptionCreated', 'PointsHeld']);
    expect(events[0].data).toMatchObject({ deduction: 'DELAYED', pointsCost: 100 });
    expect(events[1].data).toEqual({
      redemptionId: 'r-1',
      points: 100,
      expiresAt: at(60),
      heldAt: at(0),
    });
    const state = stateOf([registered(), credited(1000), ...events]);
    expect(walletView(walletOf(state))).toMatchObject({
      balance: 1000,
      pending: 100,
      available: 900,
      amountSpent: 0,
    });
    expect(view(state)).toMatchObject({
      deduction: 'DELAYED',
      pointsDebited: 0,
      hold: { state: 'HELD', points: 100, expiresAt: at(60), appliedAt: null, reference: null },
    });
  });

  it('expires a hold 24 hours after it is made unless told, and records the instant canonically', () => {
    const [, heldEvent] = spec
      .given([registered(), credited(1000)])
      .when(create('r-1'))
      .thenEvents();
    expect(heldEvent.data).toMatchObject({ expiresAt: '2025-03-02T10:00:00.000Z' });
    const [, other] = spec
      .given([registered(), credited(1000)])
      .when(create('r-1', { holdExpiresAt: '2025-03-01T12:00:00+01:00' }))
      .thenEvents();
    expect(other.data).toMatchObject({ expiresAt: '2025-03-01T11:00:00.000Z' });
  });

  it.each([
    ['in the past', at(-1), 'holdExpiresAt must be in the future'],
    ['now', at(0), 'holdExpiresAt must be in the future'],
    ['past 30 days', at(30 * 24 * 60 + 1), 'holdExpiresAt must be at most 30 days ahead'],
    ['without a zone', '2025-03-01T12:00:00', 'holdExpiresAt must be an ISO-8601 instant'],
  ])('refuses a holdExpiresAt %s', (_case, holdExpiresAt, message) => {
    const error = spec
      .given([registered(), credited(1000)])
      .when(create('r-1', { holdExpiresAt }))
      .then('VALIDATION_FAILED');
    expect(error.message).toContain(message);
    expect(error.details).toEqual({ field: 'holdExpiresAt' });
  });

  it('refuses a holdExpiresAt without delayPointsDeduction', () => {
    const error = spec
      .given([registered(), credited(1000)])
      .when(create('r-1', { delayPointsDeduction: false, holdExpiresAt: at(60) }))
      .then('VALIDATION_FAILED');
    expect(error.details).toEqual({ field: 'holdExpiresAt' });
  });

  it('spends only what is not on hold: balance - pending, for held and immediate redemptions alike', () => {
    const given = [registered(), credited(150), ...held()];
    const error = spec
      .given(given)
      .when(create('r-2', { delayPointsDeduction: false }))
      .then('INSUFFICIENT_POINTS');
    expect(error.details).toEqual({ balance: 150, pending: 100, available: 50, required: 100 });
    spec.given(given).when(create('r-2')).then('INSUFFICIENT_POINTS');
    const ok = spec
      .given([...given, credited(50, 'tx-more')])
      .when(create('r-2', { delayPointsDeduction: false }))
      .thenEvents();
    expect(ok.map((e) => e.type)).toEqual(['RedemptionCreated', 'PointsDebited']);
  });

  it('applies a hold: PointsHoldApplied and its PointsDebited in one append', () => {
    const state = spec
      .given([registered(), credited(1000), ...held()])
      .when(apply())
      .then([
        {
          type: 'PointsHoldApplied',
          data: { redemptionId: 'r-1', points: 100, reference: 'order-42', appliedAt: at(5) },
        },
        {
          type: 'PointsDebited',
          data: {
            transactionId: 'tx-apply',
            amount: 100,
            reason: 'redemption',
            redemptionId: 'r-1',
            debitedAt: at(5),
          },
        },
      ]);
    expect(walletView(walletOf(state))).toMatchObject({ balance: 900, pending: 0, available: 900 });
    expect(view(state)).toMatchObject({
      pointsDebited: 100,
      updatedAt: at(5),
      hold: { state: 'APPLIED', appliedAt: at(5), reference: 'order-42', releasedAt: null },
    });
  });

  it('refuses to apply what is not a HELD hold', () => {
    const given = [registered(), credited(1000), ...held()];
    const immediate = spec
      .given([registered(), credited(1000)])
      .when(create('r-1', { delayPointsDeduction: false }))
      .thenEvents();
    spec
      .given([registered(), credited(1000), ...immediate])
      .when(apply())
      .then('REDEMPTION_NOT_HELD');
    spec
      .given(given)
      .when(apply({ redemptionId: 'r-9' }))
      .then('NOT_FOUND');
    const applied = spec.given(given).when(apply()).thenEvents();
    spec
      .given([...given, ...applied])
      .when(apply())
      .then('HOLD_ALREADY_APPLIED');
    const released = spec.given(given).when(release()).thenEvents();
    spec
      .given([...given, ...released])
      .when(apply())
      .then('HOLD_RELEASED');
    spec
      .given(given)
      .when(apply({ reference: 'a\nb' }))
      .then('VALIDATION_FAILED');
  });

  it('refuses to apply an expired hold, and writes nothing', () => {
    const error = spec
      .given([registered(), credited(1000), ...held()])
      .when(apply({ now: at(60) }))
      .then('HOLD_EXPIRED');
    expect(error.details).toEqual({ redemptionId: 'r-1', expiresAt: at(60) });
  });

  it('releases a hold: the redemption canceled, nothing debited or refunded', () => {
    const state = spec
      .given([registered(), credited(1000), ...held()])
      .when(release())
      .then([
        {
          type: 'RedemptionCanceled',
          data: {
            redemptionId: 'r-1',
            from: 'SUBMITTED',
            canceledBy: 'org',
            reason: 'payment declined',
            refundedPoints: 0,
            canceledAt: at(5),
          },
        },
        {
          type: 'PointsHoldReleased',
          data: { redemptionId: 'r-1', points: 100, reason: 'released', releasedAt: at(5) },
        },
      ]);
    expect(walletView(walletOf(state))).toMatchObject({
      balance: 1000,
      pending: 0,
      refunded: 0,
      amountSpent: 0,
    });
    expect(view(state)).toMatchObject({
      status: 'CANCELED',
      hold: { state: 'RELEASED', releasedAt: at(5) },
    });
    expect(walletOf(state).nonCanceledByOffer.get('offer-1')).toBe(0);
  });

  it('refuses to release an applied hold (cancel refunds it), or one released', () => {
    const given = [registered(), credited(1000), ...held()];
    const applied = spec.given(given).when(apply()).thenEvents();
    spec
      .given([...given, ...applied])
      .when(release())
      .then('HOLD_ALREADY_APPLIED');
    const refund = spec
      .given([...given, ...applied])
      .when(cancel('org'))
      .thenEvents();
    expect(refund.map((e) => e.type)).toEqual(['RedemptionCanceled', 'PointsRefunded']);
    const released = spec.given(given).when(release()).thenEvents();
    spec
      .given([...given, ...released])
      .when(release())
      .then('HOLD_RELEASED');
  });

  it('cancels a held redemption by releasing its hold, with reason canceled', () => {
    const events = spec
      .given([registered(), credited(1000), ...held()])
      .when(cancel('member'))
      .thenEvents();
    expect(events.map((e) => e.type)).toEqual(['RedemptionCanceled', 'PointsHoldReleased']);
    expect(events[0].data).toMatchObject({ canceledBy: 'member', refundedPoints: 0 });
    expect(events[1].data).toMatchObject({ reason: 'canceled', points: 100 });
  });

  it('refuses to reverse or complete a held redemption, and fulfils it whatever the hold', () => {
    const given = [registered(), credited(1000), ...held()];
    spec
      .given(given)
      .when({
        type: 'ReverseRedemption',
        data: {
          redemptionId: 'r-1',
          transactionId: 't',
          forfeitTransactionId: 'f',
          actor: 'org',
          now: at(5),
        },
      })
      .then('HOLD_NOT_APPLIED');
    const toPurchased = movedTo('r-1', 'PURCHASED');
    spec
      .given([...given, ...toPurchased])
      .when({
        type: 'ChangeRedemptionStatus',
        data: { redemptionId: 'r-1', status: 'COMPLETED', actor: 'org', now: at(5) },
      })
      .then('HOLD_NOT_APPLIED');
  });

  it('releases expired holds first, in the same append as any command, so they never block spending', () => {
    const given = [registered(), credited(100), ...held('r-1', at(30))];
    spec
      .given(given)
      .when(create('r-2', { delayPointsDeduction: false, now: at(29) }))
      .then('INSUFFICIENT_POINTS');
    const events = spec
      .given(given)
      .when(create('r-2', { delayPointsDeduction: false, now: at(30) }))
      .thenEvents();
    expect(events.map((e) => e.type)).toEqual([
      'RedemptionCanceled',
      'PointsHoldReleased',
      'RedemptionCreated',
      'PointsDebited',
    ]);
    expect(events[0].data).toMatchObject({ canceledBy: 'system', refundedPoints: 0 });
    expect(events[1].data).toMatchObject({ reason: 'expired', releasedAt: at(30) });
    const state = stateOf([...given, ...events]);
    expect(view(state)).toMatchObject({ status: 'CANCELED', hold: { state: 'EXPIRED' } });
    expect(walletView(walletOf(state))).toMatchObject({ balance: 0, pending: 0 });
  });

  it('expires holds with any command, and ExpireHolds alone; a refused command writes nothing', () => {
    const given = [registered(), credited(1000), ...held('r-1', at(30))];
    const credits = spec
      .given(given)
      .when(credit(5, at(31)))
      .thenEvents();
    expect(credits.map((e) => e.type)).toEqual([
      'RedemptionCanceled',
      'PointsHoldReleased',
      'PointsCredited',
    ]);
    expect(
      spec
        .given(given)
        .when({ type: 'ExpireHolds', data: { now: at(29) } })
        .thenEvents(),
    ).toEqual([]);
    const expired = spec
      .given(given)
      .when({ type: 'ExpireHolds', data: { now: at(31) } })
      .thenEvents();
    expect(expired.map((e) => e.type)).toEqual(['RedemptionCanceled', 'PointsHoldReleased']);
    spec
      .given(given)
      .when(release({ now: at(31) }))
      .then('HOLD_EXPIRED');
    spec
      .given([...given, ...expired])
      .when(release({ now: at(31) }))
      .then('HOLD_EXPIRED');
  });

  it('records the expiry with a refusal decided on it, never with bad input', () => {
    const given = [registered(), credited(1000), ...held('r-1', at(30))];
    const state = stateOf(given);
    const { data } = cancel('org');
    const cancelLate = {
      type: 'CancelRedemption',
      data: { ...data, now: at(31) },
    } as WalletCommand;
    // The cancel sees the hold released by its expiry: "already canceled", and the expiry written,
    // so that the reads say so too.
    const canceled = decideWalletOutcome(cancelLate, state);
    expect(canceled.refused?.code).toBe('REDEMPTION_ALREADY_CANCELED');
    expect(canceled.events.map((e) => e.type)).toEqual([
      'RedemptionCanceled',
      'PointsHoldReleased',
    ]);
    expect(canceled.events[1].data).toMatchObject({ reason: 'expired' });
    expect(view(stateOf([...given, ...canceled.events]))).toMatchObject({
      status: 'CANCELED',
      hold: { state: 'EXPIRED' },
    });
    const applied = decideWalletOutcome(apply({ now: at(31) }), state);
    expect([applied.refused?.code, applied.events.length]).toEqual(['HOLD_EXPIRED', 2]);
    // Bad input writes nothing.
    const bad = decideWalletOutcome(apply({ now: at(31), reference: 'a\nb' }), state);
    expect([bad.refused?.code, bad.events]).toEqual(['VALIDATION_FAILED', []]);
    // Nothing expired: a refusal writes nothing.
    const early = decideWalletOutcome(release({ now: at(29), reason: '' }), state);
    expect(early.events).toEqual([]);
  });

  it('releases every hold when the member is archived, before the balance is forfeited', () => {
    const given = [registered(), credited(1000), ...held()];
    const events = spec
      .given(given)
      .when({
        type: 'ArchiveMember',
        data: { retainBalance: false, transactionId: 'tx-f', now: at(5) },
      })
      .thenEvents();
    expect(events.map((e) => e.type)).toEqual([
      'RedemptionCanceled',
      'PointsHoldReleased',
      'MemberArchived',
      'PointsDebited',
    ]);
    expect(events[2].data).toMatchObject({ forfeitedPoints: 1000 });
    const state = stateOf([...given, ...events]);
    expect(walletView(walletOf(state))).toMatchObject({ balance: 0, pending: 0, available: 0 });
  });

  it('holds a free redemption at 0 points, which applies without a debit', () => {
    const free = offer({ pointsPrice: 0, maxPerMember: null });
    const events = spec
      .given([registered()])
      .when(create('r-1', { offer: free }))
      .thenEvents();
    expect(events[1].data).toMatchObject({ points: 0 });
    const applied = spec
      .given([registered(), ...events])
      .when(apply())
      .thenEvents();
    expect(applied.map((e) => e.type)).toEqual(['PointsHoldApplied']);
  });
});
