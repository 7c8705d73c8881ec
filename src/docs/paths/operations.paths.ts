import { closedObject, enumOf, Json, openObject, schemaRef } from '../openapi.builders';
import { errorResponses, errorSchema, responseHeaders } from '../openapi.errors';
import { parameterRef, SECURITY } from '../openapi.parameters';

/*
 * Routes for load balancers, operators and tools, outside /v1. They ignore their query (a monitor
 * may add a parameter against caches); none is recorded under an Idempotency-Key.
 */

const json = (schema: Json) => ({ 'application/json': { schema } });

const answer = (status: number, description: string, content: Json): Json => ({
  description,
  headers: responseHeaders(status, false),
  content,
});

/** A /health answer whose status is `status`: the status alone, or with the operator's details. */
const healthOf = (status: string): Json => ({
  allOf: [
    { oneOf: [schemaRef('HealthStatus'), schemaRef('HealthDetails')] },
    { type: 'object', properties: { status: { const: status } } },
  ],
});

/** What a route that needs no credential may still answer: a sent credential is checked. */
const PUBLIC_ERRORS = errorResponses(
  { 400: ['BAD_REQUEST'], 401: ['UNAUTHORIZED'], 429: ['RATE_LIMITED'], 500: ['INTERNAL'] },
  false,
);

const projection = closedObject(
  {
    name: { type: 'string' },
    status: enumOf(['running', 'stopped']),
    checkpoint: { type: 'string', pattern: '^-?\\d+$' },
    lag: { type: 'integer', minimum: 0 },
    error: closedObject({ position: { type: 'string' }, message: { type: 'string' } }),
  },
  { optional: ['error'] },
);

export const OPERATIONS_SCHEMAS: Record<string, Json> = {
  HealthStatus: closedObject({ status: enumOf(['ok', 'degraded']) }),
  HealthDetails: closedObject(
    {
      status: enumOf(['ok', 'degraded']),
      eventStore: closedObject({
        kind: enumOf(['sqlite', 'eventstoredb']),
        headPosition: { type: 'string', pattern: '^-?\\d+$', description: '"-1": no event.' },
      }),
      projections: { type: 'array', items: projection },
      projectionEngine: closedObject({ error: { type: 'string' } }),
      fileFailure: closedObject({ code: { type: 'string' }, at: schemaRef('Instant') }),
    },
    { optional: ['projectionEngine', 'fileFailure'] },
  ),
};

export const OPERATIONS_PATHS: Record<string, Json> = {
  '/health': {
    get: {
      operationId: 'getHealth',
      tags: ['Operations'],
      summary: 'Liveness and store status',
      description:
        'Without a credential, or with an org key or member token: the status alone. With an ' +
        "operator key: also the event store's head and each projection's checkpoint, lag and " +
        'error, which span every tenant.',
      security: SECURITY.publicOrOperator,
      parameters: [parameterRef('RequestId')],
      responses: {
        200: answer(200, 'ok.', json(healthOf('ok'))),
        ...PUBLIC_ERRORS,
        503: answer(
          503,
          'degraded: a projection stopped, or a database file cannot be used. ' +
            'SERVICE_UNAVAILABLE: the event store cannot be read at all.',
          json({ oneOf: [healthOf('degraded'), errorSchema(['SERVICE_UNAVAILABLE'])] }),
        ),
      },
    },
  },
  '/health/ready': {
    get: {
      operationId: 'getReadiness',
      tags: ['Operations'],
      summary: 'Whether this replica should take traffic',
      security: SECURITY.public,
      parameters: [parameterRef('RequestId')],
      responses: {
        200: answer(200, 'ready.', json(closedObject({ status: { const: 'ready' } }))),
        ...PUBLIC_ERRORS,
        503: answer(
          503,
          'starting: the read models are catching up with the store; degraded: as /health. ' +
            'SERVICE_UNAVAILABLE: the event store cannot be read at all.',
          json({
            oneOf: [
              closedObject({ status: enumOf(['starting', 'degraded']) }),
              errorSchema(['SERVICE_UNAVAILABLE']),
            ],
          }),
        ),
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'getMetrics',
      tags: ['Operations'],
      summary: "This replica's figures for Prometheus",
      description:
        'An operator key only: an org key or a member token is 403 (docs/operations.md).',
      security: SECURITY.operatorOnly,
      parameters: [parameterRef('RequestId')],
      responses: {
        200: answer(200, 'The Prometheus text format, version 0.0.4.', {
          'text/plain': { schema: { type: 'string' } },
        }),
        ...errorResponses(
          {
            400: ['BAD_REQUEST'],
            401: ['UNAUTHORIZED'],
            403: ['FORBIDDEN'],
            500: ['INTERNAL'],
            503: ['SERVICE_UNAVAILABLE'],
          },
          false,
        ),
      },
    },
  },
  '/docs': {
    get: {
      operationId: 'getOpenApiDocument',
      tags: ['Operations'],
      summary: 'This OpenAPI document',
      description: 'Any valid credential: an org key, a member token or an operator key.',
      security: SECURITY.anyCredential,
      parameters: [parameterRef('RequestId')],
      responses: {
        200: answer(200, 'The OpenAPI 3.1 document, as JSON.', json(openObject)),
        ...PUBLIC_ERRORS,
      },
    },
  },
};
