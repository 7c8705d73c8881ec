import { IsIn, IsOptional } from 'class-validator';
import { REDEMPTION_STATUSES, RedemptionStatus } from '../../ledger/wallet/wallet.events';
import { PageQuery } from '../shared/paging';
import { IsOptionalExternalUserIDQuery } from '../shared/query-rules';

/** GET /v1/redemptions: Expys v1's `?limit&cursor&externalUserID&status`. */
export class ListRedemptionsQuery extends PageQuery {
  @IsOptionalExternalUserIDQuery()
  externalUserID?: string;

  @IsOptional()
  @IsIn(REDEMPTION_STATUSES, { message: `status must be one of ${REDEMPTION_STATUSES.join(', ')}` })
  status?: RedemptionStatus;
}
