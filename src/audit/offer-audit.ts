import type { OfferEvent } from '../catalog/offer/offer.events';
import { evolveOffer, initialOfferState, type OfferState } from '../catalog/offer/offer.state';
import type { AuditedEvent, AuditRule, Finding } from './audit-rules';

/** What the audit keeps of one offer stream: the command side's own state. */
export interface OfferAudit {
  state: OfferState;
}

export const newOfferAudit = (): OfferAudit => ({ state: initialOfferState });

/** Units reserved past maxTotal, by the offer state's own accounting (0 within it, or unlimited). */
function overStock(state: OfferState): number {
  if (state.status === 'absent' || state.offer.maxTotal === null) return 0;
  return Math.max(0, state.reservedUnits - state.offer.maxTotal);
}

const reservedExactly = (state: OfferState) =>
  state.status === 'absent' || Number.isSafeInteger(state.reservedUnits);

/**
 * Checks one offer event against the rules the offer decider keeps, folds it with evolveOffer
 * (mutating `offer`), and checks the stock it leads to.
 */
export function auditOfferEvent(offer: OfferAudit, event: AuditedEvent): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: AuditRule, message: string) => findings.push({ rule, message });
  const typed = { type: event.type, data: event.data } as OfferEvent;
  const before = offer.state;
  if (before.status === 'absent') {
    if (typed.type !== 'OfferCreated')
      add(
        'offer-lifecycle',
        `a ${typed.type} before the offer's OfferCreated: the fold ignores it`,
      );
  } else if (typed.type === 'OfferCreated')
    add(
      'offer-lifecycle',
      `offer ${before.offerId} is created a second time: the fold starts its stock again from 0 units reserved`,
    );
  else if (typed.type === 'OfferStockReserved') {
    const held = before.reservations.get(typed.data.redemptionId);
    if (held !== undefined)
      add(
        'reservation-mismatch',
        `redemption ${typed.data.redemptionId} holds a reservation of ${held} units already: the fold ignores this one`,
      );
  } else if (typed.type === 'OfferStockReleased') {
    const held = before.reservations.get(typed.data.redemptionId);
    if (held === undefined)
      add(
        'reservation-mismatch',
        `redemption ${typed.data.redemptionId} holds no reservation of this offer to release`,
      );
    else if (typed.data.units !== held)
      add(
        'reservation-mismatch',
        `it releases ${JSON.stringify(typed.data.units)} units of redemption ${typed.data.redemptionId}, which reserved ${held}`,
      );
  }
  const after = evolveOffer(before, typed);
  offer.state = after;
  if (after.status === 'defined' && overStock(after) > overStock(before))
    add(
      'stock-exceeded',
      `${after.reservedUnits} units are reserved of offer ${after.offerId}, whose maxTotal is ${after.offer.maxTotal}`,
    );
  if (!reservedExactly(after) && reservedExactly(before))
    add(
      'unsafe-integer',
      'the units reserved leave the safe-integer range: the sum is no longer exact',
    );
  return findings;
}
