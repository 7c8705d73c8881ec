import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody, HTTP_STATUS_CODES } from './error-codes';
import { sendProblem } from './http-error.filter';

/*
 * Errors raised before any route, hook or exception filter runs, answered in the usual error
 * shape with an X-Request-Id like every other answer.
 */

const ROUTING_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'The URL holds a malformed percent-escape',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is longer than any identifier the API accepts',
};

/** Fastify's `frameworkErrors`: what its router refuses (a bad percent-escape, a long parameter). */
export function answerRoutingError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void reply.header('X-Request-Id', request.id);
  sendProblem(reply, String(request.id), {
    status: 400,
    code: 'BAD_REQUEST',
    message: ROUTING_MESSAGES[error.code] ?? 'The request could not be routed',
  });
}

/** Whether a query string decodes: Fastify's parser keeps a bad escape (`%ZZ`, `%FF`) as text. */
function decodes(query: string): boolean {
  if (!query.includes('%')) return true;
  try {
    decodeURIComponent(query);
    return true;
  } catch {
    return false;
  }
}

/**
 * An onRequest hook: a query string with a malformed percent-escape is 400 BAD_REQUEST, as the
 * same escape in the path is, instead of a parameter that names something else than was meant.
 */
export function refuseMalformedQuery(
  request: FastifyRequest,
  reply: FastifyReply,
  done: () => void,
): void {
  const start = request.url.indexOf('?');
  if (start < 0 || decodes(request.url.slice(start + 1))) return done();
  sendProblem(reply, String(request.id), {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'The query string holds a malformed percent-escape',
  });
}

const CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request took too long to arrive' },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    message: 'The request line and headers are larger than 16 KiB (a long URL or query?)',
  },
};
const MALFORMED = { status: 400, message: 'The request is not well-formed HTTP' };

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses (headers over 16 KiB, a
 * malformed request line or framing), before there is a request object. Answers, then closes.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, message } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  answerOnSocket(socket, status, message, error);
}

/**
 * Node's 'connect' event: a CONNECT request (a proxy tunnel), which no route can take. Without a
 * listener Node closes the socket without a word.
 */
export function answerConnect(_request: unknown, socket: Duplex): void {
  answerOnSocket(socket as Socket, 400, 'CONNECT is not supported: this is not a proxy');
}

/** The usual error body, written on the socket itself, which is then closed. */
function answerOnSocket(socket: Socket, status: number, message: string, error?: Error): void {
  const requestId = randomUUID();
  const body: ErrorBody = { error: { code: HTTP_STATUS_CODES[status], message, requestId } };
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(error);
}
