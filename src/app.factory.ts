import 'reflect-metadata';
import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { StartRefused } from './config/start-refused';
import { EventsFeed } from './events-feed/events-feed';
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  CorsOrigins,
} from './config/cors';
import { SqliteFileFailures } from './infrastructure/sqlite/file-failures';
import { HttpMetrics } from './metrics/http-metrics';
import { applicationProblem } from './shared/http/domain-error-status';
import { HttpErrorFilter } from './shared/http/http-error.filter';
import {
  answerClientError,
  answerConnect,
  answerRoutingError,
  continueOnceAccepted,
  handExpectationsToTheApp,
  refuseBadHost,
  refuseExpectation,
  refuseMalformedQuery,
} from './shared/http/early-errors';
import { acceptJsonBodiesOnly, MAX_BODY_BYTES } from './shared/http/json-body';
import { requestIdFor } from './shared/http/request-id';
import { validationPipe } from './shared/http/validation';

/**
 * The router refuses a longer path parameter before any route runs (400 BAD_REQUEST). It counts the
 * decoded parameter; a parameter that fits but is longer than its field allows gets the field's
 * VALIDATION_FAILED. 12 characters per character of a 128-character id: room to spare.
 */
const MAX_PARAM_LENGTH = 128 * 12;

/** How long a request may take to arrive, headers and body: a slow sender must not hold a connection. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface CreateAppOptions {
  logger?: LogLevel[] | false;
  requestTimeoutMs?: number;
}

/**
 * Nest logs an error that fails its start (ExceptionHandler); a refused start is reported by whoever
 * called createApp (main.ts, in one line), so Nest's copy of it is left out. A bug keeps its stack.
 */
class StartLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (message instanceof StartRefused) return;
    super.error(message, ...rest);
  }
}

/** Builds the HTTP application; main.ts and the end-to-end tests share it. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // Set once the application exists; no request is routed before that.
  let countRoutingRefusal: (request: FastifyRequest, reply: FastifyReply) => void = () => {};
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    requestTimeout,
    // While the server drains at shutdown, a request on an open connection is still served (with
    // Connection: close), not answered with Fastify's bare 503: the modules still run (main.ts).
    return503OnClosing: false,
    // Nor does Fastify close connections at its close: main.ts closes idle ones after a grace.
    forceCloseConnections: false,
    // Node enforces requestTimeout only when headersTimeout (60 s by default) is not longer. It
    // looks for late requests at the checking interval (30 s by default), which would make a
    // timeout of 30 s one of 30 to 60 s.
    http: {
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.max(50, requestTimeout / 10),
      // Node would answer an HTTP/1.1 request without Host with a bare 400 (no body, no
      // X-Request-Id) before any hook: refuseBadHost answers it in the usual shape instead.
      requireHostHeader: false,
    },
    // Router options go under routerOptions: fastify 5 deprecates them at the top level and warns.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    genReqId: requestIdFor,
    trustProxy: false,
    // The router's refusals run no hook: neither onSend's headers nor onResponse's metrics.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      setAnswerHeaders(request, reply);
      answerRoutingError(error, request, reply);
      countRoutingRefusal(request, reply);
    },
    clientErrorHandler: answerClientError,
  });
  // From the start of a shutdown, each answer closes its connection: the server's close waits for
  // every connection, and one kept alive after its last answer would hold it for keepAliveTimeout.
  let draining = false;
  adapter.getInstance().addHook('preClose', (done) => {
    draining = true;
    done();
  });
  function setAnswerHeaders(request: FastifyRequest, reply: FastifyReply): void {
    reply.header('X-Request-Id', request.id);
    // Answers hold balances and member tokens: no cache keeps them, and no browser guesses a type.
    reply.header('Cache-Control', 'no-store');
    reply.header('X-Content-Type-Options', 'nosniff');
    if (draining) reply.header('Connection', 'close');
  }
  adapter
    .getInstance()
    .addHook('onSend', async (request, reply) => setAnswerHeaders(request, reply));
  // Before authentication, as a bad escape in the path is refused before it.
  adapter.getInstance().addHook('onRequest', refuseBadHost);
  adapter.getInstance().addHook('onRequest', refuseMalformedQuery);
  adapter.getInstance().addHook('onRequest', refuseExpectation);
  adapter.getInstance().addHook('preParsing', continueOnceAccepted);
  handExpectationsToTheApp(adapter.getInstance().server);
  adapter.getInstance().server.on('connect', answerConnect);
  const logLevels = options.logger ?? ['log', 'warn', 'error'];
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    // Colours only on a terminal: in a file or a log collector they are escape codes in every line.
    logger: logLevels && new StartLogger({ logLevels, colors: process.stdout.isTTY === true }),
    bufferLogs: false,
    // A start that fails (a rebuild holds the read models) throws to the caller, which reports it.
    abortOnError: false,
    // Nest's parsers would also read form bodies; acceptJsonBodiesOnly sets the app's one parser.
    bodyParser: false,
  });
  acceptJsonBodiesOnly(adapter.getInstance(), MAX_BODY_BYTES);
  const metrics = app.get(HttpMetrics);
  countRoutingRefusal = (request, reply) => metrics.count(request, reply);
  // main.ts closes the HTTP server first, which waits for the requests in flight: a long-poll of
  // the events feed answers at once instead of holding the shutdown for its whole wait.
  const feed = app.get(EventsFeed);
  adapter.getInstance().addHook('preClose', (done) => {
    feed.endWaits();
    done();
  });
  if (config.corsOrigins) enableCors(app, config.corsOrigins);
  // A file failure a request meets is also noted for /health, which then reports the replica degraded.
  const fileFailures = app.get(SqliteFileFailures);
  // File failures first: a failed write's answer comes from applicationProblem, but /health must
  // hear of its SQLite code too.
  app.useGlobalFilters(new HttpErrorFilter([fileFailures.problems(), applicationProblem]));
  app.useGlobalPipes(validationPipe());
  return app;
}

/**
 * CORS for the browser origins allowed (CORS_ORIGINS). Nest runs its hook in the first onRequest
 * hooks, so a preflight (which carries no credential) is answered before authentication, and a
 * refusal (401, 429, ...) still carries the headers a page needs to read it.
 */
function enableCors(app: NestFastifyApplication, origins: CorsOrigins): void {
  app.enableCors({
    origin: origins === '*' ? '*' : [...origins],
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
    credentials: false,
    // The preflight is answered in the hook, before authentication (it carries no credential).
    preflight: true,
  });
}
