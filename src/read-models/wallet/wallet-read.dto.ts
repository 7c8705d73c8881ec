import { applyDecorators } from '@nestjs/common';
import { IsOptional, IsString, ValidateBy, ValidateIf } from 'class-validator';
import {
  E164_RULE,
  EMAIL_RULE,
  isE164Phone,
  isProfileEmail,
} from '../../ledger/wallet/member-aliases';
import { PROFILE_TEXT_LIMITS } from '../../ledger/wallet/wallet.events';
import { HasNoControlCharacters, IsText } from '../../shared/http/dto-rules';
import { isNonEmptyString } from '../../shared/domain/values';
import { PageQuery } from '../shared/paging';
import { IsOptionalExternalUserIDQuery, PLUS_HINT } from '../shared/query-rules';

/** `?externalUserID`: a member's own (or omitted); required of an organization. */
export class MemberQuery {
  @IsOptionalExternalUserIDQuery()
  externalUserID?: string;
}

export class TransactionsQuery extends PageQuery {
  @IsOptionalExternalUserIDQuery()
  externalUserID?: string;
}

/**
 * A lookup alias: a value a profile could hold (`rule` is the profile's own), or a 400. An empty
 * one too: a lookup that counted it as not given, as `?tier=` is, would answer a caller whose
 * customer has no email with the whole list, and its first member would be someone else.
 */
const IsAlias = (name: string, rule: (value: unknown) => boolean, message: string) =>
  applyDecorators(
    IsOptional(),
    IsString(),
    HasNoControlCharacters(),
    ValidateBy({ name, validator: { validate: rule, defaultMessage: () => message } }),
  );

/** GET /v1/members (Expys v1's listMembers): `?tier&limit&cursor`, and the alias lookups. */
export class ListMembersQuery extends PageQuery {
  /**
   * The tier the members' summaries show (`default` while unset), matched exactly: a tier as
   * PUT /v1/members takes it. An empty one (`?tier=`) counts as not given, as `?cursor=` does.
   */
  @ValidateIf((_object, value) => value !== undefined && value !== '')
  @IsText(1, PROFILE_TEXT_LIMITS.tier)
  tier?: string;

  /**
   * Matched with its ASCII letters in any case (emailKey). Held to the domain's rule alone, not
   * to the edge's stricter IsEmail as PUT /v1/members is: an email stored under another version's
   * edge rules must still be found, and one no profile holds simply finds nobody.
   */
  @IsAlias('isProfileEmail', isProfileEmail, `email must be ${EMAIL_RULE} ${PLUS_HINT}`)
  email?: string;

  /** Matched exactly (seed 003). */
  @IsAlias('isE164Phone', isE164Phone, `phone must be ${E164_RULE} ${PLUS_HINT}`)
  phone?: string;

  /** Matched exactly; 1-128 characters, not blank, as PUT /v1/members takes it. */
  @IsAlias(
    'isPosAccountId',
    (value) =>
      typeof value === 'string' && isNonEmptyString(value, PROFILE_TEXT_LIMITS.posAccountId),
    `posAccountId must be 1-${PROFILE_TEXT_LIMITS.posAccountId} characters, not all blank`,
  )
  posAccountId?: string;
}
