import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * JSON.stringify, but a bigint (JSON.stringify throws on one) is written as its exact digits: a
 * JSON number, for integers past Number.MAX_SAFE_INTEGER. A bigint is first written as a string
 * tagged with a random nonce, then the quotes around each tagged string are taken off.
 */
export function exactJson(value: unknown): string {
  let tag: string | undefined;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    tag ??= randomBytes(12).toString('hex');
    return `${tag}${v}`;
  });
  return tag === undefined ? text : text.replace(new RegExp(`"${tag}(-?\\d+)"`, 'g'), '$1');
}

/** Makes a reply send its body (and an error body) as exactJson. */
export function sendExactJson(reply: FastifyReply): void {
  void reply.type('application/json; charset=utf-8').serializer(exactJson);
}
