import { DomainError, validationFailed } from '../../shared/domain/domain-error';
import { isNonNegativeInteger, isPositiveInteger } from '../../shared/domain/values';
import { PRICE_MODELS, type PriceFields } from './offer.events';

export type Decimal = { readonly units: bigint; readonly scale: number };

/** Digits a decimal string may have before and after its point. */
export const DECIMAL_DIGITS = { integer: 15, fraction: 6 } as const;
const DECIMAL = new RegExp(
  `^(0|[1-9]\\d{0,${DECIMAL_DIGITS.integer - 1}})(\\.\\d{1,${DECIMAL_DIGITS.fraction}})?$`,
);
export const DECIMAL_RULE = `a decimal string such as "50.00", with at most ${DECIMAL_DIGITS.integer} digits before the point and ${DECIMAL_DIGITS.fraction} after`;
const MAX_POINTS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A non-negative decimal string such as "50" or "50.25"; no sign, exponent or leading zeros, at
 * most DECIMAL_DIGITS before and after the point.
 */
export function parseDecimal(text: unknown): Decimal | null {
  if (typeof text !== 'string' || !DECIMAL.test(text)) return null;
  const [whole, fraction = ''] = text.split('.');
  return { units: BigInt(whole + fraction), scale: fraction.length };
}

function atScale(d: Decimal, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

export function compareDecimals(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = atScale(a, scale);
  const y = atScale(b, scale);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** amount x rate when it is a whole number of points within the safe range, else null. */
function pointsFor(amount: Decimal, rate: number): number | null {
  const divisor = 10n ** BigInt(amount.scale);
  const product = amount.units * BigInt(rate);
  if (product % divisor !== 0n || product / divisor > MAX_POINTS) return null;
  return Number(product / divisor);
}

const FIELDS_BY_MODEL = {
  FIXED: ['pointsPrice'],
  UNIT_BASED: ['unitCost'],
  AMOUNT_BASED: ['minAmount', 'maxAmount', 'pointsPerAmountUnit'],
} as const satisfies Record<PriceFields['priceModel'], readonly (keyof PriceFields)[]>;

const PRICE_VALUES = [
  'pointsPrice',
  'unitCost',
  'minAmount',
  'maxAmount',
  'pointsPerAmountUnit',
] as const;

/** The price fields must match the price model: the model's own fields set, the others null. */
export function validatePriceShape(p: PriceFields): DomainError | null {
  const own: readonly string[] | undefined = FIELDS_BY_MODEL[p.priceModel];
  if (!own) {
    return validationFailed(`priceModel must be one of ${PRICE_MODELS.join(', ')}`, {
      field: 'priceModel',
    });
  }
  for (const field of PRICE_VALUES) {
    if (own.includes(field) && p[field] === null) {
      return validationFailed(`A ${p.priceModel} offer needs ${field}`, { field });
    }
    if (!own.includes(field) && p[field] !== null) {
      return validationFailed(`${field} does not apply to a ${p.priceModel} offer`, { field });
    }
  }
  if (p.priceModel === 'FIXED' && !isNonNegativeInteger(p.pointsPrice)) {
    return validationFailed('pointsPrice must be a non-negative integer', { field: 'pointsPrice' });
  }
  if (p.priceModel === 'UNIT_BASED' && !isPositiveInteger(p.unitCost)) {
    return validationFailed('unitCost must be a positive integer', { field: 'unitCost' });
  }
  if (p.priceModel === 'AMOUNT_BASED') return validateAmountBounds(p);
  return null;
}

function validateAmountBounds(p: PriceFields): DomainError | null {
  const min = parseDecimal(p.minAmount);
  const max = parseDecimal(p.maxAmount);
  if (!min || min.units === 0n) {
    return validationFailed('minAmount must be a positive decimal string', { field: 'minAmount' });
  }
  if (!max) return validationFailed('maxAmount must be a decimal string', { field: 'maxAmount' });
  if (compareDecimals(min, max) > 0) {
    return validationFailed('minAmount must not exceed maxAmount', { field: 'minAmount' });
  }
  if (!isPositiveInteger(p.pointsPerAmountUnit)) {
    return validationFailed('pointsPerAmountUnit must be a positive integer', {
      field: 'pointsPerAmountUnit',
    });
  }
  if (max.units * BigInt(p.pointsPerAmountUnit) > MAX_POINTS * 10n ** BigInt(max.scale)) {
    return validationFailed('maxAmount x pointsPerAmountUnit exceeds the largest points value', {
      field: 'maxAmount',
    });
  }
  return null;
}

export type PriceRequest = { quantity?: number | null; amount?: string | null };

/** What a redemption costs; `units` is how much stock it takes. */
export type Price = { pointsCost: number; quantity: number; amount: string | null; units: number };

export function priceRedemption(p: PriceFields, request: PriceRequest): Price | DomainError {
  const shapeError = validatePriceShape(p);
  if (shapeError) return shapeError;
  const quantity = request.quantity ?? undefined;
  const amount = request.amount ?? undefined;
  if (quantity !== undefined && !isPositiveInteger(quantity)) {
    return validationFailed('quantity must be a positive integer', { field: 'quantity' });
  }
  if (p.priceModel !== 'AMOUNT_BASED' && amount !== undefined) {
    return validationFailed(`amount applies only to AMOUNT_BASED offers, not ${p.priceModel}`, {
      field: 'amount',
    });
  }
  if (p.priceModel !== 'UNIT_BASED' && quantity !== undefined && quantity !== 1) {
    return validationFailed(`quantity applies only to UNIT_BASED offers, not ${p.priceModel}`, {
      field: 'quantity',
    });
  }
  switch (p.priceModel) {
    case 'FIXED':
      return { pointsCost: p.pointsPrice as number, quantity: 1, amount: null, units: 1 };
    case 'UNIT_BASED': {
      const units = quantity ?? 1;
      const pointsCost = (p.unitCost as number) * units;
      if (!Number.isSafeInteger(pointsCost)) {
        return validationFailed('unitCost x quantity exceeds the largest points value', {
          field: 'quantity',
        });
      }
      return { pointsCost, quantity: units, amount: null, units };
    }
    case 'AMOUNT_BASED':
      return priceAmount(p, amount);
  }
}

function priceAmount(p: PriceFields, amount: string | undefined): Price | DomainError {
  if (amount === undefined) {
    return validationFailed('An AMOUNT_BASED offer needs an amount', { field: 'amount' });
  }
  const value = parseDecimal(amount);
  if (!value) {
    return validationFailed(`amount must be ${DECIMAL_RULE}`, { field: 'amount' });
  }
  const min = parseDecimal(p.minAmount) as Decimal;
  const max = parseDecimal(p.maxAmount) as Decimal;
  if (compareDecimals(value, min) < 0 || compareDecimals(value, max) > 0) {
    return validationFailed(`amount must be between ${p.minAmount} and ${p.maxAmount}`, {
      field: 'amount',
      minAmount: p.minAmount,
      maxAmount: p.maxAmount,
    });
  }
  const pointsCost = pointsFor(value, p.pointsPerAmountUnit as number);
  if (pointsCost === null) {
    return validationFailed(
      `amount ${amount} at ${String(p.pointsPerAmountUnit)} points per unit is not a whole number of points`,
      { field: 'amount' },
    );
  }
  return { pointsCost, quantity: 1, amount, units: 1 };
}

/** The decimal as a string with `scale` digits after its point (scale ≥ its own). */
export function formatDecimal(d: Decimal, scale = d.scale): string {
  const digits = atScale(d, scale)
    .toString()
    .padStart(scale + 1, '0');
  if (scale === 0) return digits;
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** a + b, written with as many fraction digits as the longer of the two. */
export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: atScale(a, scale) + atScale(b, scale), scale };
}

/** a − b (a ≥ b), at the longer scale of the two. */
export function subtractDecimals(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: atScale(a, scale) - atScale(b, scale), scale };
}

/**
 * The whole points amount x rate is worth, rounded down: a part of an amount need not be a whole
 * number of points, and rounding down never gives back more than the whole was debited.
 */
export function pointsRoundedDown(amount: Decimal, rate: number): number {
  return Number((amount.units * BigInt(rate)) / 10n ** BigInt(amount.scale));
}
