import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
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
  @Matches(/^\+[1-9]\d{1,14}$/, { message: 'phone must be in E.164 format, e.g. +14155552671' })
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
