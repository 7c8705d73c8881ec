import fc from 'fast-check';
import { isDomainError } from '../../shared/domain/domain-error';
import type { PriceFields } from './offer.events';
import {
  compareDecimals,
  parseDecimal,
  priceRedemption,
  validatePriceShape,
} from './offer.pricing';

const fixed: PriceFields = {
  priceModel: 'FIXED',
  pointsPrice: 300,
  unitCost: null,
  minAmount: null,
  maxAmount: null,
  pointsPerAmountUnit: null,
};
const units: PriceFields = { ...fixed, priceModel: 'UNIT_BASED', pointsPrice: null, unitCost: 500 };
const amounts: PriceFields = {
  ...fixed,
  priceModel: 'AMOUNT_BASED',
  pointsPrice: null,
  minAmount: '10.00',
  maxAmount: '200.00',
  pointsPerAmountUnit: 100,
};

const codeOf = (outcome: unknown) => (isDomainError(outcome) ? outcome.code : 'ok');

describe('decimal amounts', () => {
  it.each(['0', '7', '0.5', '25.50', '50.00', '1234.5678', `${'9'.repeat(15)}.${'9'.repeat(6)}`])(
    'parses %s',
    (text) => {
      expect(parseDecimal(text)).not.toBeNull();
    },
  );

  it.each([
    '',
    '-1',
    '+1',
    '1e3',
    '01',
    '025.50',
    '1.',
    '.5',
    ' 1',
    '1,5',
    'NaN',
    '9'.repeat(41),
    '1'.repeat(16),
    `${'1'.repeat(16)}.5`,
    '1.1234567',
    '0.0000001',
  ])('refuses %p (at most 15 digits before the point and 6 after)', (text) => {
    expect(parseDecimal(text)).toBeNull();
  });

  it('compares across scales', () => {
    const d = (s: string) => parseDecimal(s)!;
    expect(compareDecimals(d('10'), d('10.000'))).toBe(0);
    expect(compareDecimals(d('9.99'), d('10'))).toBe(-1);
    expect(compareDecimals(d('100.01'), d('100.001'))).toBe(1);
  });
});

describe('pricing a redemption', () => {
  it('charges the fixed price', () => {
    expect(priceRedemption(fixed, {})).toEqual({
      pointsCost: 300,
      quantity: 1,
      amount: null,
      units: 1,
    });
    expect(priceRedemption(fixed, { quantity: 1, amount: null })).toEqual({
      pointsCost: 300,
      quantity: 1,
      amount: null,
      units: 1,
    });
  });

  it('charges unitCost x quantity, one by default', () => {
    expect(priceRedemption(units, {})).toEqual({
      pointsCost: 500,
      quantity: 1,
      amount: null,
      units: 1,
    });
    expect(priceRedemption(units, { quantity: 2 })).toEqual({
      pointsCost: 1000,
      quantity: 2,
      amount: null,
      units: 2,
    });
  });

  it('refuses a cost past Number.MAX_SAFE_INTEGER', () => {
    expect(codeOf(priceRedemption(units, { quantity: Number.MAX_SAFE_INTEGER }))).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('charges amount x rate for an amount within the bounds, inclusive', () => {
    expect(priceRedemption(amounts, { amount: '50.00' })).toEqual({
      pointsCost: 5000,
      quantity: 1,
      amount: '50.00',
      units: 1,
    });
    expect(priceRedemption(amounts, { amount: '10' })).toMatchObject({ pointsCost: 1000 });
    expect(priceRedemption(amounts, { amount: '200.00' })).toMatchObject({ pointsCost: 20000 });
    expect(priceRedemption(amounts, { amount: '12.34' })).toMatchObject({ pointsCost: 1234 });
  });

  it.each<[string, PriceFields, { quantity?: number; amount?: string }]>([
    ['an amount below the bounds', amounts, { amount: '9.99' }],
    ['an amount above the bounds', amounts, { amount: '200.01' }],
    ['a fraction of a point', amounts, { amount: '12.345' }],
    ['a missing amount', amounts, {}],
    ['a quantity on an amount offer', amounts, { amount: '50', quantity: 2 }],
    ['an amount on a unit offer', units, { amount: '5' }],
    ['a negative quantity', units, { quantity: -1 }],
    ['a fractional quantity', units, { quantity: 1.5 }],
  ])('refuses %s', (_case, shape, request) => {
    expect(codeOf(priceRedemption(shape, request))).toBe('VALIDATION_FAILED');
  });

  it('refuses to price an inconsistent shape', () => {
    expect(codeOf(priceRedemption({ ...fixed, pointsPrice: null }, {}))).toBe('VALIDATION_FAILED');
    expect(validatePriceShape({ ...amounts, maxAmount: '99999999999999999' })).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('prices whole cents exactly: cents x rate / 100', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 20000 }),
        fc.integer({ min: 1, max: 1000 }),
        (cents, rate) => {
          const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
          const outcome = priceRedemption({ ...amounts, pointsPerAmountUnit: rate }, { amount });
          if ((cents * rate) % 100 === 0)
            expect(outcome).toMatchObject({ pointsCost: (cents * rate) / 100 });
          else expect(codeOf(outcome)).toBe('VALIDATION_FAILED');
        },
      ),
    );
  });
});
