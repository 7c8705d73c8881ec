import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import { ErrorBody, HTTP_STATUS_CODES } from './error-codes';
import { sendProblem } from './http-error.filter';
import { MAX_BODY_BYTES } from './json-body';
import { countHeader } from './raw-headers';

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

/**
 * A Host field value (RFC 9112, section 3.2; RFC 3986): a registered name or an IP literal in
 * brackets, with an optional port; empty is allowed. No space, `/`, `@` or second colon.
 */
const HOST_VALUE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::[0-9]*)?$/;

/**
 * An onRequest hook, before authentication: an HTTP/1.1 request without a Host header, any
 * request with more than one, or one whose Host is not a host and port, is 400 BAD_REQUEST (RFC
 * 9112, section 3.2, which says MUST), with Connection: close.
 * Node would answer the first with a bare 400 of its own (the server sets requireHostHeader: false
 * so that it comes here), and keeps the first of two Host headers, where a proxy may keep the
 * last. HTTP/1.0 may omit Host. It counts the raw header names without allocating (countHeader).
 */
export function refuseBadHost(
  request: FastifyRequest,
  reply: FastifyReply,
  done: () => void,
): void {
  const { rawHeaders, httpVersionMajor, httpVersionMinor } = request.raw;
  const hosts = countHeader(rawHeaders, 'host');
  const valid = hosts === 1 && HOST_VALUE.test(request.headers.host ?? '');
  if (valid) return done();
  const needsHost = httpVersionMajor > 1 || (httpVersionMajor === 1 && httpVersionMinor >= 1);
  if (hosts === 0 && !needsHost) return done();
  void reply.header('Connection', 'close');
  sendProblem(reply, String(request.id), {
    status: 400,
    code: 'BAD_REQUEST',
    message:
      hosts === 0
        ? 'An HTTP/1.1 request must carry a Host header'
        : hosts === 1
          ? 'The Host header must be a host name or address, with an optional port'
          : 'A request must carry one Host header, not several',
  });
}

/** Whether an Expect header asks for a 100 Continue before the body is sent; any case. */
const asksToContinue = (expect: string) => expect.trim().toLowerCase() === '100-continue';

/**
 * Node answers an Expect header itself unless told otherwise: any expectation but 100-continue
 * with a bare 417 (no X-Request-Id, no error body), and 100-continue with a 100 Continue at once,
 * before any check, so that a client sent its whole body only to be refused 401. Both are handed
 * to the app as ordinary requests instead: refuseExpectation answers the first, and
 * continueOnceAccepted sends the second its 100 Continue once its credential has been checked.
 */
export function handExpectationsToTheApp(server: Server): void {
  const asRequest = (request: IncomingMessage, response: ServerResponse) =>
    server.emit('request', request, response);
  server.on('checkContinue', asRequest);
  server.on('checkExpectation', asRequest);
}

/**
 * An onRequest hook: an expectation the server cannot meet is 417 EXPECTATION_FAILED (RFC 9110,
 * section 10.1.1), with Connection: close, since the client may still send the body it held back.
 */
export function refuseExpectation(
  request: FastifyRequest,
  reply: FastifyReply,
  done: () => void,
): void {
  const expect = request.headers.expect;
  if (expect === undefined || asksToContinue(expect)) return done();
  void reply.header('Connection', 'close');
  sendProblem(reply, String(request.id), {
    status: 417,
    code: 'EXPECTATION_FAILED',
    message: 'The only expectation this server meets is Expect: 100-continue',
  });
}

/**
 * A preParsing hook, so after the onRequest hooks (authentication among them): the body that a
 * client holds back until it hears 100 Continue is now wanted.
 */
export function continueOnceAccepted(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: RequestPayload,
  done: (error: null, payload: RequestPayload) => void,
): void {
  const expect = request.headers.expect;
  if (expect !== undefined && asksToContinue(expect) && !reply.raw.headersSent) {
    // A body announced larger than the limit is refused unread (413): it need not be sent at all.
    const tooLarge = Number(request.headers['content-length']) > MAX_BODY_BYTES;
    if (!tooLarge) reply.raw.writeContinue();
  }
  done(null, payload);
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
