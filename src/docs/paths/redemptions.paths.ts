import { Json } from '../openapi.builders';
import { mergeErrors, PAGED_READ_ERRORS, READ_ERRORS, WRITE_ERRORS } from '../openapi.errors';
import { operation } from '../openapi.operation';
import { parameterRef, SECURITY } from '../openapi.parameters';

const NOT_FOUND = { 404: ['NOT_FOUND'] } as const;

export const REDEMPTION_PATHS: Record<string, Json> = {
  '/v1/redemptions': {
    post: operation({
      operationId: 'createRedemption',
      tag: 'Redemptions',
      summary: 'Redeem an offer for a member',
      description:
        'Debits the cost (or, with delayPointsDeduction, holds it until applied) and reserves ' +
        'stock at once; starts SUBMITTED. Checks, in order: the offer exists (404), the member ' +
        'is not archived (409), the offer is available (422), quantity or amount fit the price ' +
        '(422), stock, shipping and holdExpiresAt (422), maxPerMember (409), the points ' +
        'available: balance less pending (422).',
      security: SECURITY.orgOrMember,
      write: true,
      body: { schema: 'CreateRedemptionRequest', required: true },
      success: { status: 201, description: 'The redemption.', schema: 'Redemption' },
      errors: mergeErrors(WRITE_ERRORS, NOT_FOUND, {
        409: ['REDEMPTION_ALREADY_EXISTS', 'MEMBER_ARCHIVED'],
        422: ['INSUFFICIENT_POINTS', 'OFFER_UNAVAILABLE', 'VALIDATION_FAILED'],
      }),
    }),
    get: operation({
      operationId: 'listRedemptions',
      tag: 'Redemptions',
      summary: 'List redemptions',
      description:
        "Newest first. An org key without externalUserID lists the whole tenant's; a member " +
        'token lists its own.',
      security: SECURITY.orgOrMember,
      parameters: [
        'Limit',
        'CursorQuery',
        'ExternalUserIDQuery',
        'RedemptionStatusQuery',
        'OfferIdQuery',
        'CouponCodeQuery',
      ],
      success: { status: 200, description: 'A page of redemptions.', schema: 'RedemptionList' },
      errors: mergeErrors(PAGED_READ_ERRORS, NOT_FOUND),
    }),
  },
  '/v1/redemptions/{id}': {
    parameters: [parameterRef('IdPath')],
    get: operation({
      operationId: 'getRedemption',
      tag: 'Redemptions',
      summary: 'A redemption',
      security: SECURITY.orgOrMember,
      success: { status: 200, description: 'The redemption.', schema: 'Redemption' },
      errors: mergeErrors(READ_ERRORS, NOT_FOUND),
    }),
  },
  '/v1/redemptions/{id}/history': {
    parameters: [parameterRef('IdPath')],
    get: operation({
      operationId: 'getRedemptionHistory',
      tag: 'Redemptions',
      summary: "A redemption's status history",
      description: 'Oldest first, from SUBMITTED.',
      security: SECURITY.orgOrMember,
      success: { status: 200, description: 'The history.', schema: 'RedemptionHistory' },
      errors: mergeErrors(READ_ERRORS, NOT_FOUND),
    }),
  },
  '/v1/redemptions/{id}/status': {
    parameters: [parameterRef('IdPath')],
    post: operation({
      operationId: 'changeRedemptionStatus',
      tag: 'Redemptions',
      summary: 'Move a redemption through its lifecycle',
      description:
        'SUBMITTED → OPEN → AWAITING_VENDOR / AWAITING_CUSTOMER → PURCHASED → COMPLETED ' +
        '(docs/api.md, Redemption lifecycle). A move to the current status is no move (409).',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'ChangeStatusRequest', required: true },
      success: { status: 200, description: 'The redemption.', schema: 'Redemption' },
      errors: mergeErrors(WRITE_ERRORS, NOT_FOUND, {
        409: ['INVALID_STATUS_TRANSITION', 'HOLD_NOT_APPLIED'],
        422: ['VALIDATION_FAILED'],
      }),
    }),
  },
  '/v1/redemptions/{id}/cancel': {
    parameters: [parameterRef('IdPath')],
    post: operation({
      operationId: 'cancelRedemption',
      tag: 'Redemptions',
      summary: 'Cancel a redemption and refund its points',
      description:
        'A member may cancel its own before PURCHASED; the org before COMPLETED. Gives back the ' +
        'stock it reserved. A held redemption (hold HELD) is refunded nothing: its hold is ' +
        'released instead. The body may be left out.',
      security: SECURITY.orgOrMember,
      write: true,
      body: { schema: 'CancelRequest', required: false },
      success: { status: 200, description: 'The canceled redemption.', schema: 'Redemption' },
      errors: mergeErrors(WRITE_ERRORS, NOT_FOUND, {
        409: ['REDEMPTION_ALREADY_CANCELED', 'INVALID_STATUS_TRANSITION', 'MEMBER_ARCHIVED'],
        422: ['VALIDATION_FAILED'],
      }),
    }),
  },
  '/v1/redemptions/{id}/reverse': {
    parameters: [parameterRef('IdPath')],
    post: operation({
      operationId: 'reverseRedemption',
      tag: 'Redemptions',
      summary: 'Give back part or all of a redemption',
      description:
        'Refunds the points of some units (UNIT_BASED), an amount (AMOUNT_BASED) or the whole ' +
        '(FIXED; or units and amount left out). In any status but CANCELED, COMPLETED included; ' +
        'the status does not change, nor do stock and maxPerMember counts. The body may be left ' +
        'out.',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'ReverseRequest', required: false },
      success: { status: 200, description: 'The redemption.', schema: 'Redemption' },
      errors: mergeErrors(WRITE_ERRORS, NOT_FOUND, {
        409: ['REDEMPTION_ALREADY_CANCELED', 'REDEMPTION_FULLY_REVERSED', 'HOLD_NOT_APPLIED'],
        422: ['VALIDATION_FAILED'],
      }),
    }),
  },
  '/v1/redemptions/{id}/apply': {
    parameters: [parameterRef('IdPath')],
    post: operation({
      operationId: 'applyRedemptionHold',
      tag: 'Redemptions',
      summary: "Apply a held redemption's points: debit them",
      description:
        'For a redemption made with delayPointsDeduction whose hold is HELD: writes ' +
        'PointsHoldApplied and its PointsDebited in one append; the points leave pending and the ' +
        'balance. Not held (409 REDEMPTION_NOT_HELD), applied already (409 ' +
        'HOLD_ALREADY_APPLIED), released or canceled (409 HOLD_RELEASED), at or past its ' +
        'expiresAt (409 HOLD_EXPIRED, nothing written). The body may be left out.',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'ApplyRequest', required: false },
      success: { status: 200, description: 'The redemption.', schema: 'Redemption' },
      errors: mergeErrors(WRITE_ERRORS, NOT_FOUND, {
        409: ['REDEMPTION_NOT_HELD', 'HOLD_ALREADY_APPLIED', 'HOLD_RELEASED', 'HOLD_EXPIRED'],
        422: ['VALIDATION_FAILED'],
      }),
    }),
  },
  '/v1/redemptions/{id}/release': {
    parameters: [parameterRef('IdPath')],
    post: operation({
      operationId: 'releaseRedemptionHold',
      tag: 'Redemptions',
      summary: 'Release a held redemption: cancel it, debiting nothing',
      description:
        'For a redemption whose hold is HELD: cancels it (CANCELED; stock and maxPerMember ' +
        'freed) and releases the hold; nothing was debited, so nothing is refunded. Applied ' +
        '(409 HOLD_ALREADY_APPLIED: cancel it to refund), released (409 HOLD_RELEASED), ' +
        'expired (409 HOLD_EXPIRED), not held (409 REDEMPTION_NOT_HELD). The body may be left ' +
        'out.',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'ReleaseRequest', required: false },
      success: { status: 200, description: 'The canceled redemption.', schema: 'Redemption' },
      errors: mergeErrors(WRITE_ERRORS, NOT_FOUND, {
        409: ['REDEMPTION_NOT_HELD', 'HOLD_ALREADY_APPLIED', 'HOLD_RELEASED', 'HOLD_EXPIRED'],
        422: ['VALIDATION_FAILED'],
      }),
    }),
  },
  '/v1/redemptions/{id}/fulfilment': {
    parameters: [parameterRef('IdPath')],
    post: operation({
      operationId: 'fulfilRedemption',
      tag: 'Redemptions',
      summary: 'Mark a FULFILMENT redemption shipped, with its tracking',
      description:
        "Sets the artifact's fulfilment. A later call with other tracking corrects it; the same " +
        'tracking again writes nothing. Only FULFILMENT redemptions (else 422), not CANCELED ' +
        'or fully reversed (409: the line is void); the status does not change.',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'FulfilmentRequest', required: true },
      success: { status: 200, description: 'The redemption.', schema: 'Redemption' },
      errors: mergeErrors(WRITE_ERRORS, NOT_FOUND, {
        409: ['REDEMPTION_ALREADY_CANCELED', 'REDEMPTION_FULLY_REVERSED'],
        422: ['VALIDATION_FAILED'],
      }),
    }),
  },
};
