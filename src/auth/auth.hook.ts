import {
  ForbiddenException,
  HttpException,
  Injectable,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, HookHandlerDoneFunction } from 'fastify';
import { AccessRouteConfig, AuthenticatedRequest } from './auth.decorators';
import { Authenticator, credentialFrom } from './authenticator';
import { RateLimiter } from './rate-limit';

/**
 * Authenticates every request in Fastify's onRequest hook, before its body is read: a request
 * without a valid credential is 401 and a member token on an @OrgOnly() route is 403, whatever
 * its body holds (bad JSON, too large, wrong media type). Routes that name no access, unknown
 * paths included, need a credential. A @Public() route needs none, but one that is sent is
 * checked (a wrong one is 401), so that the route may show more to whom it knows. It puts the
 * Principal on `request.principal`; an operator key, which only a @Public(), @OperatorOnly() or
 * @AnyCredential() route takes (403 elsewhere), sets `request.operator` instead. An @OperatorOnly() route answers
 * any other valid credential 403. A principal over its rate limit is 429.
 */
@Injectable()
export class AuthHook implements OnModuleInit {
  constructor(
    private readonly authenticator: Authenticator,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() private readonly limiter?: RateLimiter,
  ) {}

  onModuleInit(): void {
    // An application context without HTTP (the CLI) has no requests to authenticate.
    this.adapterHost?.httpAdapter
      ?.getInstance<FastifyInstance>()
      .addHook('onRequest', this.onRequest);
  }

  /** The hook as Fastify calls it; an error goes to the app's exception filter. */
  readonly onRequest = (
    request: AuthenticatedRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void => {
    try {
      this.authorize(request, reply);
      done();
    } catch (error) {
      done(error as Error);
    }
  };

  authorize(request: AuthenticatedRequest, reply: FastifyReply): void {
    const access = (request.routeOptions.config as AccessRouteConfig).access;
    if (access === 'public' && !hasCredential(request)) return;
    const credential = challengeOn401(reply, () =>
      credentialFrom(request.headers, request.raw.rawHeaders),
    );
    if (this.authenticator.isOperatorKey(credential)) {
      if (access !== 'public' && access !== 'operator-only' && access !== 'any-credential') {
        const needs =
          access === 'org-only'
            ? 'an organization API key'
            : 'an organization API key or a member token';
        throw forbidden(
          `An operator key opens /metrics, /docs and the details of /health only; this route needs ${needs}`,
        );
      }
      request.operator = true;
      return;
    }
    const principal = challengeOn401(reply, () => this.authenticator.authenticate(credential));
    if (access === 'operator-only') {
      throw forbidden('This route needs an operator key (OPERATOR_API_KEYS)');
    }
    if (principal.kind === 'member' && access === 'org-only') {
      throw forbidden('This route needs an organization API key; a member token cannot use it');
    }
    this.limiter?.take(principal); // before the body is read: a refused request costs little
    request.principal = principal;
  }
}

const forbidden = (message: string) => new ForbiddenException({ code: 'FORBIDDEN', message });

/** Runs `step`; a 401 it throws also carries the WWW-Authenticate challenge. */
function challengeOn401<T>(reply: FastifyReply, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof HttpException && error.getStatus() === 401) {
      void reply.header('WWW-Authenticate', 'Bearer realm="points-ledger"');
    }
    throw error;
  }
}

const hasCredential = (request: AuthenticatedRequest): boolean =>
  request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined;
