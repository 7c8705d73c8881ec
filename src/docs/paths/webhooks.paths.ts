import { Json } from '../openapi.builders';
import { mergeErrors, READ_ERRORS, WRITE_ERRORS } from '../openapi.errors';
import { operation } from '../openapi.operation';
import { parameterRef, SECURITY } from '../openapi.parameters';

/** Webhook registrations (docs/webhooks.md): an org key only, per organization and environment. */
export const WEBHOOK_PATHS: Record<string, Json> = {
  '/v1/webhooks': {
    post: operation({
      operationId: 'createWebhook',
      tag: 'Webhooks',
      summary: 'Register a webhook',
      description:
        'The answer holds the signing secret, shown here only (and to a replay of the same ' +
        'Idempotency-Key). The url must be absolute http or https (https only in production; ' +
        "a public host only with WEBHOOK_PRIVATE_DESTINATIONS=deny, production's default), " +
        'each event a known name or "*" (else 422, details name the unknown ones). At most 20 ' +
        'webhooks per organization and environment (409 WEBHOOK_LIMIT_REACHED).',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'CreateWebhookRequest', required: true },
      success: {
        status: 201,
        description: 'The webhook, with its signing secret.',
        schema: 'WebhookWithSecret',
      },
      errors: mergeErrors(WRITE_ERRORS, {
        409: ['WEBHOOK_LIMIT_REACHED'],
        422: ['VALIDATION_FAILED'],
      }),
    }),
    get: operation({
      operationId: 'listWebhooks',
      tag: 'Webhooks',
      summary: "The organization's webhooks in this environment",
      description: 'In the order they were registered; deleted ones are not listed. No secrets.',
      security: SECURITY.orgOnly,
      success: { status: 200, description: 'The webhooks.', schema: 'WebhookList' },
      errors: mergeErrors(READ_ERRORS, { 503: ['STREAM_UNREADABLE'] }),
    }),
  },
  '/v1/webhooks/{id}': {
    parameters: [parameterRef('IdPath')],
    delete: operation({
      operationId: 'deleteWebhook',
      tag: 'Webhooks',
      summary: 'Delete a webhook',
      description:
        'Takes no body. Nothing more is delivered to it, deliveries still pending included. ' +
        'Deleting it again is 404.',
      security: SECURITY.orgOnly,
      write: true,
      success: { status: 200, description: 'The webhook is deleted.', schema: 'WebhookDeleted' },
      errors: mergeErrors(WRITE_ERRORS, { 404: ['NOT_FOUND'] }),
    }),
  },
  '/v1/webhooks/{id}/test': {
    parameters: [parameterRef('IdPath')],
    post: operation({
      operationId: 'testWebhook',
      tag: 'Webhooks',
      summary: 'Send a test delivery',
      description:
        'Takes no body. Records the request (WebhookTestRequested); the replica that delivers ' +
        'then POSTs a loyalty.webhook.test, signed and retried like any delivery, to this ' +
        'webhook whatever events it listed. No points move. A deleted webhook is 404.',
      security: SECURITY.orgOnly,
      write: true,
      success: {
        status: 202,
        description: 'The request is recorded; the answer names the delivery.',
        schema: 'WebhookTestRequested',
      },
      errors: mergeErrors(WRITE_ERRORS, { 404: ['NOT_FOUND'] }),
    }),
  },
  '/v1/webhooks/{id}/rotate-secret': {
    parameters: [parameterRef('IdPath')],
    post: operation({
      operationId: 'rotateWebhookSecret',
      tag: 'Webhooks',
      summary: "Rotate a webhook's signing secret",
      description:
        'Takes no body. Answers the new secret, shown here only (and to a replay of the same ' +
        'Idempotency-Key). For 24 hours deliveries carry two signatures, by the new secret and ' +
        'by the previous one, so a receiver can switch without missing any. A deleted webhook ' +
        'is 404.',
      security: SECURITY.orgOnly,
      write: true,
      success: {
        status: 200,
        description: 'The new secret.',
        schema: 'WebhookSecretRotated',
      },
      errors: mergeErrors(WRITE_ERRORS, { 404: ['NOT_FOUND'] }),
    }),
  },
  '/v1/webhooks/{id}/deliveries': {
    parameters: [parameterRef('IdPath')],
    get: operation({
      operationId: 'listWebhookDeliveries',
      tag: 'Webhooks',
      summary: "A webhook's latest deliveries",
      description:
        "The 50 newest, newest first, a deleted webhook's too; finished ones are kept 7 days. " +
        'Only the replica that delivers keeps them: another (WEBHOOK_DELIVERY=off) answers 503.',
      security: SECURITY.orgOnly,
      success: {
        status: 200,
        description: 'The deliveries.',
        schema: 'WebhookDeliveryList',
      },
      errors: mergeErrors(READ_ERRORS, { 404: ['NOT_FOUND'], 503: ['STREAM_UNREADABLE'] }),
    }),
  },
  '/v1/webhooks/{id}/deliveries/{deliveryId}/resend': {
    parameters: [parameterRef('IdPath'), parameterRef('DeliveryIdPath')],
    post: operation({
      operationId: 'resendWebhookDelivery',
      tag: 'Webhooks',
      summary: 'Send a delivery again',
      description:
        'Takes no body. Records the request (WebhookDeliveryResendRequested); the replica that ' +
        'delivers then sends the delivery again, with the same webhook-id and body: a finished ' +
        'one once (a failure leaves it FAILED), a pending one at once as its next attempt. ' +
        'A delivery that replica does not hold (finished ones are kept 7 days) is 404, as is a ' +
        'deleted webhook.',
      security: SECURITY.orgOnly,
      write: true,
      success: {
        status: 202,
        description: 'The request is recorded; the delivery is sent shortly.',
        schema: 'WebhookDeliveryResend',
      },
      errors: mergeErrors(WRITE_ERRORS, { 404: ['NOT_FOUND'] }),
    }),
  },
};
