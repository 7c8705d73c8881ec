import { IsOptional } from 'class-validator';
import { IsExternalUserID } from '../../shared/http/dto-rules';
import { PageQuery } from '../shared/paging';

/** `?externalUserID`: a member's own (or omitted); required of an organization. */
export class MemberQuery {
  @IsOptional()
  @IsExternalUserID()
  externalUserID?: string;
}

export class TransactionsQuery extends PageQuery {
  @IsOptional()
  @IsExternalUserID()
  externalUserID?: string;
}
