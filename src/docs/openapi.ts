import { Json } from './openapi.builders';
import { HEADERS, PARAMETERS, SECURITY_SCHEMES } from './openapi.parameters';
import { REQUEST_SCHEMAS } from './openapi.request-schemas';
import { RESPONSE_SCHEMAS } from './openapi.response-schemas';
import { VALUE_SCHEMAS } from './openapi.values';
import { ANALYTICS_PATHS } from './paths/analytics.paths';
import { EVENT_PATHS } from './paths/events.paths';
import { MEMBER_PATHS } from './paths/members.paths';
import { OFFER_PATHS } from './paths/offers.paths';
import { OPERATIONS_PATHS, OPERATIONS_SCHEMAS } from './paths/operations.paths';
import { REDEMPTION_PATHS } from './paths/redemptions.paths';
import { WALLET_PATHS } from './paths/wallet.paths';
import { WEBHOOK_PATHS } from './paths/webhooks.paths';

const DESCRIPTION = `An event-sourced points ledger and redemption service (Expys v1 wire contract, extended).
docs/api.md is the full reference; this document states the same routes for tools.

- Credentials: an org API key or a member token as \`Authorization: Bearer\` or \`X-API-Key\`;
  an operator key for /metrics, /docs and the details of /health. Invalid: 401; a credential the route
  does not take: 403.
- Bodies are JSON (UTF-8, at most 1 MiB); unknown fields, and on /v1 unknown query parameters,
  are 400 VALIDATION_FAILED.
- Every answer carries X-Request-Id; errors are \`{ "error": { code, message, requestId, details? } }\`.
- Every GET also answers HEAD, with the same status and headers and no body.
- Before any route runs, a request may also be answered 408 REQUEST_TIMEOUT (not whole within
  30 s), 417 EXPECTATION_FAILED (an Expect other than 100-continue) or 431 (headers over 16 KiB).`;

/** The OpenAPI 3.1 document of the HTTP API, served at GET /docs. */
export const OPENAPI_DOCUMENT: Json = {
  openapi: '3.1.0',
  info: {
    title: 'points-ledger',
    version: '0.1.0',
    description: DESCRIPTION,
  },
  servers: [{ url: '/', description: 'This service' }],
  tags: [
    { name: 'Auth', description: 'Member tokens' },
    { name: 'Members', description: 'Profiles, lookup and archiving (org only)' },
    { name: 'Wallet', description: 'Points: credits, balances, the ledger' },
    { name: 'Offers', description: 'The catalog' },
    { name: 'Redemptions', description: 'Redeeming offers and their lifecycle' },
    { name: 'Analytics', description: 'Organization-wide figures (org only)' },
    { name: 'Webhooks', description: 'Signed deliveries of ledger events (org only)' },
    { name: 'Events', description: 'The ledger events, paged and long-polled (org only)' },
    { name: 'Operations', description: 'Health, metrics and this document' },
  ],
  paths: {
    ...MEMBER_PATHS,
    ...WALLET_PATHS,
    ...OFFER_PATHS,
    ...REDEMPTION_PATHS,
    ...ANALYTICS_PATHS,
    ...WEBHOOK_PATHS,
    ...EVENT_PATHS,
    ...OPERATIONS_PATHS,
  },
  components: {
    schemas: { ...VALUE_SCHEMAS, ...REQUEST_SCHEMAS, ...RESPONSE_SCHEMAS, ...OPERATIONS_SCHEMAS },
    parameters: PARAMETERS,
    headers: HEADERS,
    securitySchemes: SECURITY_SCHEMES,
  },
};
