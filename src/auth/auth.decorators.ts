import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Principal } from './principal';

export const IS_PUBLIC_KEY = 'auth:public';
export const ORG_ONLY_KEY = 'auth:orgOnly';

/** The route (or every route of the controller) needs no credential. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/** The route (or every route of the controller) takes an org key only; a member token gets 403. */
export const OrgOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ORG_ONLY_KEY, true);

/** A request after the auth guard: the principal it authenticated as. */
export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export function principalOf(request: AuthenticatedRequest): Principal {
  if (!request.principal) {
    throw new Error(
      'No principal on the request: the route is @Public() or the AuthGuard did not run',
    );
  }
  return request.principal;
}

/** The Principal the request authenticated as (not usable on @Public() routes). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    principalOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);
