import { offerEventProblem } from '../../catalog/offer/offer.event-shape';
import { offerDecider } from '../../catalog/offer/offer.decider';
import { create, release, reserve, update } from '../../catalog/offer/offer.fixtures';
import { toOfferSnapshot } from '../../catalog/offer/offer.snapshot';
import { isDomainError } from '../../shared/domain/domain-error';
import type { WalletCommand } from './wallet.commands';
import { walletDecider } from './wallet.decider';
import { walletEventProblem } from './wallet.event-shape';
import { cancel, T0 } from './wallet.fixtures';

/** Runs commands through a decider, folding what each decides; every event written, in order. */
function decided<C, S, E>(
  decider: { decide(c: C, s: S): E[] | Error; evolve(s: S, e: E): S; initialState: S },
  commands: readonly C[],
): { events: E[]; state: S } {
  let state = decider.initialState;
  const events: E[] = [];
  for (const command of commands) {
    const outcome = decider.decide(command, state);
    if (isDomainError(outcome)) throw outcome;
    for (const event of outcome as E[]) {
      events.push(event);
      state = decider.evolve(state, event);
    }
  }
  return { events, state };
}

const offers = decided(offerDecider, [
  create({ maxTotal: 5, images: ['https://cdn.example.com/a.jpg'] }),
  update({ title: 'Renamed', expiresAt: '2030-01-01T00:00:00Z' }),
  reserve('red-1', 2),
  release('red-1'),
]);
const snapshot = toOfferSnapshot(offers.state);

const wallet: WalletCommand[] = [
  { type: 'CreditPoints', data: { transactionId: 'tx-1', amount: 500, now: T0 } },
  { type: 'UpsertMemberProfile', data: { externalUserID: 'm-1', displayName: 'Ada', now: T0 } },
  { type: 'UpsertMemberProfile', data: { externalUserID: 'm-1', tier: 'gold', now: T0 } },
  {
    type: 'CreateRedemption',
    data: {
      redemptionId: 'r-1',
      transactionId: 'tx-2',
      externalUserID: 'm-1',
      offer: snapshot!,
      now: T0,
    },
  },
  {
    type: 'ChangeRedemptionStatus',
    data: { redemptionId: 'r-1', status: 'OPEN', actor: 'org', now: T0 },
  },
  {
    type: 'ReverseRedemption',
    data: {
      redemptionId: 'r-1',
      transactionId: 'tx-4',
      forfeitTransactionId: 'tx-5',
      actor: 'org',
      now: T0,
    },
  },
  cancel('org', 'r-1'),
  {
    type: 'CreateRedemption',
    data: {
      redemptionId: 'r-2',
      transactionId: 'tx-6',
      externalUserID: 'm-1',
      offer: { ...snapshot!, id: 'offer-shipped', artifact: 'FULFILMENT' },
      shipping: { name: 'M', line1: 'L', city: 'Oslo', postalCode: '0155', country: 'NO' },
      now: T0,
    },
  },
  {
    type: 'FulfilRedemption',
    data: {
      redemptionId: 'r-2',
      trackingNumber: 'JD014600003SE',
      carrier: null,
      trackingUrl: 'https://t.example/JD014600003SE',
      actor: 'org',
      now: T0,
    },
  },
  { type: 'ArchiveMember', data: { retainBalance: false, transactionId: 'tx-3', now: T0 } },
  { type: 'UpsertMemberProfile', data: { externalUserID: 'm-1', now: T0 } },
];
const wallets = decided(walletDecider, wallet);

describe('the event rules of the command side', () => {
  it('take every event the deciders write, of every type', () => {
    const walletTypes = new Set(wallets.events.map((e) => e.type));
    expect(walletTypes.size).toBe(12);
    expect(new Set(offers.events.map((e) => e.type)).size).toBe(4);
    for (const event of wallets.events)
      expect([event.type, walletEventProblem(event)]).toEqual([event.type, null]);
    for (const event of offers.events)
      expect([event.type, offerEventProblem(event)]).toEqual([event.type, null]);
  });

  it('leave fields they do not know alone, and take a profile field older events lack', () => {
    const { data } = wallets.events.find((e) => e.type === 'MemberRegistered')!;
    const { posAccountId: _posAccountId, ...older } = data as Record<string, unknown>;
    expect(walletEventProblem({ type: 'MemberRegistered', data: older })).toBeNull();
    const credit = { type: 'PointsCredited', data: { amount: 5, campaign: 'spring' } };
    expect(walletEventProblem(credit)).toBeNull();
    const reservation = {
      type: 'OfferStockReserved',
      data: { redemptionId: 'r', units: 1, pool: 'eu' },
    };
    expect(offerEventProblem(reservation)).toBeNull();
  });

  it.each<[string, { type: string; data: unknown }, string]>([
    [
      'an unknown type',
      { type: 'PointsExpired', data: { amount: 5 } },
      'PointsExpired is not an event type this version of the service knows in wallet streams',
    ],
    [
      'data that is no object',
      { type: 'PointsCredited', data: [5] },
      'PointsCredited: its data is not a JSON object',
    ],
    [
      'an amount of "abc"',
      { type: 'PointsCredited', data: { amount: 'abc' } },
      'PointsCredited: amount is "abc", not an integer of at least 1',
    ],
    [
      'no amount',
      { type: 'PointsDebited', data: { redemptionId: null } },
      'PointsDebited: amount is missing, not an integer of at least 1',
    ],
    [
      'a negative amount',
      { type: 'PointsRefunded', data: { amount: -5, redemptionId: 'r' } },
      'PointsRefunded: amount is -5, not an integer of at least 1',
    ],
    [
      'a status no lifecycle has',
      {
        type: 'RedemptionStatusChanged',
        data: { redemptionId: 'r', to: 'LOST', startAt: null, endAt: null, changedAt: T0 },
      },
      'RedemptionStatusChanged: to is "LOST", not one of SUBMITTED',
    ],
    [
      'a reversed amount that is no decimal',
      {
        type: 'RedemptionReversed',
        data: { redemptionId: 'r', units: null, amount: '1e3', reversedPoints: 5, reversedAt: T0 },
      },
      'RedemptionReversed: amount is "1e3", not a decimal string or null',
    ],
    [
      'changes that are not an object',
      { type: 'MemberProfileUpdated', data: { changes: 'x' } },
      'MemberProfileUpdated: changes is "x", not a JSON object',
    ],
    [
      'a bare offer snapshot',
      {
        type: 'RedemptionCreated',
        data: {
          ...wallets.events.find((e) => e.type === 'RedemptionCreated')!.data,
          offer: { id: 'o' },
        },
      },
      'RedemptionCreated: offer field status is undefined',
    ],
  ])('name the first problem of %s', (_, event, problem) => {
    expect(walletEventProblem(event)).toContain(problem);
  });

  it.each<[string, { type: string; data: unknown }, string]>([
    [
      'an unknown type',
      { type: 'OfferRetired', data: {} },
      'OfferRetired is not an event type this version of the service knows in offer streams',
    ],
    [
      'units of "abc"',
      { type: 'OfferStockReserved', data: { redemptionId: 'r', units: 'abc' } },
      'OfferStockReserved: units is "abc", not an integer of at least 1',
    ],
    [
      'a price of "abc"',
      { type: 'OfferUpdated', data: { changes: { pointsPrice: 'abc' } } },
      'OfferUpdated: offer field pointsPrice is "abc"',
    ],
    [
      'a definition without its title',
      { type: 'OfferCreated', data: { ...(offers.events[0].data as object), title: undefined } },
      'OfferCreated: offer field title is undefined',
    ],
  ])('name the first problem of an offer event with %s', (_, event, problem) => {
    expect(offerEventProblem(event)).toContain(problem);
  });

  it('keep a long value short in the message', () => {
    const event = { type: 'PointsCredited', data: { amount: 'x'.repeat(500) } };
    expect(walletEventProblem(event)).toBe(
      `PointsCredited: amount is "${'x'.repeat(56)}..., not an integer of at least 1`,
    );
  });
});
