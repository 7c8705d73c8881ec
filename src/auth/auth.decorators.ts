import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { Principal } from './principal';

/**
 * Who may call a route: anyone (`public`), an organization's API key only (`org-only`), an
 * operator key only (`operator-only`), any valid credential of the three kinds
 * (`any-credential`), or, when a route names none, an org key or a member token.
 */
export type RouteAccess = 'public' | 'org-only' | 'operator-only' | 'any-credential';

/** The Fastify route config the auth hook reads before the body is parsed. */
export interface AccessRouteConfig {
  access?: RouteAccess;
}

/** Where @nestjs/platform-fastify keeps a handler's route config (RouteConfig's metadata key). */
const FASTIFY_ROUTE_CONFIG_METADATA = '__fastify_route_config__';

/**
 * Puts the access into the Fastify route config of the route, or of every route of a controller
 * that names none of its own (method decorators run before class decorators, so the route wins).
 */
function routeAccess(access: RouteAccess): MethodDecorator & ClassDecorator {
  const config: AccessRouteConfig = { access };
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (key !== undefined && descriptor) {
      RouteConfig(config)(target, key, descriptor);
      return;
    }
    const prototype = (target as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, name);
      if (name === 'constructor' || typeof method?.value !== 'function') continue;
      if (Reflect.hasOwnMetadata(FASTIFY_ROUTE_CONFIG_METADATA, method.value)) continue;
      RouteConfig(config)(prototype, name, method);
    }
  };
}

/** The route (or every route of the controller) needs no credential. */
export const Public = (): MethodDecorator & ClassDecorator => routeAccess('public');

/** The route (or every route of the controller) takes an org key only; a member token gets 403. */
export const OrgOnly = (): MethodDecorator & ClassDecorator => routeAccess('org-only');

/** The route (or every route of the controller) takes an operator key only (OPERATOR_API_KEYS). */
export const OperatorOnly = (): MethodDecorator & ClassDecorator => routeAccess('operator-only');

/** The route (or every route of the controller) takes an org key, a member token or an operator key. */
export const AnyCredential = (): MethodDecorator & ClassDecorator => routeAccess('any-credential');

/** A request after the auth hook: the principal it authenticated as, or an operator's key. */
export type AuthenticatedRequest = FastifyRequest & { principal?: Principal; operator?: true };

export function principalOf(request: AuthenticatedRequest): Principal {
  if (!request.principal) {
    throw new Error(
      'No principal on the request: the route is @Public() or the auth hook did not run',
    );
  }
  return request.principal;
}

/** The Principal the request authenticated as (not usable on @Public() routes). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    principalOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);
