import type { FastifyReply } from 'fastify';

/**
 * The error code each refused request was answered with, by its reply: sendProblem notes it, and
 * the HTTP metrics read it once the answer is sent, without parsing the body again.
 */
const codes = new WeakMap<FastifyReply, string>();

export function noteAnsweredCode(reply: FastifyReply, code: string): void {
  codes.set(reply, code);
}

export function answeredCodeOf(reply: FastifyReply): string | undefined {
  return codes.get(reply);
}
