import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteAnsweredCode } from './answered-code';
import { ErrorBody, HTTP_STATUS_CODES } from './error-codes';
import { messageOf } from '../application/error-message';
import { MAX_BODY_BYTES } from './json-body';

/** Something that knows its HTTP answer: a status, a stable code, a message and optional details. */
export interface HttpProblem {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  /** Sent as `Retry-After`: when a retry (with the same Idempotency-Key) may succeed. */
  retryAfterSeconds?: number;
  /** What the log says of a 5xx, where the error's own message would not tell the operator enough. */
  log?: string;
}

/** `request` tells whom the answer goes to, for a mapper whose message depends on it. */
export type ProblemMapper = (error: unknown, request?: FastifyRequest) => HttpProblem | undefined;

/** The status an error carries: Nest's exceptions, or Fastify's own (which Nest may wrap). */
function statusOf(error: unknown): unknown {
  return error instanceof HttpException
    ? error.getStatus()
    : (error as { statusCode?: unknown } | null)?.statusCode;
}

/** Errors Fastify raises before a handler runs (body parsing, size limits) carry a statusCode. */
function fromFrameworkError(error: unknown): HttpProblem | undefined {
  const statusCode = statusOf(error);
  if (statusCode === 413)
    return {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`,
    };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const body =
      typeof response === 'object' && response !== null
        ? (response as Record<string, unknown>)
        : {};
    const code = typeof body.code === 'string' ? body.code : (HTTP_STATUS_CODES[status] ?? 'ERROR');
    const message = typeof body.message === 'string' ? body.message : error.message;
    const retryAfterSeconds =
      typeof body.retryAfterSeconds === 'number' ? body.retryAfterSeconds : undefined;
    return { status, code, message, details: body.details, retryAfterSeconds };
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = error instanceof Error ? error.message : 'Bad request';
    return { status: statusCode, code: HTTP_STATUS_CODES[statusCode] ?? 'BAD_REQUEST', message };
  }
  return undefined;
}

/** Sends a problem in the `{ error: { code, message, requestId } }` shape of docs/api.md. */
export function sendProblem(reply: FastifyReply, requestId: string, problem: HttpProblem): void {
  const body: ErrorBody = {
    error: { code: problem.code, message: problem.message, requestId },
  };
  if (problem.details !== undefined) body.error.details = problem.details;
  if (problem.retryAfterSeconds !== undefined)
    void reply.header('Retry-After', String(problem.retryAfterSeconds));
  noteAnsweredCode(reply, problem.code);
  void reply.status(problem.status).send(body);
}

/** One place that turns every error into the `{ error: { code, message } }` shape of docs/api.md. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  constructor(private readonly mappers: readonly ProblemMapper[] = []) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.problemFor(error, request);
    if (problem.status === 500) {
      this.logger.error({
        requestId: request.id,
        error: error instanceof Error ? error.stack : String(error),
      });
    } else if (problem.status > 500) {
      // Known conditions (lagging read models, an unusable file): one line, not a bug's stack.
      const said = problem.log ?? messageOf(error);
      this.logger.warn(`${problem.code} (request ${String(request.id)}): ${said}`);
    }
    sendProblem(reply, String(request.id), problem);
  }

  private problemFor(error: unknown, request: FastifyRequest): HttpProblem {
    for (const map of this.mappers) {
      const problem = map(error, request);
      if (problem) return problem;
    }
    return (
      fromFrameworkError(error) ?? { status: 500, code: 'INTERNAL', message: 'Internal error' }
    );
  }
}
