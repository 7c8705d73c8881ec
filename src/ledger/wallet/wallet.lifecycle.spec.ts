import { deciderSpec } from '../../shared/domain/decider-spec';
import type { WalletCommand } from './wallet.commands';
import { walletDecider } from './wallet.decider';
import { REDEMPTION_STATUSES, RedemptionStatus, WalletEvent } from './wallet.events';
import { at, cancel, credited, movedTo, redeemed, T0 } from './wallet.fixtures';

const spec = deciderSpec(walletDecider);

type Schedule = { startAt?: string | null; endAt?: string | null; redemptionId?: string };
const move = (status: RedemptionStatus, data: Schedule = {}): WalletCommand => ({
  type: 'ChangeRedemptionStatus',
  data: { redemptionId: 'r-1', status, actor: 'org', now: T0, ...data },
});

describe('wallet: redemption lifecycle', () => {
  const ALLOWED: [RedemptionStatus, RedemptionStatus][] = [
    ['SUBMITTED', 'OPEN'],
    ['OPEN', 'AWAITING_VENDOR'],
    ['OPEN', 'AWAITING_CUSTOMER'],
    ['OPEN', 'PURCHASED'],
    ['AWAITING_VENDOR', 'AWAITING_CUSTOMER'],
    ['AWAITING_CUSTOMER', 'AWAITING_VENDOR'],
    ['AWAITING_VENDOR', 'OPEN'],
    ['AWAITING_CUSTOMER', 'OPEN'],
    ['AWAITING_VENDOR', 'PURCHASED'],
    ['AWAITING_CUSTOMER', 'PURCHASED'],
    ['PURCHASED', 'COMPLETED'],
  ];
  const reach = (status: RedemptionStatus): WalletEvent[] => {
    const base = [credited(100), ...redeemed('r-1')];
    if (status !== 'CANCELED') return [...base, ...movedTo('r-1', status)];
    return [...base, ...spec.given(base).when(cancel('org')).thenEvents()];
  };
  const pairs = REDEMPTION_STATUSES.flatMap((from) =>
    REDEMPTION_STATUSES.map((to) => [from, to] as const),
  );
  const isAllowed = (from: string, to: string) => ALLOWED.some(([f, t]) => f === from && t === to);

  it.each(pairs.filter(([f, t]) => isAllowed(f, t)))('moves %s -> %s', (from, to) => {
    const state = spec
      .given(reach(from))
      .when(move(to))
      .then([
        {
          type: 'RedemptionStatusChanged',
          data: { redemptionId: 'r-1', from, to, startAt: null, endAt: null, changedAt: T0 },
        },
      ]);
    expect(state.status !== 'empty' && state.redemptions.get('r-1')?.status).toBe(to);
  });

  it.each(pairs.filter(([f, t]) => !isAllowed(f, t)))('refuses %s -> %s', (from, to) => {
    const error = spec.given(reach(from)).when(move(to)).then('INVALID_STATUS_TRANSITION');
    expect(error.details).toMatchObject({ from, to });
  });

  it('points a move to CANCELED at the cancel command', () => {
    expect(
      spec.given(reach('OPEN')).when(move('CANCELED')).then('INVALID_STATUS_TRANSITION').message,
    ).toMatch(/cancel/);
  });

  it('refuses an unknown redemption or status', () => {
    spec.given().when(move('OPEN')).then('NOT_FOUND');
    spec
      .given(reach('SUBMITTED'))
      .when(move('OPEN', { redemptionId: 'r-x' }))
      .then('NOT_FOUND');
    spec
      .given(reach('SUBMITTED'))
      .when(move('LOST' as RedemptionStatus))
      .then('VALIDATION_FAILED');
  });

  it('schedules, keeps and clears startAt / endAt', () => {
    const [scheduled] = spec
      .given(reach('SUBMITTED'))
      .when(move('OPEN', { startAt: at(60), endAt: at(120) }))
      .thenEvents();
    expect(scheduled.data).toMatchObject({ startAt: at(60), endAt: at(120) });
    const history = [...reach('SUBMITTED'), scheduled];
    const [kept] = spec
      .given(history)
      .when(move('PURCHASED', { endAt: at(90) }))
      .thenEvents();
    expect(kept.data).toMatchObject({ startAt: at(60), endAt: at(90) });
    const [cleared] = spec
      .given(history)
      .when(move('PURCHASED', { startAt: null }))
      .thenEvents();
    expect(cleared.data).toMatchObject({ startAt: null, endAt: at(120) });
  });

  it('refuses an end before the start, or a malformed time', () => {
    spec
      .given(reach('SUBMITTED'))
      .when(move('OPEN', { startAt: at(60), endAt: at(59) }))
      .then('VALIDATION_FAILED');
    spec
      .given(reach('SUBMITTED'))
      .when(move('OPEN', { startAt: `${at(60).slice(0, -1)}0001Z`, endAt: at(60) }))
      .then('VALIDATION_FAILED');
    spec
      .given(reach('SUBMITTED'))
      .when(move('OPEN', { startAt: 'tomorrow' }))
      .then('VALIDATION_FAILED');
  });

  it('accepts an end at the very instant of the start (only an end before it is refused)', () => {
    const [scheduled] = spec
      .given(reach('SUBMITTED'))
      .when(move('OPEN', { startAt: at(60), endAt: at(60) }))
      .thenEvents();
    expect(scheduled.data).toMatchObject({ startAt: at(60), endAt: at(60) });
  });

  it('lets the organization move redemptions of an archived member', () => {
    const archived: WalletEvent = {
      type: 'MemberArchived',
      data: { retainBalance: true, forfeitedPoints: 0, archivedAt: T0 },
    };
    spec
      .given([...reach('SUBMITTED'), archived])
      .when(move('OPEN'))
      .thenEvents();
  });
});

describe('wallet: canceling a redemption', () => {
  const history = (status: RedemptionStatus) => [
    credited(150),
    ...redeemed('r-1'),
    ...movedTo('r-1', status),
  ];
  const canceledBy = (actor: 'member' | 'org', from: RedemptionStatus): WalletEvent[] => [
    {
      type: 'RedemptionCanceled',
      data: {
        redemptionId: 'r-1',
        from,
        canceledBy: actor,
        reason: 'changed plans',
        refundedPoints: 100,
        canceledAt: T0,
      },
    },
    {
      type: 'PointsRefunded',
      data: {
        transactionId: 'tx-refund',
        amount: 100,
        reason: 'redemption_canceled',
        redemptionId: 'r-1',
        refundedAt: T0,
      },
    },
  ];

  it.each(['SUBMITTED', 'OPEN', 'AWAITING_VENDOR', 'AWAITING_CUSTOMER'] as const)(
    'lets the member cancel a %s redemption and refunds the points',
    (status) => {
      const state = spec
        .given(history(status))
        .when(cancel('member'))
        .then(canceledBy('member', status));
      expect(state).toMatchObject({
        ledger: { balance: 150, credited: 150, debited: 100, refunded: 100 },
      });
    },
  );

  it('leaves a PURCHASED redemption to the organization', () => {
    const error = spec
      .given(history('PURCHASED'))
      .when(cancel('member'))
      .then('INVALID_STATUS_TRANSITION');
    expect(error.message).toMatch(/organization must cancel/);
    spec.given(history('PURCHASED')).when(cancel('org')).then(canceledBy('org', 'PURCHASED'));
  });

  it.each(['member', 'org'] as const)('refuses a COMPLETED redemption (%s)', (actor) => {
    spec.given(history('COMPLETED')).when(cancel(actor)).then('INVALID_STATUS_TRANSITION');
  });

  it.each(['member', 'org'] as const)('refuses to cancel twice (%s)', (actor) => {
    spec
      .given([...history('OPEN'), ...canceledBy('org', 'OPEN')])
      .when(cancel(actor))
      .then('REDEMPTION_ALREADY_CANCELED');
  });

  it('refuses an unknown redemption', () => {
    spec.given(history('OPEN')).when(cancel('org', 'r-x')).then('NOT_FOUND');
    spec.given().when(cancel('member')).then('NOT_FOUND');
  });

  it('lets only the organization cancel for an archived member; a retained balance takes the refund', () => {
    const archived: WalletEvent = {
      type: 'MemberArchived',
      data: { retainBalance: true, forfeitedPoints: 0, archivedAt: T0 },
    };
    spec
      .given([...history('OPEN'), archived])
      .when(cancel('member'))
      .then('MEMBER_ARCHIVED');
    const state = spec
      .given([...history('OPEN'), archived])
      .when(cancel('org'))
      .then(canceledBy('org', 'OPEN'));
    expect(state).toMatchObject({ status: 'archived', ledger: { balance: 150 } });
  });

  it('frees the per-member slot of the offer', () => {
    const state = spec
      .given(history('OPEN'))
      .when(cancel('member'))
      .then(canceledBy('member', 'OPEN'));
    expect(state.status !== 'empty' && state.nonCanceledByOffer.get('offer-1')).toBe(0);
  });
});
