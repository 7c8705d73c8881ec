import { assertNever } from '../../shared/domain/decider';
import { PersistentMap } from '../../shared/domain/persistent-map';
import type { OfferDefinition, OfferEvent } from './offer.events';

export type DefinedOffer = {
  readonly status: 'defined';
  readonly offerId: string;
  readonly offer: OfferDefinition;
  /**
   * Units held per redemption, for reservations not yet released. Persistent: a copied Map made
   * each reservation cost as much as all before it, and a cold load of a busy offer quadratic.
   */
  readonly reservations: PersistentMap<number>;
  readonly reservedUnits: number;
};

export type OfferState = { readonly status: 'absent' } | DefinedOffer;

export const initialOfferState: OfferState = { status: 'absent' };

export function evolveOffer(state: OfferState, event: OfferEvent): OfferState {
  switch (event.type) {
    case 'OfferCreated': {
      const { offerId, createdAt: _createdAt, ...offer } = event.data;
      const reservations = PersistentMap.empty<number>();
      return { status: 'defined', offerId, offer, reservations, reservedUnits: 0 };
    }
    case 'OfferUpdated':
      if (state.status === 'absent') return state;
      return { ...state, offer: { ...state.offer, ...event.data.changes } };
    case 'OfferStockReserved': {
      if (state.status === 'absent' || state.reservations.has(event.data.redemptionId)) {
        return state;
      }
      const reservations = state.reservations.set(event.data.redemptionId, event.data.units);
      return { ...state, reservations, reservedUnits: state.reservedUnits + event.data.units };
    }
    case 'OfferStockReleased': {
      if (state.status === 'absent') return state;
      const units = state.reservations.get(event.data.redemptionId);
      if (units === undefined) return state;
      const reservations = state.reservations.delete(event.data.redemptionId);
      return { ...state, reservations, reservedUnits: state.reservedUnits - units };
    }
    default:
      // Loads check events first (offerEventProblem): never a state of undefined.
      return assertNever(event);
  }
}
