import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ExchangeRequest } from '../../auth/exchange.dto';
import type { MemberProfileSink } from '../../auth/member-profile-sink';
import { Tenant } from '../../auth/principal';
import { tenantKey } from '../../auth/tenancy';
import { MemberCommands } from './member.commands';

/** A token exchange names the member's profile; record what it says so GET /v1/members shows it. */
@Injectable()
export class ExchangeProfileSink implements MemberProfileSink {
  constructor(private readonly members: MemberCommands) {}

  async upsertFromExchange(tenant: Tenant, profile: ExchangeRequest): Promise<void> {
    const { externalUserID, ...fields } = profile;
    const result = await this.members.upsertProfile(
      {
        principal: { kind: 'org', tenant },
        tenant,
        tenantKey: tenantKey(tenant),
        requestId: randomUUID(),
        now: new Date().toISOString(),
        idempotency: undefined,
      },
      externalUserID,
      fields,
    );
    if (result.outcome.status >= 400)
      throw new Error(`Profile upsert on exchange failed: ${JSON.stringify(result.outcome.body)}`);
  }
}
