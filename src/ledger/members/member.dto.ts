import { IsIn, IsOptional, IsString, ValidateBy } from 'class-validator';
import { E164_RULE, isE164Phone } from '../wallet/member-aliases';
import {
  IsExternalUserID,
  IsOptionalDisplayName,
  IsOptionalEmail,
  IsOptionalFreeText,
  IsOptionalJsonObject,
  IsOptionalTier,
  IsPoints,
  IsText,
} from '../../shared/http/dto-rules';
import { PROFILE_TEXT_LIMITS } from '../wallet/wallet.events';

/** PUT /v1/members/{externalUserID}: a field left out is unchanged, null clears it. */
export class UpsertMemberDto {
  @IsOptionalDisplayName()
  displayName?: string | null;

  @IsOptionalTier()
  tier?: string | null;

  @IsOptionalJsonObject()
  attributes?: Record<string, unknown>;

  @IsOptionalEmail()
  email?: string | null;

  @IsOptional()
  @IsString()
  @ValidateBy({
    name: 'isE164Phone',
    validator: { validate: isE164Phone, defaultMessage: () => `phone must be ${E164_RULE}` },
  })
  phone?: string | null;

  @IsOptional()
  @IsText(0, PROFILE_TEXT_LIMITS.posAccountId)
  posAccountId?: string | null;
}

export class ArchiveMemberQuery {
  @IsOptional()
  @IsIn(['true', 'false'])
  retainBalance?: 'true' | 'false';
}

/** POST /v1/wallet/credit (Expys v1). */
export class CreditWalletDto {
  @IsPoints()
  amount!: number;

  @IsExternalUserID()
  externalUserID!: string;

  @IsOptionalFreeText()
  reason?: string;
}

export class MemberPathParams {
  @IsExternalUserID()
  externalUserID!: string;
}
