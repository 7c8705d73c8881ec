import { Injectable } from '@nestjs/common';
import type { ExchangeRequest } from '../../auth/exchange.dto';
import type { MemberProfileSink } from '../../auth/member-profile-sink';
import type { CommandRequest } from '../../shared/http/command-request';
import { DomainError, DomainErrorCode, DomainErrorDetails } from '../../shared/domain/domain-error';
import { MemberCommands } from './member.commands';

/** A token exchange names the member's profile; record what it says so GET /v1/members shows it. */
@Injectable()
export class ExchangeProfileSink implements MemberProfileSink {
  constructor(private readonly members: MemberCommands) {}

  async upsertFromExchange(
    command: CommandRequest,
    profile: ExchangeRequest,
  ): Promise<{ replayed: boolean }> {
    const { externalUserID, ...fields } = profile;
    const result = await this.members.upsertProfile(command, externalUserID, fields);
    if (result.outcome.status >= 400) throw refusalOf(result.outcome.body);
    return { replayed: result.replayed };
  }
}

/** The domain's refusal of the profile, so the exchange answers with its code (not a 500). */
function refusalOf(body: unknown): DomainError {
  const { code, message, details } = (
    body as { error: { code: DomainErrorCode; message: string; details?: DomainErrorDetails } }
  ).error;
  return new DomainError(code, message, details);
}
