import {
  addDecimals,
  compareDecimals,
  DECIMAL_RULE,
  formatDecimal,
  parseDecimal,
  pointsRoundedDown,
  subtractDecimals,
} from '../../catalog/offer/offer.pricing';
import { DomainError, validationFailed } from '../../shared/domain/domain-error';
import { isPositiveInteger, MAX_TEXT_LENGTH, optionalText } from '../../shared/domain/values';
import type { ReverseRedemption } from './wallet.commands';
import { pointsForfeited, type WalletEvent } from './wallet.events';
import { commandBasics } from './wallet.inputs';
import {
  alreadyCanceled,
  fullyReversed,
  holdNotApplied,
  redemptionNotFound,
} from './wallet.lifecycle';
import { decimal } from './wallet.reversed';
import { walletOf, type RedemptionEntry, type WalletState } from './wallet.state';

type Part = { units: number | null; amount: string | null; points: number };
/** What a reversal names of the redemption: the command's fields, or a recorded event's. */
type Measure = Pick<ReverseRedemption['data'], 'units' | 'amount'>;

const wrongField = (field: string, model: string) =>
  validationFailed(`${field} does not apply to a ${model} redemption`, { field });

/**
 * What one reversal gives back. Units cost the unit cost the redemption was priced at; an amount
 * is worth the points of the cumulative amount reversed (rounded down) less the points reversed
 * already, so the parts never add up to more than the debit and the last one returns exactly the
 * rest. Left out, units or amount mean the whole remainder. The audit (reversal-mismatch) asks it
 * what a recorded reversal should have given back.
 */
export function partToReverse(
  entry: RedemptionEntry,
  d: Measure,
  rest: number,
): Part | DomainError {
  const { offer, quantity } = entry.created;
  const { reversed } = entry;
  const units = d.units ?? null;
  const amount = d.amount ?? null;
  switch (offer.priceModel) {
    case 'UNIT_BASED': {
      const left = quantity - (reversed.units ?? 0);
      if (units === null) return { units: left, amount: null, points: rest };
      if (units > left)
        return validationFailed(`units must be at most the ${left} not reversed yet`, {
          field: 'units',
          remainingUnits: left,
        });
      const points = units === left ? rest : Math.min(rest, units * (offer.unitCost ?? 0));
      return { units, amount: null, points };
    }
    case 'AMOUNT_BASED': {
      const left = subtractDecimals(decimal(entry.created.amount), decimal(reversed.amount));
      if (amount === null) return { units: null, amount: formatDecimal(left), points: rest };
      const part = decimal(amount);
      if (compareDecimals(part, left) > 0)
        return validationFailed(
          `amount must be at most the ${formatDecimal(left)} not reversed yet`,
          {
            field: 'amount',
            remainingAmount: formatDecimal(left),
          },
        );
      if (compareDecimals(part, left) === 0) return { units: null, amount, points: rest };
      const cumulative = addDecimals(decimal(reversed.amount), part);
      const worth = pointsRoundedDown(cumulative, offer.pointsPerAmountUnit ?? 0);
      return { units: null, amount, points: Math.min(rest, worth - reversed.points) };
    }
    default:
      return { units: null, amount: null, points: rest };
  }
}

/** The field a price model does not take, if the command sends it. */
export function fieldError(entry: RedemptionEntry, d: Measure): DomainError | null {
  const model = entry.created.offer.priceModel;
  if (d.units != null && model !== 'UNIT_BASED') return wrongField('units', model);
  if (d.amount != null && model !== 'AMOUNT_BASED') return wrongField('amount', model);
  return null;
}

export function reverseRedemption(
  { data: d }: ReverseRedemption,
  state: WalletState,
): WalletEvent[] | DomainError {
  const basics = commandBasics(d.now, {
    redemptionId: d.redemptionId,
    transactionId: d.transactionId,
    forfeitTransactionId: d.forfeitTransactionId,
  });
  if (basics) return basics;
  if (d.actor !== 'org') return validationFailed('Only the organization reverses a redemption');
  if (d.units != null && !isPositiveInteger(d.units))
    return validationFailed('units must be a positive integer', { field: 'units' });
  const amount = d.amount == null ? null : parseDecimal(d.amount);
  if (d.amount != null && (amount === null || amount.units === 0n))
    return validationFailed(`amount must be above 0, ${DECIMAL_RULE}`, { field: 'amount' });
  if (!optionalText(d.reason))
    return validationFailed(
      `reason must be 1-${MAX_TEXT_LENGTH} characters, not all blank, or null`,
      { field: 'reason' },
    );
  const entry = walletOf(state).redemptions.get(d.redemptionId);
  if (entry === undefined) return redemptionNotFound(d.redemptionId);
  const wrong = fieldError(entry, d);
  if (wrong) return wrong;
  if (entry.status === 'CANCELED') return alreadyCanceled();
  if (entry.hold?.state === 'HELD') return holdNotApplied(entry);
  if (entry.reversed.state === 'FULLY_REVERSED')
    return fullyReversed(entry, 'Nothing of the redemption is left to reverse');
  // Not canceled, so every refund so far was a reversal's: this is what is still debited.
  const rest = entry.pointsDebited - entry.pointsRefunded;
  const part = partToReverse(entry, d, rest);
  if (part instanceof DomainError) return part;
  const reversed: WalletEvent = {
    type: 'RedemptionReversed',
    data: {
      redemptionId: d.redemptionId,
      units: part.units,
      amount: part.amount,
      reversedPoints: part.points,
      reason: d.reason ?? null,
      reversedAt: d.now,
    },
  };
  if (part.points === 0) return [reversed];
  const refunded: WalletEvent = {
    type: 'PointsRefunded',
    data: {
      transactionId: d.transactionId,
      amount: part.points,
      reason: 'redemption_reversed',
      redemptionId: d.redemptionId,
      refundedAt: d.now,
    },
  };
  // As a cancel's: a member archived with its balance forfeited forfeits the refund too.
  if (state.status !== 'archived' || state.balanceRetained) return [reversed, refunded];
  return [reversed, refunded, pointsForfeited(d.forfeitTransactionId, part.points, d.now)];
}
