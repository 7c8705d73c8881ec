/** What the rest of the app uses from auth. */
export { AuthModule } from './auth.module';
export { AuthHook } from './auth.hook';
export { CurrentPrincipal, OrgOnly, Public, principalOf } from './auth.decorators';
export type { AuthenticatedRequest } from './auth.decorators';
export { AUTH_CONFIG, Authenticator } from './authenticator';
export { loadAuthConfig } from './auth-config';
export type { AuthConfig } from './auth-config';
export { MemberTokenIssuer } from './member-token';
export { MEMBER_PROFILE_SINK } from './member-profile-sink';
export type { MemberProfileSink } from './member-profile-sink';
export type { ExchangeRequest } from './exchange.dto';
export { ENVIRONMENTS, isEnvironment } from './principal';
export type { Environment, Principal, Tenant } from './principal';
export { parseTenantKey, resolveMember, sameTenant, tenantKey } from './tenancy';
