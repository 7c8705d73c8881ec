import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './http-error.filter';

const MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'The URL holds a malformed percent-escape',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is longer than any identifier the API accepts',
};

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route, hook or filter runs (a
 * bad percent-escape, an over-long path parameter) gets the usual error shape and request id.
 */
export function answerRoutingError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void reply.header('X-Request-Id', request.id);
  sendProblem(reply, String(request.id), {
    status: 400,
    code: 'BAD_REQUEST',
    message: MESSAGES[error.code] ?? 'The request could not be routed',
  });
}
