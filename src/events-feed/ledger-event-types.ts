import { OFFER_EVENT_TYPES } from '../catalog/offer/offer.event-shape';
import { WALLET_EVENT_TYPES } from '../ledger/wallet/wallet.event-shape';
import { WEBHOOK_REGISTRATION_EVENT_TYPES } from '../webhooks/endpoint/webhook.event-shape';

/** Every event type the events feed serves: the ledger's (docs/events.md), in catalog order. */
export const LEDGER_EVENT_TYPES: readonly string[] = [
  ...WALLET_EVENT_TYPES,
  ...OFFER_EVENT_TYPES,
  ...WEBHOOK_REGISTRATION_EVENT_TYPES,
];
