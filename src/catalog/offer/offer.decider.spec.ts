import { deciderSpec } from '../../shared/domain/decider-spec';
import { offerDecider } from './offer.decider';
import type { CreateOffer } from './offer.commands';
import type { OfferDefinition } from './offer.events';
import { create, createdWith, LATER, reserved, T0, update } from './offer.fixtures';

const spec = deciderSpec(offerDecider);

describe('offer: creating', () => {
  it('records the offer with its defaults', () => {
    spec
      .given()
      .when(create())
      .then([
        {
          type: 'OfferCreated',
          data: {
            offerId: 'offer-1',
            title: 'Sunset kayak tour',
            description: null,
            shortDescription: null,
            images: [],
            kind: 'EXPERIENCE',
            type: 'OUTDOOR',
            priceModel: 'FIXED',
            pointsPrice: 100,
            unitCost: null,
            minAmount: null,
            maxAmount: null,
            pointsPerAmountUnit: null,
            status: 'ACTIVE',
            availableFrom: null,
            expiresAt: null,
            maxTotal: null,
            maxPerMember: 1,
            artifact: 'NONE',
            createdAt: T0,
          },
        },
      ]);
  });

  it.each<[string, Partial<CreateOffer['data']>]>([
    ['a free fixed offer', { pointsPrice: 0 }],
    ['a unit-based offer', { priceModel: 'UNIT_BASED', pointsPrice: undefined, unitCost: 25 }],
    [
      'an amount-based offer',
      {
        priceModel: 'AMOUNT_BASED',
        pointsPrice: null,
        minAmount: '5',
        maxAmount: '100.00',
        pointsPerAmountUnit: 10,
      },
    ],
    ['no per-member limit', { maxPerMember: null }],
    ['a window and stock', { availableFrom: T0, expiresAt: LATER, maxTotal: 50 }],
    [
      'a window shorter than a millisecond',
      { availableFrom: '2027-06-01T04:00:00.000Z', expiresAt: '2027-06-01T04:00:00.0009Z' },
    ],
  ])('accepts %s', (_case, data) => {
    createdWith(data);
  });

  it('records maxPerMember null as unlimited, not as the default of 1', () => {
    const [created] = spec
      .given()
      .when(create({ maxPerMember: null }))
      .thenEvents();
    expect(created.data).toMatchObject({ maxPerMember: null });
  });

  it.each<[string, Partial<CreateOffer['data']>]>([
    ['pointsPrice', { pointsPrice: undefined }],
    ['pointsPrice', { pointsPrice: -1 }],
    ['unitCost', { unitCost: 5 }],
    ['unitCost', { priceModel: 'UNIT_BASED', pointsPrice: null }],
    ['unitCost', { priceModel: 'UNIT_BASED', pointsPrice: null, unitCost: 2.5 }],
    ['pointsPrice', { priceModel: 'UNIT_BASED', unitCost: 5 }],
    [
      'minAmount',
      { priceModel: 'AMOUNT_BASED', pointsPrice: null, maxAmount: '9', pointsPerAmountUnit: 1 },
    ],
    [
      'minAmount',
      {
        priceModel: 'AMOUNT_BASED',
        pointsPrice: null,
        minAmount: '0',
        maxAmount: '9',
        pointsPerAmountUnit: 1,
      },
    ],
    [
      'minAmount',
      {
        priceModel: 'AMOUNT_BASED',
        pointsPrice: null,
        minAmount: '10',
        maxAmount: '9.99',
        pointsPerAmountUnit: 1,
      },
    ],
    [
      'maxAmount',
      {
        priceModel: 'AMOUNT_BASED',
        pointsPrice: null,
        minAmount: '1',
        maxAmount: '-9',
        pointsPerAmountUnit: 1,
      },
    ],
    [
      'pointsPerAmountUnit',
      {
        priceModel: 'AMOUNT_BASED',
        pointsPrice: null,
        minAmount: '1',
        maxAmount: '9',
        pointsPerAmountUnit: 0,
      },
    ],
    ['title', { title: '' }],
    ['kind', { kind: '' }],
    ['images', { images: [''] }],
    ['status', { status: 'OUT_OF_STOCK' as 'ACTIVE' }],
    ['artifact', { artifact: 'VOUCHER' as 'NONE' }],
    ['expiresAt', { availableFrom: T0, expiresAt: T0 }],
    ['expiresAt', { availableFrom: LATER, expiresAt: T0 }],
    [
      'expiresAt',
      { availableFrom: '2027-06-01T04:00:00.0009Z', expiresAt: '2027-06-01T04:00:00.000Z' },
    ],
    ['availableFrom', { availableFrom: '2025-13-01T00:00:00Z' }],
    ['maxTotal', { maxTotal: 0 }],
    ['maxPerMember', { maxPerMember: 0 }],
  ])('refuses an inconsistent %s', (field, data) => {
    expect(spec.given().when(create(data)).then('VALIDATION_FAILED').details).toMatchObject({
      field,
    });
  });

  it.each<[string, Partial<CreateOffer['data']>, Partial<CreateOffer['data']>, string]>([
    [
      'title',
      { title: 'x'.repeat(200) },
      { title: 'x'.repeat(201) },
      'title must be 1-200 characters, not all blank',
    ],
    [
      'kind',
      { kind: 'x'.repeat(64) },
      { kind: 'x'.repeat(65) },
      'kind must be 1-64 characters, not all blank',
    ],
    [
      'type',
      { type: 'x'.repeat(64) },
      { type: 'x'.repeat(65) },
      'type must be 1-64 characters, not all blank',
    ],
    [
      'description',
      { description: 'x'.repeat(500) },
      { description: 'x'.repeat(501) },
      'description must be 1-500 characters, not all blank, or null',
    ],
    [
      'shortDescription',
      { shortDescription: 'x'.repeat(200) },
      { shortDescription: 'x'.repeat(201) },
      'shortDescription must be 1-200 characters, not all blank, or null',
    ],
  ])(
    'takes a %s up to its limit and states that limit past it',
    (field, longest, tooLong, message) => {
      createdWith(longest);
      const error = spec.given().when(create(tooLong)).then('VALIDATION_FAILED');
      expect({ message: error.message, details: error.details }).toEqual({
        message,
        details: { field },
      });
    },
  );

  it('refuses an offer id that exists', () => {
    spec.given(createdWith()).when(create()).then('CONFLICT');
  });
});

describe('offer: updating', () => {
  it('records only the fields that change', () => {
    spec
      .given(createdWith())
      .when(update({ title: 'Sunrise kayak tour', pointsPrice: 100, images: ['https://img/1'] }))
      .then([
        {
          type: 'OfferUpdated',
          data: {
            changes: { title: 'Sunrise kayak tour', images: ['https://img/1'] },
            updatedAt: T0,
          },
        },
      ]);
  });

  it('emits nothing when nothing changes', () => {
    spec
      .given(createdWith())
      .when(update({ title: 'Sunset kayak tour', status: 'ACTIVE' }))
      .then([]);
  });

  it('clears a field with null', () => {
    const state = spec
      .given(createdWith({ expiresAt: LATER }))
      .when(update({ expiresAt: null }))
      .then([{ type: 'OfferUpdated', data: { changes: { expiresAt: null }, updatedAt: T0 } }]);
    expect(state.status === 'defined' && state.offer.expiresAt).toBeNull();
  });

  it('switches the price model only with a consistent shape', () => {
    spec
      .given(createdWith())
      .when(update({ priceModel: 'UNIT_BASED', unitCost: 10 }))
      .then('VALIDATION_FAILED');
    spec
      .given(createdWith())
      .when(update({ priceModel: 'UNIT_BASED', unitCost: 10, pointsPrice: null }))
      .thenEvents();
  });

  it('names priceModel when an update clears it', () => {
    const error = spec
      .given(createdWith())
      .when(update({ priceModel: null as unknown as 'FIXED' }))
      .then('VALIDATION_FAILED');
    expect(error.details).toEqual({ field: 'priceModel' });
  });

  it('refuses unknown or read-only fields, and an unknown offer', () => {
    spec
      .given(createdWith())
      .when(update({ offerId: 'x' } as Partial<OfferDefinition>))
      .then('VALIDATION_FAILED');
    spec
      .given()
      .when(update({ title: 'x' }))
      .then('NOT_FOUND');
  });

  it('refuses a maxTotal below the units already reserved', () => {
    const history = [...createdWith({ maxTotal: 10 }), reserved('r-1', 4)];
    spec
      .given(history)
      .when(update({ maxTotal: 3 }))
      .then('VALIDATION_FAILED');
    spec
      .given(history)
      .when(update({ maxTotal: 4 }))
      .thenEvents();
  });
});
