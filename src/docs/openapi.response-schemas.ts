import { OFFER_ARTIFACTS, PRICE_MODELS } from '../catalog/offer/offer.events';
import { INTERVALS } from '../projections/analytics/buckets';
import { MAX_BUCKETS } from '../read-models/analytics/analytics.controller';
import { REDEMPTION_STATUSES, REVERSAL_STATES } from '../ledger/wallet/wallet.events';
import { COUPON_CODE_SHAPE } from '../ledger/streams';
import { HOLD_STATES } from '../ledger/wallet/wallet.state';
import { statusColumn } from '../projections/redemptions/redemption-counts';
import {
  closedObject,
  described,
  enumOf,
  Json,
  nullable,
  openObject,
  schemaRef,
} from './openapi.builders';

/*
 * What the service answers. Every object is closed (additionalProperties: false) except member
 * attributes, event metadata and error details, whose fields are the client's, the event's or the
 * error's own: those are openObject.
 */

const instant = schemaRef('Instant');
const points = { type: 'integer', minimum: 0 };
/** Analytics sums are exact JSON integers, also past 2^53. */
const exactSum = described('An exact integer, also past 2^53.', { type: 'integer' });
const count = { type: 'integer', minimum: 0 };
const digits = { type: 'string', pattern: '^\\d+$' };
const list = (item: Json): Json => ({ type: 'array', items: item });
const page = (field: string, item: string): Json =>
  closedObject({ [field]: list(schemaRef(item)), nextCursor: schemaRef('Cursor') });

const Offer = closedObject({
  id: { type: 'string' },
  title: { type: 'string' },
  description: described('"" when unset.', { type: 'string' }),
  shortDescription: described('"" when unset.', { type: 'string' }),
  images: list({ type: 'string' }),
  kind: { type: 'string' },
  type: { type: 'string' },
  pointsPrice: described('FIXED price; null for the other models.', nullable(points)),
  expiresAt: nullable(instant),
  status: described(
    'OUT_OF_STOCK: an ACTIVE offer whose remainingStock is 0.',
    enumOf(['ACTIVE', 'INACTIVE', 'OUT_OF_STOCK']),
  ),
  priceModel: enumOf(PRICE_MODELS),
  unitCost: nullable(points),
  minAmount: nullable(schemaRef('DecimalAmount')),
  maxAmount: nullable(schemaRef('DecimalAmount')),
  pointsPerAmountUnit: nullable(points),
  availableFrom: nullable(instant),
  maxTotal: nullable(points),
  maxPerMember: nullable(points),
  remainingStock: described('null without maxTotal.', nullable(points)),
  artifact: enumOf(OFFER_ARTIFACTS),
});

const ShippingAddress = closedObject({
  name: { type: 'string' },
  line1: { type: 'string' },
  line2: { type: ['string', 'null'] },
  city: { type: 'string' },
  region: { type: ['string', 'null'] },
  postalCode: { type: 'string' },
  country: { type: 'string' },
});

const voidedArtifact = described(
  'True once the redemption is canceled or fully reversed: the code is no longer to be honoured, ' +
    'the line no longer shipped.',
  { type: 'boolean' },
);

const RedemptionArtifact = {
  oneOf: [
    closedObject({ type: { const: 'NONE' } }),
    closedObject({
      type: { const: 'COUPON' },
      couponCode: { type: 'string', pattern: COUPON_CODE_SHAPE.source },
      voided: voidedArtifact,
    }),
    closedObject({
      type: { const: 'FULFILMENT' },
      fulfilment: described(
        'Null until shipped (POST /v1/redemptions/{id}/fulfilment); the latest tracking after.',
        nullable(
          closedObject({
            trackingNumber: { type: 'string' },
            carrier: { type: ['string', 'null'] },
            trackingUrl: { type: ['string', 'null'] },
            fulfilledAt: instant,
          }),
        ),
      ),
      voided: voidedArtifact,
    }),
  ],
};

const Redemption = closedObject({
  id: { type: 'string', pattern: '^red_[0-9a-f]{40}$' },
  offer: described('The offer as it was when redeemed (a snapshot).', schemaRef('Offer')),
  status: enumOf(REDEMPTION_STATUSES),
  createdAt: instant,
  startAt: nullable(instant),
  endAt: nullable(instant),
  externalUserID: { type: 'string' },
  offerId: { type: 'string' },
  quantity: { type: 'integer', minimum: 1 },
  amount: described('AMOUNT_BASED: the amount as sent.', nullable(schemaRef('DecimalAmount'))),
  pointsDebited: points,
  pointsRefunded: described('Refunds by cancels and reversals alike.', points),
  reversedPoints: described('What reversals gave back so far.', points),
  reversedUnits: described(
    'UNIT_BASED: the units reversed so far; null for other price models.',
    nullable({ type: 'integer', minimum: 0 }),
  ),
  reversedAmount: described(
    'AMOUNT_BASED: the amount reversed so far, "0.00" at first; null for other price models.',
    nullable(schemaRef('DecimalAmount')),
  ),
  reversalState: enumOf(REVERSAL_STATES),
  description: { type: ['string', 'null'] },
  shipping: nullable(schemaRef('ShippingAddress')),
  artifact: schemaRef('RedemptionArtifact'),
  deduction: described(
    'DELAYED: the points were held (delayPointsDeduction) and are debited when the hold is applied.',
    enumOf(['IMMEDIATE', 'DELAYED']),
  ),
  hold: described(
    'DELAYED redemptions: the hold; null for IMMEDIATE ones.',
    nullable(
      closedObject({
        state: enumOf(HOLD_STATES),
        points,
        expiresAt: instant,
        appliedAt: nullable(instant),
        releasedAt: described('When released, canceled or expired.', nullable(instant)),
        reference: described('What the apply named (an order or payment id).', {
          type: ['string', 'null'],
        }),
      }),
    ),
  ),
  canceledAt: nullable(instant),
  updatedAt: instant,
});

const walletFields = {
  balance: points,
  amountReceived: described('All credits.', points),
  amountSpent: described('All debits less refunds.', points),
  currency: schemaRef('Currency'),
  refunded: points,
  pending: described(
    'Points on hold (DELAYED redemptions not applied or released yet); part of balance.',
    points,
  ),
  available: described('What redemptions may spend: balance - pending.', points),
};

const MemberSummary = closedObject({
  externalUserID: { type: 'string' },
  displayName: { type: ['string', 'null'] },
  tier: described('"default" while unset.', { type: 'string' }),
  attributes: openObject,
  email: { type: ['string', 'null'] },
  phone: { type: ['string', 'null'] },
  posAccountId: { type: ['string', 'null'] },
  archived: { type: 'boolean' },
  wallet: closedObject(walletFields),
  redemptionCounts: closedObject(
    Object.fromEntries(REDEMPTION_STATUSES.map((status) => [status, count])),
  ),
});

const Wallet = closedObject(walletFields);

const Transaction = closedObject({
  id: { type: 'string', pattern: '^txn_[0-9a-f]{20}$' },
  amount: described('Negative for a DEBIT.', { type: 'integer' }),
  createdAt: instant,
  reason: described(
    "The credit's own, or redemption, redemption_canceled, redemption_reversed, member_archived.",
    {
      type: ['string', 'null'],
    },
  ),
  redemptionID: { type: ['string', 'null'] },
  type: enumOf(['CREDIT', 'DEBIT', 'REFUND']),
});

const countsByStatus = Object.fromEntries(
  [...REDEMPTION_STATUSES.map(statusColumn), 'total'].map((name) => [name, count]),
);

const Bucket = closedObject({
  startTime: instant,
  endTime: instant,
  pointsMinted: exactSum,
  pointsSpent: exactSum,
  signups: count,
});

const webhookFields = {
  id: { type: 'string' },
  url: { type: 'string' },
  events: list({ type: 'string' }),
  environment: enumOf(['SANDBOX', 'LIVE']),
  createdAt: instant,
};

export const RESPONSE_SCHEMAS: Record<string, Json> = {
  WebhookWithSecret: closedObject({
    ...webhookFields,
    signingSecret: described(
      'whsec_ and the base64 of the key that signs its deliveries; shown on creation only.',
      { type: 'string' },
    ),
  }),
  WebhookList: closedObject({
    data: list(
      closedObject({
        ...webhookFields,
        disabledAt: described('Always null: deleted webhooks are not listed.', { type: 'null' }),
      }),
    ),
  }),
  WebhookDeleted: closedObject({ id: { type: 'string' }, ok: { const: true } }),
  WebhookSecretRotated: closedObject({
    id: { type: 'string' },
    secretVersion: described('1 as registered, one more at each rotation.', {
      type: 'integer',
      minimum: 2,
    }),
    rotatedAt: instant,
    previousSecretExpiresAt: described(
      'Until then deliveries carry a signature by the previous secret too.',
      instant,
    ),
    signingSecret: described('The new secret, shown here only.', { type: 'string' }),
  }),
  WebhookTestRequested: closedObject({
    id: described('The test delivery, as webhook-id and the deliveries list name it.', {
      type: 'string',
    }),
    webhookId: { type: 'string' },
    type: { const: 'loyalty.webhook.test' },
    requestedAt: instant,
  }),
  WebhookDeliveryResend: closedObject({
    id: described('The delivery sent again.', { type: 'string' }),
    webhookId: { type: 'string' },
    requestedAt: instant,
  }),
  WebhookDeliveryList: closedObject({
    data: list(
      closedObject({
        id: described('The message id, as webhook-id and the body state it.', {
          type: 'string',
        }),
        eventId: described('The id of the ledger event it carries.', { type: 'string' }),
        type: { type: 'string' },
        status: enumOf(['PENDING', 'DELIVERED', 'FAILED', 'CANCELED']),
        attempts: count,
        lastError: described('Why the last attempt failed.', nullable({ type: 'string' })),
        nextAttemptAt: described('When it is tried next (PENDING only).', nullable(instant)),
        createdAt: instant,
        updatedAt: instant,
      }),
    ),
  }),
  EventsPage: closedObject({
    events: list(
      closedObject(
        {
          position: described('Its position in $all.', digits),
          stream: { type: 'string' },
          revision: described('Its revision in its stream, from 0.', digits),
          id: { type: 'string' },
          type: { type: 'string' },
          data: described('As written (docs/events.md).', {}),
          metadata: described('As written (docs/events.md).', openObject),
          createdAt: instant,
          unreadable: described(
            'Only on an event whose stored body is damaged: why. Its data and metadata read as {}.',
            { type: 'string' },
          ),
        },
        { optional: ['unreadable'] },
      ),
    ),
    nextCursor: described(
      'The after of the next request. null only while $all is empty and no after was given.',
      nullable(digits),
    ),
    caughtUp: described(
      'The read reached the head of $all found when it started. False: ask again at once.',
      { type: 'boolean' },
    ),
  }),
  Offer,
  OfferList: page('data', 'Offer'),
  ShippingAddress,
  RedemptionArtifact,
  Redemption,
  RedemptionList: page('redemptions', 'Redemption'),
  RedemptionHistory: closedObject({
    id: { type: 'string' },
    history: list(closedObject({ status: enumOf(REDEMPTION_STATUSES), at: instant })),
  }),
  MemberSummary,
  MemberList: page('members', 'MemberSummary'),
  ArchivedMember: closedObject({
    externalUserID: { type: 'string' },
    archived: { type: 'boolean' },
    balanceRetained: { type: 'boolean' },
  }),
  ExchangeResult: closedObject({
    accessToken: described('A member token, opaque to clients.', {
      type: 'string',
      pattern: '^mt_',
    }),
    expiresAt: described('The instant from which the token is refused.', instant),
  }),
  CreditResult: closedObject({ balance: points, currency: schemaRef('Currency') }),
  Wallet,
  Transaction,
  TransactionList: page('transactions', 'Transaction'),
  Eligibility: closedObject({ tier: { type: 'string' }, wallet: schemaRef('Wallet') }),
  AnalyticsSummary: closedObject({
    memberCount: count,
    pointsMinted: exactSum,
    pointsSpent: exactSum,
    completionRate: described('Completed / all redemptions; 0 without any.', {
      type: 'number',
      minimum: 0,
      maximum: 1,
    }),
    redemptions: closedObject(countsByStatus),
  }),
  AnalyticsOffers: closedObject({
    offers: list(
      closedObject({
        offerId: { type: 'string' },
        signups: count,
        completions: count,
        cancellations: count,
        redeemedUnits: described(
          'Units of those redemptions (the quantity of a UNIT_BASED offer, else 1 each), canceled ones included.',
          count,
        ),
        pointsSpent: exactSum,
      }),
    ),
  }),
  AnalyticsTimeseries: closedObject({
    buckets: described(`At most ${MAX_BUCKETS} buckets of a ${INTERVALS.join(', ')}.`, {
      type: 'array',
      maxItems: MAX_BUCKETS,
      items: Bucket,
    }),
  }),
  Error: closedObject({
    error: closedObject(
      {
        code: described('Stable, for programs.', { type: 'string' }),
        message: described('For people; may change.', { type: 'string' }),
        requestId: described("The request's id; a replayed answer keeps the first request's.", {
          type: 'string',
        }),
        details: described(
          '400 VALIDATION_FAILED: { fields: [{ field, problems }] }; 422: { field, ... }; ' +
            'other codes: values that explain them.',
          openObject,
        ),
      },
      { optional: ['details'] },
    ),
  }),
};
