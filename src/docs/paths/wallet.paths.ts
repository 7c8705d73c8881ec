import { Json } from '../openapi.builders';
import { mergeErrors, PAGED_READ_ERRORS, READ_ERRORS, WRITE_ERRORS } from '../openapi.errors';
import { operation } from '../openapi.operation';
import { SECURITY } from '../openapi.parameters';

/** Another member's wallet, named by a member token, is 404. */
const OTHER_MEMBER = { 404: ['NOT_FOUND'] } as const;

export const WALLET_PATHS: Record<string, Json> = {
  '/v1/wallet/credit': {
    post: operation({
      operationId: 'creditPoints',
      tag: 'Wallet',
      summary: "Credit points to a member's wallet",
      description: 'Opens the wallet of a member not yet registered.',
      security: SECURITY.orgOnly,
      write: true,
      body: { schema: 'CreditRequest', required: true },
      success: {
        status: 200,
        description: 'The balance after the credit.',
        schema: 'CreditResult',
      },
      errors: mergeErrors(WRITE_ERRORS, {
        409: ['MEMBER_ARCHIVED'],
        422: ['VALIDATION_FAILED'],
      }),
    }),
  },
  '/v1/wallet': {
    get: operation({
      operationId: 'getWallet',
      tag: 'Wallet',
      summary: "A member's wallet",
      description: 'A member without events has an empty wallet, not a 404.',
      security: SECURITY.orgOrMember,
      parameters: ['ExternalUserIDQuery'],
      success: { status: 200, description: 'The wallet.', schema: 'Wallet' },
      errors: mergeErrors(READ_ERRORS, OTHER_MEMBER),
    }),
  },
  '/v1/wallet/transactions': {
    get: operation({
      operationId: 'listTransactions',
      tag: 'Wallet',
      summary: "A member's points ledger",
      description: 'Newest first.',
      security: SECURITY.orgOrMember,
      parameters: ['Limit', 'CursorQuery', 'ExternalUserIDQuery'],
      success: { status: 200, description: 'A page of transactions.', schema: 'TransactionList' },
      errors: mergeErrors(PAGED_READ_ERRORS, OTHER_MEMBER),
    }),
  },
  '/v1/eligibility': {
    get: operation({
      operationId: 'getEligibility',
      tag: 'Wallet',
      summary: "A member's tier and wallet",
      security: SECURITY.orgOrMember,
      parameters: ['ExternalUserIDQuery'],
      success: { status: 200, description: 'The tier and wallet.', schema: 'Eligibility' },
      errors: mergeErrors(READ_ERRORS, OTHER_MEMBER),
    }),
  },
};
