import {
  OFFER_ARTIFACTS,
  OFFER_STATUSES,
  OFFER_TEXT_LIMITS,
  PRICE_MODELS,
} from '../catalog/offer/offer.events';
import { MAX_EMAIL_LENGTH } from '../ledger/wallet/member-aliases';
import { PROFILE_TEXT_LIMITS, REDEMPTION_STATUSES } from '../ledger/wallet/wallet.events';
import { FULFILMENT_LIMITS } from '../ledger/wallet/wallet.fulfilment';
import { HOLD_LIMITS } from '../ledger/wallet/wallet.holds';
import { MAX_TEXT_LENGTH } from '../shared/domain/values';
import { WEBHOOK_LIMITS } from '../webhooks/endpoint/webhook.events';
import {
  described,
  enumOf,
  integer,
  Json,
  NO_CONTROL,
  nullable,
  openObject,
  requestObject,
  schemaRef,
  SINGLE_LINE,
  text,
} from './openapi.builders';

/*
 * Request bodies as the edge validates them (the DTOs): unknown fields are 400, and so is a value
 * of the wrong type or length. `null` is taken wherever the DTO makes a field optional, and means
 * "not given" or "clear it" as each description says. What the domain checks later (blank text,
 * price shapes, bounds that depend on an offer) is a 422 and is said in the descriptions.
 */

const externalUserID = schemaRef('ExternalUserID');
const instant = schemaRef('Instant');
const decimal = schemaRef('DecimalAmount');
const email = { type: 'string', format: 'email', maxLength: MAX_EMAIL_LENGTH };
const phone = described('E.164, e.g. +14155552671.', {
  type: 'string',
  pattern: '^\\+[1-9]\\d{1,14}$',
});
const freeText = described('Not blank (a blank one is 422).', nullable(text(1, MAX_TEXT_LENGTH)));

/** Profile texts: an empty or blank one passes here and is refused by the domain (422). */
const profileText = (max: number, description: string) =>
  described(`${description} Empty or blank is 422.`, nullable(text(0, max)));

const ExchangeRequest = requestObject(
  {
    externalUserID,
    displayName: profileText(PROFILE_TEXT_LIMITS.displayName, 'null: not given.'),
    email: described('null: not given.', nullable(email)),
    tier: profileText(PROFILE_TEXT_LIMITS.tier, 'null: not given.'),
  },
  ['externalUserID'],
);

const UpsertMemberRequest = requestObject({
  displayName: profileText(PROFILE_TEXT_LIMITS.displayName, 'null clears it.'),
  tier: profileText(PROFILE_TEXT_LIMITS.tier, 'null clears it.'),
  attributes: described(
    'Replaces the stored object. At most 16 KiB serialized, 32 levels deep, whole numbers ' +
      'within ±(2^53-1) (else 422). Not null: {} empties it.',
    openObject,
  ),
  email: described('null clears it.', nullable(email)),
  phone: described('null clears it.', nullable(phone)),
  posAccountId: profileText(PROFILE_TEXT_LIMITS.posAccountId, 'null clears it.'),
});

const CreditRequest = requestObject(
  {
    amount: integer(1),
    externalUserID,
    reason: described('Recorded on the event. Not blank (a blank one is 422).', freeText),
  },
  ['amount', 'externalUserID'],
);

const ShippingRequest = requestObject(
  {
    name: text(1, 200),
    line1: text(1, 200),
    line2: nullable(text(1, 200)),
    city: text(1, 100),
    region: nullable(text(1, 100)),
    postalCode: text(1, 20),
    country: described('ISO 3166-1 alpha-2, e.g. NO.', {
      type: 'string',
      pattern: '^[A-Z]{2}$',
    }),
  },
  ['name', 'line1', 'city', 'postalCode', 'country'],
);

const CreateRedemptionRequest = requestObject(
  {
    offer: described('The offer id.', text(1, 64)),
    externalUserID: described(
      'Required of an org key (400 otherwise); a member token may name only its own member ' +
        '(404 otherwise).',
      nullable(externalUserID),
    ),
    quantity: described(
      'UNIT_BASED offers (default 1); other models take none or 1 (else 422).',
      nullable(integer(1, 1_000_000)),
    ),
    amount: described(
      "AMOUNT_BASED offers: required, within the offer's bounds (else 422).",
      nullable(decimal),
    ),
    description: described(
      'A note; may span lines. Not blank (a blank one is 422).',
      nullable(text(1, MAX_TEXT_LENGTH, 'multi-line')),
    ),
    shipping: described(
      'Required for FULFILMENT offers, refused for others (422).',
      nullable(schemaRef('ShippingRequest')),
    ),
    delayPointsDeduction: described(
      'true: hold the points (pending) instead of debiting them, until the redemption is ' +
        'applied (POST /v1/redemptions/{id}/apply) or released.',
      nullable({ type: 'boolean' }),
    ),
    holdExpiresAt: described(
      'With delayPointsDeduction true only (else 422): when the hold expires and is released. ' +
        'In the future and at most 30 days ahead (else 422); default now + 24 h.',
      nullable(instant),
    ),
  },
  ['offer'],
);

const ChangeStatusRequest = requestObject(
  {
    status: described(
      'An allowed move from the current status (else 409); CANCELED is refused: use cancel.',
      enumOf(REDEMPTION_STATUSES),
    ),
    startAt: described('Left out: unchanged; null clears it.', nullable(instant)),
    endAt: described(
      'Left out: unchanged; null clears it. Not before startAt (else 422).',
      nullable(instant),
    ),
  },
  ['status'],
);

const CancelRequest = requestObject({ reason: freeText });

const ReverseRequest = requestObject({
  units: described(
    'UNIT_BASED redemptions: how many units, at most those not reversed yet (else 422). ' +
      'Left out: all that remain. Refused for other price models (422).',
    nullable(integer(1, 1_000_000)),
  ),
  amount: described(
    'AMOUNT_BASED redemptions: how much, above 0 and at most the amount not reversed yet (else ' +
      '422). Left out: all that remains. Refused for other price models (422).',
    nullable(decimal),
  ),
  reason: described('Recorded on the event. Not blank (a blank one is 422).', freeText),
});

const ApplyRequest = requestObject({
  reference: described(
    'The order or payment that confirms the redemption, recorded on the hold. One line.',
    nullable(text(1, HOLD_LIMITS.reference)),
  ),
});

const ReleaseRequest = requestObject({
  reason: described('Recorded on the cancel. Not blank (a blank one is 422).', freeText),
});

const FulfilmentRequest = requestObject(
  {
    trackingNumber: described(
      'Not blank (a blank one is 422).',
      text(1, FULFILMENT_LIMITS.trackingNumber),
    ),
    carrier: described(
      'Not blank (a blank one is 422).',
      nullable(text(1, FULFILMENT_LIMITS.carrier)),
    ),
    trackingUrl: described('An http or https URL, with the protocol.', {
      type: ['string', 'null'],
      format: 'uri',
      maxLength: FULFILMENT_LIMITS.trackingUrl,
      pattern: `^[hH][tT][tT][pP][sS]?://[^${NO_CONTROL}]*$`,
    }),
  },
  ['trackingNumber'],
);

/** The fields of an offer; create requires some, update takes each one optionally. */
const offerFields: Record<string, Json> = {
  title: text(1, OFFER_TEXT_LIMITS.title),
  kind: text(1, OFFER_TEXT_LIMITS.kind),
  type: text(1, OFFER_TEXT_LIMITS.type),
  description: described(
    'May span lines; empty or blank is 422.',
    nullable(text(0, OFFER_TEXT_LIMITS.description, 'multi-line')),
  ),
  shortDescription: described(
    'Empty or blank is 422.',
    nullable(text(0, OFFER_TEXT_LIMITS.shortDescription)),
  ),
  images: described('http, https or ftp URLs, with the protocol (localhost counts as a host).', {
    type: 'array',
    maxItems: 20,
    items: {
      type: 'string',
      format: 'uri',
      pattern: SINGLE_LINE,
      maxLength: OFFER_TEXT_LIMITS.imageUrl,
    },
  }),
  priceModel: described('Default FIXED.', enumOf(PRICE_MODELS)),
  pointsPrice: described('FIXED only.', nullable(integer(0))),
  unitCost: described('UNIT_BASED only.', nullable(integer(1))),
  minAmount: described('AMOUNT_BASED only: > 0.', nullable(decimal)),
  maxAmount: described('AMOUNT_BASED only: ≥ minAmount.', nullable(decimal)),
  pointsPerAmountUnit: described('AMOUNT_BASED only.', nullable(integer(1))),
  status: described('Default ACTIVE. OUT_OF_STOCK is derived from stock.', enumOf(OFFER_STATUSES)),
  availableFrom: described('Redeemable from this instant (inclusive).', nullable(instant)),
  expiresAt: described('Redeemable until this instant (exclusive).', nullable(instant)),
  maxTotal: described('Total units; null: unlimited.', nullable(integer(1))),
  maxPerMember: described(
    'Non-canceled redemptions per member; default 1, null: unlimited.',
    nullable(integer(1)),
  ),
  artifact: described('Default NONE.', enumOf(OFFER_ARTIFACTS)),
};

const CreateOfferRequest = requestObject(
  {
    id: described('Default: off_ and 20 hex characters. Must be new (409 CONFLICT).', {
      type: ['string', 'null'],
      pattern: '^[A-Za-z0-9_-]{1,64}$',
    }),
    ...offerFields,
  },
  ['title', 'kind', 'type'],
);

const UpdateOfferRequest = requestObject(offerFields);

const CreateWebhookRequest = requestObject(
  {
    url: described(
      'Absolute http or https URL, no fragment (else 422); https only in production.',
      text(1, WEBHOOK_LIMITS.url),
    ),
    events: described('Webhook event names (docs/webhooks.md), or "*" for all.', {
      type: 'array',
      minItems: 1,
      maxItems: WEBHOOK_LIMITS.events,
      items: { type: 'string', minLength: 1, maxLength: 64 },
    }),
  },
  ['url', 'events'],
);

export const REQUEST_SCHEMAS: Record<string, Json> = {
  CreateWebhookRequest,
  ExchangeRequest,
  UpsertMemberRequest,
  CreditRequest,
  ShippingRequest,
  CreateRedemptionRequest,
  ChangeStatusRequest,
  CancelRequest,
  ReverseRequest,
  FulfilmentRequest,
  ApplyRequest,
  ReleaseRequest,
  CreateOfferRequest,
  UpdateOfferRequest,
};
