import { Injectable } from '@nestjs/common';
import type { ExchangeRequest } from '../../auth/exchange.dto';
import type { MemberProfileSink } from '../../auth/member-profile-sink';
import type { ExecutionResult } from '../../shared/application/command-executor';
import type { CommandRequest } from '../../shared/http/command-request';
import { MemberCommands } from './member.commands';

/** A token exchange names the member's profile; record what it says so GET /v1/members shows it. */
@Injectable()
export class ExchangeProfileSink implements MemberProfileSink {
  constructor(private readonly members: MemberCommands) {}

  upsertFromExchange(command: CommandRequest, profile: ExchangeRequest): Promise<ExecutionResult> {
    const { externalUserID, ...fields } = profile;
    return this.members.upsertProfile(command, externalUserID, fields);
  }
}
