import { Json } from '../openapi.builders';
import { mergeErrors, PAGED_READ_ERRORS, READ_ERRORS, WRITE_ERRORS } from '../openapi.errors';
import { operation } from '../openapi.operation';
import { parameterRef, SECURITY } from '../openapi.parameters';

/** Member tokens and members: every route here takes an org key only. */
export const MEMBER_PATHS: Record<string, Json> = {
  '/v1/auth/exchange': {
    post: operation({
      operationId: 'exchangeToken',
      tag: 'Auth',
      summary: 'Mint a member token',
      description:
        "Upserts the member's profile with the fields given first, as PUT " +
        '/v1/members/{externalUserID} would (an archived member is unarchived). A profile value ' +
        'the profile rules refuse is 422 and mints no token. A replay mints a fresh token.',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'ExchangeRequest', required: true },
      success: { status: 200, description: 'A member token.', schema: 'ExchangeResult' },
      errors: mergeErrors(WRITE_ERRORS, { 422: ['VALIDATION_FAILED'] }),
    }),
  },
  '/v1/members': {
    get: operation({
      operationId: 'listMembers',
      tag: 'Members',
      summary: 'List members, or look them up by email, phone or POS account id',
      description:
        'Newest first by first event, archived members included; each item is what GET ' +
        '/v1/members/{externalUserID} answers. Filters combine; an alias may be shared by ' +
        'several members.',
      security: SECURITY.orgOnly,
      parameters: [
        'Limit',
        'CursorQuery',
        'TierQuery',
        'EmailQuery',
        'PhoneQuery',
        'PosAccountIdQuery',
      ],
      success: { status: 200, description: 'A page of members.', schema: 'MemberList' },
      errors: PAGED_READ_ERRORS,
    }),
  },
  '/v1/members/{externalUserID}': {
    parameters: [parameterRef('ExternalUserIDPath')],
    get: operation({
      operationId: 'getMember',
      tag: 'Members',
      summary: "A member's summary",
      security: SECURITY.orgOnly,
      success: { status: 200, description: 'The member summary.', schema: 'MemberSummary' },
      errors: mergeErrors(READ_ERRORS, { 404: ['NOT_FOUND'] }),
    }),
    put: operation({
      operationId: 'setMember',
      tag: 'Members',
      summary: "Create or update a member's profile",
      description:
        'A field left out is unchanged; null clears it. The first PUT registers the member, ' +
        'even with {}; a PUT on an archived member unarchives it.',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'UpsertMemberRequest', required: false },
      success: { status: 200, description: 'The member summary.', schema: 'MemberSummary' },
      errors: mergeErrors(WRITE_ERRORS, { 422: ['VALIDATION_FAILED'] }),
    }),
    delete: operation({
      operationId: 'removeMember',
      tag: 'Members',
      summary: 'Archive a member',
      description:
        'Takes no body. An archived member cannot be credited, redeem, or cancel with its own ' +
        'token; a later PUT or exchange unarchives it. Archiving again changes nothing.',
      security: SECURITY.orgOnly,
      write: true,
      parameters: ['RetainBalanceQuery'],
      success: { status: 200, description: 'The member is archived.', schema: 'ArchivedMember' },
      errors: mergeErrors(WRITE_ERRORS, { 404: ['NOT_FOUND'] }),
    }),
  },
};
