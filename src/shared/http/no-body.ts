import { CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isPlainObject } from '../domain/values';
import { FieldError, invalidFields } from './validation';

/** What is wrong with a body sent to a route that takes none: nothing for none, null or `{}`. */
function unexpectedBody(body: unknown): FieldError[] {
  if (body == null) return [];
  if (!isPlainObject(body)) return [{ field: 'body', problems: ['this route takes no body'] }];
  return Object.keys(body).map((field) => ({
    field,
    problems: [`property ${field} should not exist: this route takes no body`],
  }));
}

@Injectable()
class NoBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const fields = unexpectedBody(context.switchToHttp().getRequest<FastifyRequest>().body);
    if (fields.length > 0) throw invalidFields(fields);
    return true;
  }
}

/**
 * The route takes no body (its options are in the path and query): a body with any field is
 * 400 VALIDATION_FAILED naming each field, as unknown fields are on every other route.
 */
export const NoBody = () => UseGuards(NoBodyGuard);
