import { ValidateIf } from 'class-validator';
import { PROFILE_TEXT_LIMITS } from '../../ledger/wallet/wallet.events';
import { IsText } from '../../shared/http/dto-rules';
import { PageQuery } from '../shared/paging';
import { IsOptionalExternalUserIDQuery } from '../shared/query-rules';

/** `?externalUserID`: a member's own (or omitted); required of an organization. */
export class MemberQuery {
  @IsOptionalExternalUserIDQuery()
  externalUserID?: string;
}

export class TransactionsQuery extends PageQuery {
  @IsOptionalExternalUserIDQuery()
  externalUserID?: string;
}

/** GET /v1/members (Expys v1's listMembers): `?tier&limit&cursor`. */
export class ListMembersQuery extends PageQuery {
  /**
   * The tier the members' summaries show (`default` while unset), matched exactly: a tier as
   * PUT /v1/members takes it. An empty one (`?tier=`) counts as not given, as `?cursor=` does.
   */
  @ValidateIf((_object, value) => value !== undefined && value !== '')
  @IsText(1, PROFILE_TEXT_LIMITS.tier)
  tier?: string;
}
