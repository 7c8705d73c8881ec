import { BadRequestException } from '@nestjs/common';
import type { FastifyBodyParser, FastifyInstance } from 'fastify';

/** Deeper JSON is refused: no body of the API nests past a few levels, and validation recurses. */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests arrays and objects more than `limit` levels deep (a scalar is level 0). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, depth } = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(node)) pending.push({ node: child, depth: depth + 1 });
  }
  return false;
}

function tooDeep(): BadRequestException {
  const problem = `must not nest arrays and objects more than ${MAX_JSON_DEPTH} levels deep`;
  return new BadRequestException({
    code: 'VALIDATION_FAILED',
    message: `The JSON body ${problem}`,
    details: { fields: [{ field: 'body', problems: [problem] }] },
  });
}

/**
 * Makes `application/json` the only media type the app reads: Fastify's own JSON parser (with its
 * prototype-poisoning checks and its errors for empty or malformed bodies), then the depth limit.
 * Any other media type with a body, form and text included, is 415 UNSUPPORTED_MEDIA_TYPE.
 */
export function acceptJsonBodiesOnly(http: FastifyInstance, bodyLimit: number): void {
  const parseJson = http.getDefaultJsonParser('error', 'error');
  const parser: FastifyBodyParser<string> = (request, text, done) => {
    parseJson(request, text, (error, value) => {
      if (error) return done(error);
      // Nesting n levels takes at least 2n characters, so a short body needs no walk.
      if (text.length > 2 * MAX_JSON_DEPTH && nestsDeeperThan(value, MAX_JSON_DEPTH))
        return done(tooDeep());
      done(null, value);
    });
  };
  http.removeAllContentTypeParsers();
  http.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, parser);
}
