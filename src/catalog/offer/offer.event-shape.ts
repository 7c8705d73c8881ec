import {
  eventProblem,
  EventRules,
  fields,
  fieldsProblem,
  integerFrom,
  object,
  text,
} from '../../shared/domain/event-shape';
import type { OfferEvent } from './offer.events';
import { offerFieldsProblem } from './offer.shape';

/** What evolveOffer reads of each offer event, as the offer decider writes it (events.md). */
const OFFER_EVENT_RULES = {
  OfferCreated: (data) => fieldsProblem(data, { offerId: text }) ?? offerFieldsProblem(data, true),
  OfferUpdated: (data) =>
    fieldsProblem(data, { changes: object }) ??
    offerFieldsProblem(data.changes as Record<string, unknown>, false),
  OfferStockReserved: fields({ redemptionId: text, units: integerFrom(1) }),
  OfferStockReleased: fields({ redemptionId: text }),
} satisfies Record<OfferEvent['type'], EventRules[string]>;

/** The event types this aggregate writes (docs/events.md). */
export const OFFER_EVENT_TYPES: readonly string[] = Object.keys(OFFER_EVENT_RULES);

/**
 * Why evolveOffer cannot fold `event`, or null: an event type it does not know (written by a newer
 * release, or by another tool), or data that breaks what it reads.
 */
export function offerEventProblem(event: { type: string; data: unknown }): string | null {
  return eventProblem('offer', OFFER_EVENT_RULES, event);
}
