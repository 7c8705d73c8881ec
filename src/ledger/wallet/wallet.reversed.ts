import {
  addDecimals,
  compareDecimals,
  type Decimal,
  formatDecimal,
  parseDecimal,
} from '../../catalog/offer/offer.pricing';
import type { RedemptionCreated, RedemptionReversed, ReversalState } from './wallet.events';

/** What has been given back of a redemption so far, in its price model's measure. */
export type Reversed = {
  readonly points: number;
  /** UNIT_BASED only, else null. */
  readonly units: number | null;
  /** AMOUNT_BASED only (a decimal string at the redeemed amount's scale or finer), else null. */
  readonly amount: string | null;
  readonly state: ReversalState;
};

type Redeemed = Pick<RedemptionCreated['data'], 'quantity' | 'amount'> & {
  offer: Pick<RedemptionCreated['data']['offer'], 'priceModel'>;
};

const ZERO: Decimal = { units: 0n, scale: 0 };
/** A stored amount back as a decimal; 0 for what no decider writes (the shape checks refuse it). */
export const decimal = (text: string | null): Decimal => parseDecimal(text) ?? ZERO;

/** Nothing reversed yet: "0.00" for a redemption of "50.00", as seed 002 shows it. */
export function noneReversed(created: Redeemed): Reversed {
  const model = created.offer.priceModel;
  const zero = formatDecimal(ZERO, decimal(created.amount).scale);
  return {
    points: 0,
    units: model === 'UNIT_BASED' ? 0 : null,
    amount: model === 'AMOUNT_BASED' ? zero : null,
    state: 'NONE',
  };
}

/**
 * The totals after one RedemptionReversed. The event's own measure says what it reversed: units,
 * an amount, or (neither) a FIXED redemption whole. The fold and the redemptions projection both
 * use this, so that the two agree.
 */
export function addReversal(
  before: Reversed,
  redeemed: Pick<Redeemed, 'quantity' | 'amount'>,
  event: Pick<RedemptionReversed['data'], 'units' | 'amount' | 'reversedPoints'>,
): Reversed {
  const points = before.points + event.reversedPoints;
  if (event.units !== null) {
    const units = (before.units ?? 0) + event.units;
    const state = units >= redeemed.quantity ? 'FULLY_REVERSED' : 'PARTIALLY_REVERSED';
    return { ...before, points, units, state };
  }
  if (event.amount !== null) {
    const sum = addDecimals(decimal(before.amount), decimal(event.amount));
    const full = compareDecimals(sum, decimal(redeemed.amount)) >= 0;
    return {
      ...before,
      points,
      amount: formatDecimal(sum),
      state: full ? 'FULLY_REVERSED' : 'PARTIALLY_REVERSED',
    };
  }
  return { ...before, points, state: 'FULLY_REVERSED' };
}
