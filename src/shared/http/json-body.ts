import { isUtf8 } from 'node:buffer';
import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import { duplicateKey } from './duplicate-keys';
import { countHeader } from './raw-headers';
import { firstRoundedNumber } from './rounded-numbers';

/** A larger request body is refused 413 PAYLOAD_TOO_LARGE, before it is parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Deeper JSON is refused: no body of the API nests past a few levels, and validation recurses. */
export const MAX_JSON_DEPTH = 64;
/**
 * More keys in one object, or in the whole body, are refused before validation: class-transformer
 * takes time that grows with the square of an object's keys (a 1 MiB body of 90,000 keys held the
 * event loop 5 s). Within both limits a body costs it about 10 ms at most.
 */
export const MAX_JSON_OBJECT_KEYS = 1000;
export const MAX_JSON_BODY_KEYS = 10_000;

/** Text JSON.parse accepts that a body must not hold, found by walking the parsed value. */
export type BodyFlaw = 'too-deep' | 'too-many-keys' | 'lone-surrogate';

/** A lone surrogate (half of a UTF-16 pair): UTF-8 cannot store it, so it would become U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Only a \uD800-\uDFFF escape can put a surrogate into parsed JSON text. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * The first flaw of a parsed body: nesting past `maxDepth` (a scalar is level 0), more keys than
 * MAX_JSON_OBJECT_KEYS in an object or MAX_JSON_BODY_KEYS in all, or, when `strings` is set, a key
 * or string holding a lone surrogate. It walks without recursion.
 */
export function bodyFlaw(value: unknown, maxDepth: number, strings: boolean): BodyFlaw | undefined {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  let keys = 0;
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, depth } = next;
    if (typeof node === 'string') {
      if (strings && LONE_SURROGATE.test(node)) return 'lone-surrogate';
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > maxDepth) return 'too-deep';
    const entries = Object.entries(node);
    if (!Array.isArray(node)) {
      keys += entries.length;
      if (entries.length > MAX_JSON_OBJECT_KEYS || keys > MAX_JSON_BODY_KEYS)
        return 'too-many-keys';
    }
    for (const [key, child] of entries) {
      if (strings && LONE_SURROGATE.test(key)) return 'lone-surrogate';
      pending.push({ node: child, depth: depth + 1 });
    }
  }
  return undefined;
}

const FLAW_PROBLEMS: Record<BodyFlaw, string> = {
  'too-deep': `must not nest arrays and objects more than ${MAX_JSON_DEPTH} levels deep`,
  'too-many-keys': `must not hold more than ${MAX_JSON_BODY_KEYS} keys in all, or ${MAX_JSON_OBJECT_KEYS} in one object`,
  'lone-surrogate': 'must not hold a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape)',
};

function refusal(flaw: BodyFlaw): BadRequestException {
  const problem = FLAW_PROBLEMS[flaw];
  return new BadRequestException({
    code: 'VALIDATION_FAILED',
    message: `The JSON body ${problem}`,
    details: { fields: [{ field: 'body', problems: [problem] }] },
  });
}

/** Valid JSON that Fastify's parser still refused: its prototype-poisoning check. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const forbiddenKey = () =>
  new BadRequestException({
    code: 'BAD_REQUEST',
    message: 'The JSON body must not hold a "__proto__" key, or a "constructor" with a "prototype"',
  });

/** The longest part of a repeated key an error message quotes. */
const QUOTED_KEY_LENGTH = 64;

/** JSON.parse keeps the last of two equal keys, where a proxy in front may read the first. */
const repeatedKey = (key: string) => {
  const cut = key.length > QUOTED_KEY_LENGTH;
  const quoted = JSON.stringify(cut ? key.slice(0, QUOTED_KEY_LENGTH) : key) + (cut ? '...' : '');
  return new BadRequestException({
    code: 'BAD_REQUEST',
    message: `The JSON body names the key ${quoted} more than once in one object`,
  });
};

/** The longest part of a rounded number an error message quotes. */
const QUOTED_NUMBER_LENGTH = 40;

/** JSON.parse reads 4.0000000000000001 as 4: a whole number the client did not send. */
const roundedNumber = (token: string) => {
  const quoted =
    token.length > QUOTED_NUMBER_LENGTH ? `${token.slice(0, QUOTED_NUMBER_LENGTH)}...` : token;
  return new BadRequestException({
    code: 'BAD_REQUEST',
    message: `The JSON body holds the number ${quoted}, which is not a whole number but would be read as ${Number(token)}`,
  });
};

/** Node reads the first of two Content-Type headers, where a proxy in front may read the last. */
const repeatedContentType = () =>
  new BadRequestException({
    code: 'BAD_REQUEST',
    message: 'A request must carry one Content-Type header, not several',
  });

/** Decoding would replace each bad byte with U+FFFD: two different ids could become one. */
const notUtf8 = () =>
  new BadRequestException({ code: 'BAD_REQUEST', message: 'The JSON body is not valid UTF-8' });

const unsupported = (message: string) =>
  new UnsupportedMediaTypeException({ code: 'UNSUPPORTED_MEDIA_TYPE', message });

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/** JSON is UTF-8 (RFC 8259); a body declared in another charset would be read wrongly. */
function declaresOtherCharset(request: FastifyRequest): boolean {
  const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1].toLowerCase();
  return charset !== undefined && charset !== 'utf-8' && charset !== 'utf8';
}

/** A compressed body (RFC 9110 says 415 for a coding the server does not take) would be read as text. */
function isEncoded(request: FastifyRequest): boolean {
  const coding = request.headers['content-encoding'];
  return coding !== undefined && coding.trim().toLowerCase() !== 'identity';
}

/**
 * A body sent with a transfer coding besides chunked (`gzip, chunked`): Node takes off the chunking
 * only, and the rest would be read as text. RFC 9112 says 501, which clients retry as a 5xx: 415,
 * as for a Content-Encoding, tells them the body is what must change.
 */
function isTransferCoded(request: FastifyRequest): boolean {
  const coding = request.headers['transfer-encoding'];
  return coding !== undefined && coding.trim().toLowerCase() !== 'chunked';
}

/** Whether the request announces no body bytes (a Content-Type on a bodiless cancel or DELETE). */
function hasNoBody(request: FastifyRequest): boolean {
  const { 'content-length': length, 'transfer-encoding': chunked } = request.headers;
  return chunked === undefined && (length === undefined || length === '0');
}

/**
 * Makes `application/json` (UTF-8) the only media type the app reads: a compressed body is 415 and
 * bytes that are not UTF-8 are 400, then Fastify's own JSON parser (with its prototype-poisoning
 * checks and its errors for empty or malformed bodies), then the checks of bodyFlaw, then a key
 * named twice in one object (duplicateKey). Any other media type with a body, form and text
 * included, is 415; with no body at all, the Content-Type does not matter.
 */
export function acceptJsonBodiesOnly(http: FastifyInstance, bodyLimit: number): void {
  const parseJson = http.getDefaultJsonParser('error', 'error');
  const parser: FastifyBodyParser<Buffer> = (request, body, done) => {
    // Many clients name application/json on every request: a bodiless DELETE or cancel is fine,
    // whatever charset the header names, since there are no bytes to read in it.
    // A chunked body may still hold no bytes: that is no body either.
    if (hasNoBody(request) || body.length === 0) return done(null, undefined);
    if (countHeader(request.raw.rawHeaders, 'content-type') > 1) return done(repeatedContentType());
    if (declaresOtherCharset(request))
      return done(unsupported('JSON bodies must be UTF-8: send charset=utf-8 or no charset'));
    if (isEncoded(request))
      return done(unsupported('Request bodies must not be compressed: send no Content-Encoding'));
    if (isTransferCoded(request))
      return done(
        unsupported(
          'Request bodies must be sent whole or chunked, with no other Transfer-Encoding',
        ),
      );
    if (!isUtf8(body)) return done(notUtf8());
    const text = body.toString('utf8');
    parseJson(request, text, (error, value) => {
      if (error) return done(isJson(text) ? forbiddenKey() : error);
      // Nesting n levels takes at least 2n characters, and a thousand keys far more: a short
      // body can break neither limit, so it needs no walk.
      const longEnough = text.length > 2 * MAX_JSON_DEPTH;
      const surrogates = SURROGATE_ESCAPE.test(text);
      const flaw =
        longEnough || surrogates ? bodyFlaw(value, MAX_JSON_DEPTH, surrogates) : undefined;
      if (flaw) return done(refusal(flaw));
      // After bodyFlaw, so that the walk of the value keeps to its limits.
      const repeated = duplicateKey(text, value);
      if (repeated !== undefined) return done(repeatedKey(repeated));
      const rounded = firstRoundedNumber(text);
      if (rounded !== undefined) return done(roundedNumber(rounded));
      done(null, value);
    });
  };
  http.removeAllContentTypeParsers();
  http.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, parser);
  http.addContentTypeParser('*', (request, payload, done) => {
    if (hasNoBody(request)) return done(null, undefined);
    const refuse = () =>
      done(unsupported('Request bodies must be JSON, sent with Content-Type: application/json'));
    if (request.headers['transfer-encoding'] === undefined) return refuse();
    // Chunked: no bytes at all is no body, whatever the Content-Type (a bodiless cancel). The
    // first byte settles it; the rest is drained.
    let settled = false;
    const settle = (answer: () => void) => {
      if (settled) return;
      settled = true;
      answer();
    };
    payload.on('data', () => settle(refuse));
    payload.once('end', () => settle(() => done(null, undefined)));
    payload.once('error', (error) => settle(() => done(error)));
  });
}
