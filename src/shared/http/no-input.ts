import { CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { FieldError, invalidFields } from './validation';

type Input = 'body' | 'query';

const NONE: Record<Input, string> = { body: 'no body', query: 'no query parameters' };

/** What is wrong with input a route does not take: nothing for none, null or `{}`. */
function unexpected(input: unknown, kind: Input): FieldError[] {
  if (input == null) return [];
  // A parsed query string is an object of Fastify's own prototype, not a plain object.
  if (typeof input !== 'object' || Array.isArray(input))
    return [{ field: kind, problems: [`this route takes ${NONE[kind]}`] }];
  return Object.keys(input).map((field) => ({
    field,
    problems: [`property ${field} should not exist: this route takes ${NONE[kind]}`],
  }));
}

function refuseUnexpected(context: ExecutionContext, kind: Input): true {
  const fields = unexpected(context.switchToHttp().getRequest<FastifyRequest>()[kind], kind);
  if (fields.length > 0) throw invalidFields(fields);
  return true;
}

@Injectable()
class NoBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return refuseUnexpected(context, 'body');
  }
}

@Injectable()
class NoQueryGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return refuseUnexpected(context, 'query');
  }
}

/**
 * The route takes no body (its options are in the path and query): a body with any field is
 * 400 VALIDATION_FAILED naming each field, as unknown fields are on every other route.
 */
export const NoBody = () => UseGuards(NoBodyGuard);

/** The route takes no query parameters: any one is 400 VALIDATION_FAILED naming it. */
export const NoQuery = () => UseGuards(NoQueryGuard);
