import { IsIn, IsOptional } from 'class-validator';
import { REDEMPTION_STATUSES, RedemptionStatus } from '../../ledger/wallet/wallet.events';
import { IsExternalUserID } from '../../shared/http/dto-rules';
import { PageQuery } from '../shared/paging';

/** GET /v1/redemptions: Expys v1's `?limit&cursor&externalUserID&status`. */
export class ListRedemptionsQuery extends PageQuery {
  @IsOptional()
  @IsExternalUserID()
  externalUserID?: string;

  @IsOptional()
  @IsIn(REDEMPTION_STATUSES, { message: `status must be one of ${REDEMPTION_STATUSES.join(', ')}` })
  status?: RedemptionStatus;
}
