import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { EXTERNAL_USER_ID_PATTERN } from './member-token';

/** Body of POST /v1/auth/exchange. */
export class ExchangeDto {
  @IsString()
  @Length(1, 128)
  @Matches(EXTERNAL_USER_ID_PATTERN, {
    message: 'externalUserID must not contain control characters',
  })
  externalUserID!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
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
