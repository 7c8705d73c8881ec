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
