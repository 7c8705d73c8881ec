import {
  IsExternalUserID,
  IsOptionalDisplayName,
  IsOptionalEmail,
  IsOptionalTier,
} from '../shared/http/dto-rules';

/** Body of POST /v1/auth/exchange. */
export class ExchangeDto {
  @IsExternalUserID()
  externalUserID!: string;

  @IsOptionalDisplayName()
  displayName?: string | null;

  @IsOptionalEmail()
  email?: string | null;

  @IsOptionalTier()
  tier?: string | null;
}

/** What an exchange says about the member; `null` in the body means "not given". */
export interface ExchangeRequest {
  externalUserID: string;
  displayName?: string;
  email?: string;
  tier?: string;
}

export function toExchangeRequest(dto: ExchangeDto): ExchangeRequest {
  const request: ExchangeRequest = { externalUserID: dto.externalUserID };
  if (dto.displayName != null) request.displayName = dto.displayName;
  if (dto.email != null) request.email = dto.email;
  if (dto.tier != null) request.tier = dto.tier;
  return request;
}

export interface ExchangeResponse {
  accessToken: string;
  /** ISO-8601 instant from which the token is refused. */
  expiresAt: string;
}
