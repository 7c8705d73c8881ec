import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, IS_PUBLIC_KEY, ORG_ONLY_KEY } from './auth.decorators';
import { Authenticator, credentialFrom } from './authenticator';
import { Principal } from './principal';

export { CurrentPrincipal, OrgOnly, Public } from './auth.decorators';

/**
 * The global guard (APP_GUARD, registered by AuthModule): every route needs a credential unless it
 * is @Public(). It puts the Principal on `request.principal`; a member token on an @OrgOnly()
 * route is 403 FORBIDDEN.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return false;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const principal = this.authenticateOrChallenge(request, http.getResponse<FastifyReply>());
    request.principal = principal;
    if (
      principal.kind === 'member' &&
      this.reflector.getAllAndOverride<boolean>(ORG_ONLY_KEY, targets)
    ) {
      throw new ForbiddenException({
        code: 'FORBIDDEN',
        message: 'This route needs an organization API key; a member token cannot use it',
      });
    }
    return true;
  }

  private authenticateOrChallenge(request: AuthenticatedRequest, reply: FastifyReply): Principal {
    try {
      return this.authenticator.authenticate(credentialFrom(request.headers));
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 401) {
        void reply.header('WWW-Authenticate', 'Bearer realm="points-ledger"');
      }
      throw error;
    }
  }
}
