import { Json } from '../openapi.builders';
import { mergeErrors, PAGED_READ_ERRORS, READ_ERRORS, WRITE_ERRORS } from '../openapi.errors';
import { operation } from '../openapi.operation';
import { parameterRef, SECURITY } from '../openapi.parameters';

/** The catalog: the organization writes it; members read its ACTIVE offers. */
export const OFFER_PATHS: Record<string, Json> = {
  '/v1/offers': {
    post: operation({
      operationId: 'createOffer',
      tag: 'Offers',
      summary: 'Create an offer',
      description:
        "The price fields must match priceModel: the model's own set, the others absent or null " +
        '(422 otherwise).',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'CreateOfferRequest', required: true },
      success: { status: 201, description: 'The offer.', schema: 'Offer' },
      errors: mergeErrors(WRITE_ERRORS, { 422: ['VALIDATION_FAILED'] }),
    }),
    get: operation({
      operationId: 'listOffers',
      tag: 'Offers',
      summary: 'The catalog',
      description: 'Newest first. A member sees ACTIVE offers only (OUT_OF_STOCK ones included).',
      security: SECURITY.orgOrMember,
      parameters: ['Limit', 'CursorQuery'],
      success: { status: 200, description: 'A page of offers.', schema: 'OfferList' },
      errors: PAGED_READ_ERRORS,
    }),
  },
  '/v1/offers/{id}': {
    parameters: [parameterRef('IdPath')],
    patch: operation({
      operationId: 'updateOffer',
      tag: 'Offers',
      summary: 'Change an offer',
      description:
        'A field left out is unchanged; null clears a nullable one. The result is validated ' +
        'as a whole (422); redemptions already made keep their snapshot.',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'UpdateOfferRequest', required: false },
      success: { status: 200, description: 'The offer.', schema: 'Offer' },
      errors: mergeErrors(WRITE_ERRORS, { 404: ['NOT_FOUND'], 422: ['VALIDATION_FAILED'] }),
    }),
    get: operation({
      operationId: 'getOffer',
      tag: 'Offers',
      summary: 'An offer',
      description: 'An INACTIVE offer is 404 to a member.',
      security: SECURITY.orgOrMember,
      success: { status: 200, description: 'The offer.', schema: 'Offer' },
      errors: mergeErrors(READ_ERRORS, { 404: ['NOT_FOUND'] }),
    }),
  },
};
