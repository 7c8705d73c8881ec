import { fold } from '../../shared/domain/decider';
import { deciderSpec } from '../../shared/domain/decider-spec';
import { redemptionView } from '../redemptions/redemption.view';
import type { FulfilRedemption } from './wallet.commands';
import { walletDecider } from './wallet.decider';
import type { WalletEvent } from './wallet.events';
import {
  at,
  cancel,
  credited,
  movedTo,
  offer,
  redeemed,
  registered,
  reverse,
} from './wallet.fixtures';
import { walletOf, type WalletState } from './wallet.state';

const spec = deciderSpec(walletDecider);

const fulfil = (tracking: Partial<FulfilRedemption['data']> = {}): FulfilRedemption => ({
  type: 'FulfilRedemption',
  data: {
    redemptionId: 'r-1',
    trackingNumber: '1Z999AA10123456784',
    carrier: 'UPS',
    trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
    actor: 'org',
    now: at(5),
    ...tracking,
  },
});

const fulfilled = (data: Partial<Record<string, unknown>> = {}): WalletEvent =>
  ({
    type: 'RedemptionFulfilled',
    data: {
      redemptionId: 'r-1',
      trackingNumber: '1Z999AA10123456784',
      carrier: 'UPS',
      trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
      fulfilledAt: at(5),
      ...data,
    },
  }) as WalletEvent;

/** A redemption of a FULFILMENT offer, as CreateRedemption records it. */
function shipped(): WalletEvent[] {
  const [created, debit] = redeemed('r-1', offer({ artifact: 'FULFILMENT' }));
  const data = created.data as object;
  const shipping = {
    name: 'Mira Olsen',
    line1: 'Storgata 12',
    line2: null,
    city: 'Oslo',
    region: null,
    postalCode: '0155',
    country: 'NO',
  };
  return [
    { ...created, data: { ...data, shipping, artifact: { type: 'FULFILMENT' } } } as WalletEvent,
    debit,
  ];
}

const given = [registered(), credited(500), ...shipped()];
const view = (state: WalletState) => redemptionView(walletOf(state).redemptions.get('r-1')!, 'm-1');

describe('wallet decider: FulfilRedemption', () => {
  it('starts a FULFILMENT redemption without tracking, and refuses an unknown one', () => {
    const state = given.reduce(walletDecider.evolve, walletDecider.initialState);
    expect(view(state).artifact).toEqual({ type: 'FULFILMENT', fulfilment: null, voided: false });
    spec
      .given(given)
      .when(fulfil({ redemptionId: 'r-9' }))
      .then('NOT_FOUND');
  });

  it('records the tracking on the artifact, whatever the status but CANCELED', () => {
    const state = spec
      .given([...given, ...movedTo('r-1', 'COMPLETED')])
      .when(fulfil())
      .then([fulfilled()]);
    expect(view(state)).toMatchObject({
      status: 'COMPLETED',
      updatedAt: at(5),
      artifact: {
        type: 'FULFILMENT',
        fulfilment: {
          trackingNumber: '1Z999AA10123456784',
          carrier: 'UPS',
          trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
          fulfilledAt: at(5),
        },
      },
    });
  });

  it('corrects the tracking with a new event, and writes nothing for the same tracking', () => {
    const corrected = spec
      .given([...given, fulfilled()])
      .when(
        fulfil({ trackingNumber: 'JD014600003SE', carrier: null, trackingUrl: null, now: at(9) }),
      )
      .then([
        fulfilled({
          trackingNumber: 'JD014600003SE',
          carrier: null,
          trackingUrl: null,
          fulfilledAt: at(9),
        }),
      ]);
    expect(view(corrected).artifact).toEqual({
      type: 'FULFILMENT',
      fulfilment: {
        trackingNumber: 'JD014600003SE',
        carrier: null,
        trackingUrl: null,
        fulfilledAt: at(9),
      },
      voided: false,
    });
    spec
      .given([...given, fulfilled()])
      .when(fulfil({ now: at(20) }))
      .then([]);
  });

  it('refuses a redemption of another artifact, and a canceled one', () => {
    const plain = [registered(), credited(500), ...redeemed('r-1')];
    const error = spec.given(plain).when(fulfil()).then('VALIDATION_FAILED');
    expect(error.details).toEqual({ field: 'artifact', artifact: 'NONE' });
    const canceled = spec.given(given).when(cancel('org')).thenEvents();
    spec
      .given([...given, ...canceled])
      .when(fulfil())
      .then('REDEMPTION_ALREADY_CANCELED');
  });

  it('voids the line of a canceled or fully reversed redemption, and refuses to ship it', () => {
    const reversed = [...given, ...spec.given(given).when(reverse()).thenEvents()];
    expect(view(fold(walletDecider, reversed)).artifact).toEqual({
      type: 'FULFILMENT',
      fulfilment: null,
      voided: true,
    });
    const error = spec.given(reversed).when(fulfil()).then('REDEMPTION_FULLY_REVERSED');
    expect(error.message).toBe('The redemption is fully reversed: its fulfilment line is void');
    const canceled = [...given, ...spec.given(given).when(cancel('org')).thenEvents()];
    expect(view(fold(walletDecider, canceled)).artifact).toMatchObject({ voided: true });
  });

  it.each<[string, Partial<FulfilRedemption['data']>, string]>([
    ['a blank tracking number', { trackingNumber: '   ' }, 'trackingNumber'],
    ['a tracking number of 101 characters', { trackingNumber: 'x'.repeat(101) }, 'trackingNumber'],
    ['a tracking number with a line break', { trackingNumber: 'a\nb' }, 'trackingNumber'],
    ['a blank carrier', { carrier: ' ' }, 'carrier'],
    ['an ftp tracking URL', { trackingUrl: 'ftp://example.com/t' }, 'trackingUrl'],
    ['a tracking URL that is no URL', { trackingUrl: 'track me' }, 'trackingUrl'],
  ])('refuses %s', (_, tracking, field) => {
    const error = spec.given(given).when(fulfil(tracking)).then('VALIDATION_FAILED');
    expect(error.details).toEqual({ field });
  });

  it('refuses a member as the actor', () => {
    const asMember = {
      ...fulfil(),
      data: { ...fulfil().data, actor: 'member' },
    } as unknown as FulfilRedemption;
    spec.given(given).when(asMember).then('VALIDATION_FAILED');
  });
});
