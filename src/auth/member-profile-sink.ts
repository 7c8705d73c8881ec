import type { ExecutionResult } from '../shared/application/command-executor';
import type { CommandRequest } from '../shared/http/command-request';
import type { ExchangeRequest } from './exchange.dto';

/**
 * Hook for the members context: when a provider for this token is visible to AuthModule (export
 * it from a @Global() module), POST /v1/auth/exchange calls it before minting the token, so the
 * member's profile is created or updated from the exchange. Without one, exchange only mints.
 */
export const MEMBER_PROFILE_SINK = Symbol('MEMBER_PROFILE_SINK');

export interface MemberProfileSink {
  /**
   * Runs the profile write as the exchange's command (its Idempotency-Key included): its answer,
   * a refusal to send as it is (recorded, so a retry gets the same bytes), and whether it was a
   * replay. Throws what the HTTP layer maps when the key was used for another request.
   */
  upsertFromExchange(
    command: CommandRequest,
    profile: ExchangeRequest,
  ): Promise<Pick<ExecutionResult, 'outcome' | 'replayed'>>;
}
