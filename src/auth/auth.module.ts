import { Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AuthConfig } from './auth-config';
import { AuthController } from './auth.controller';
import { AuthHook } from './auth.hook';
import { AUTH_CONFIG, Authenticator } from './authenticator';
import { MemberTokenIssuer } from './member-token';
import { RateLimiter } from './rate-limit';
import { DEV_OPERATOR_API_KEY } from './operator-keys';
import { DEV_ORG_API_KEY, DEV_ORG_ID } from './org-keys';

/** Org keys, member tokens and the auth hook every request passes. Needs APP_CONFIG (AppModule provides it). */
@Module({
  controllers: [AuthController],
  providers: [
    {
      provide: AUTH_CONFIG,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): AuthConfig => config.auth,
    },
    {
      provide: MemberTokenIssuer,
      inject: [AUTH_CONFIG],
      useFactory: (auth: AuthConfig) =>
        new MemberTokenIssuer(auth.memberTokenSecret, auth.memberTokenTtlSeconds),
    },
    {
      provide: RateLimiter,
      inject: [AUTH_CONFIG],
      useFactory: (auth: AuthConfig) => new RateLimiter(auth.rateLimits),
    },
    Authenticator,
    AuthHook,
  ],
  exports: [AUTH_CONFIG, MemberTokenIssuer, Authenticator],
})
export class AuthModule implements OnModuleInit {
  private readonly logger = new Logger('Auth');

  constructor(@Inject(AUTH_CONFIG) private readonly auth: AuthConfig) {}

  onModuleInit(): void {
    const { orgKeys, developmentDefaults } = this.auth;
    if (developmentDefaults.includes('ORG_API_KEYS')) {
      this.logger.warn(
        `ORG_API_KEYS is not set: development default in use, org '${DEV_ORG_ID}' with sandbox key ${DEV_ORG_API_KEY} (refused when NODE_ENV=production; see docs/auth.md)`,
      );
    } else {
      this.logger.log(
        `${orgKeys.size} API key(s) for ${orgKeys.organizationCount} organization(s)`,
      );
      if (orgKeys.hasKey(DEV_ORG_API_KEY)) {
        this.logger.warn(
          `ORG_API_KEYS lists the published development key ${DEV_ORG_API_KEY}: anybody can use it (refused when NODE_ENV=production)`,
        );
      }
    }
    this.reportOperatorKeys();
    const { memberPerMinute, orgPerMinute } = this.auth.rateLimits;
    if (memberPerMinute !== undefined || orgPerMinute !== undefined) {
      const limit = (n: number | undefined) => (n === undefined ? 'no limit' : `${n} a minute`);
      this.logger.log(
        `Rate limits on this replica: member tokens ${limit(memberPerMinute)}, org keys ${limit(orgPerMinute)}`,
      );
    }
    if (developmentDefaults.includes('MEMBER_TOKEN_SECRET')) {
      this.logger.warn(
        'MEMBER_TOKEN_SECRET is not set: member tokens are signed with the published development secret (refused when NODE_ENV=production)',
      );
    }
  }

  private reportOperatorKeys(): void {
    const { operatorKeys, developmentDefaults } = this.auth;
    if (developmentDefaults.includes('OPERATOR_API_KEYS')) {
      this.logger.warn(
        `OPERATOR_API_KEYS is not set: development operator key ${DEV_OPERATOR_API_KEY} opens /metrics, /docs and the details of /health (see docs/auth.md)`,
      );
    } else if (operatorKeys.size === 0) {
      this.logger.log(
        'OPERATOR_API_KEYS is not set: /health shows its status alone to every caller (`ledger status` shows the details on the host)',
      );
    } else if (operatorKeys.has(DEV_OPERATOR_API_KEY)) {
      this.logger.warn(
        `OPERATOR_API_KEYS lists the published development key ${DEV_OPERATOR_API_KEY}: anybody can use it (refused when NODE_ENV=production)`,
      );
    }
  }
}
