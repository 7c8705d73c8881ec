import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { COUPON_CODE_ANY_CASE } from '../../ledger/streams';
import { REDEMPTION_STATUSES, RedemptionStatus } from '../../ledger/wallet/wallet.events';
import { HasNoControlCharacters } from '../../shared/http/dto-rules';
import { PageQuery } from '../shared/paging';
import { IsOptionalExternalUserIDQuery } from '../shared/query-rules';

/**
 * GET /v1/redemptions: Expys v1's `?limit&cursor&externalUserID&status`, and `offerId` and
 * `couponCode`.
 */
export class ListRedemptionsQuery extends PageQuery {
  @IsOptionalExternalUserIDQuery()
  externalUserID?: string;

  @IsOptional()
  @IsIn(REDEMPTION_STATUSES, { message: `status must be one of ${REDEMPTION_STATUSES.join(', ')}` })
  status?: RedemptionStatus;

  /** The redemptions of one offer (an id as `POST /v1/redemptions` takes it). */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @HasNoControlCharacters()
  offerId?: string;

  /** The redemption behind a coupon code (seed 003's checkout sends the code), in any case. */
  @IsOptional()
  @IsString()
  @Matches(COUPON_CODE_ANY_CASE, {
    message: 'couponCode must be a coupon code such as PL-H3DSZ-TQUBY',
  })
  couponCode?: string;
}
