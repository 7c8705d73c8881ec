import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { answeredCodeOf } from '../shared/http/answered-code';
import { PrometheusText } from './prometheus-text';

/** Upper bounds of the latency buckets, in seconds. */
export const LATENCY_BOUNDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** The route label of a request that matched no route: its path would make a series per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

interface RouteSeries {
  /** Answers by status code. */
  statuses: Map<number, number>;
  /** Refusals by their error code (INSUFFICIENT_POINTS, RATE_LIMITED, ...). */
  codes: Map<string, number>;
  /** Latency observations per bucket of LATENCY_BOUNDS, the last one past 10 s. */
  buckets: Float64Array;
  seconds: number;
  replays: number;
}

/**
 * Counts every answer, in Fastify's onResponse hook, by route pattern (`/v1/redemptions/:id`, not
 * the path: the label set stays small whatever ids are asked for), method and status, and each
 * refusal by its error code, with a latency histogram per route and method, and the idempotent
 * replays. Per replica, since start.
 */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  /** route -> method -> series: two lookups of strings Fastify already holds, nothing built. */
  private readonly routes = new Map<string, Map<string, RouteSeries>>();

  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  onModuleInit(): void {
    // An application context without HTTP (the CLI) has no answers to count.
    this.adapterHost?.httpAdapter
      ?.getInstance<FastifyInstance>()
      .addHook('onResponse', this.onResponse);
  }

  readonly onResponse = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void => {
    this.count(request, reply);
    done();
  };

  /** Counts a sent answer; the router's refusals, which run no hook, are counted with it too. */
  count(request: FastifyRequest, reply: FastifyReply): void {
    this.record(
      request.method,
      request.routeOptions.url || UNMATCHED_ROUTE,
      reply.statusCode,
      reply.elapsedTime / 1000,
      reply.getHeader('idempotent-replayed') === 'true',
      answeredCodeOf(reply),
    );
  }

  record(
    method: string,
    route: string,
    status: number,
    seconds: number,
    replayed: boolean,
    code?: string,
  ): void {
    let byMethod = this.routes.get(route);
    if (!byMethod) this.routes.set(route, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (!series) {
      series = {
        statuses: new Map(),
        codes: new Map(),
        buckets: new Float64Array(LATENCY_BOUNDS.length + 1),
        seconds: 0,
        replays: 0,
      };
      byMethod.set(method, series);
    }
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < LATENCY_BOUNDS.length && seconds > LATENCY_BOUNDS[bucket]) bucket++;
    series.buckets[bucket]++;
    series.seconds += seconds;
    if (replayed) series.replays++;
    if (code !== undefined) series.codes.set(code, (series.codes.get(code) ?? 0) + 1);
  }

  write(text: PrometheusText): void {
    const all = [...this.routes].flatMap(([route, byMethod]) =>
      [...byMethod].map(([method, series]) => ({ labels: { method, route }, series })),
    );
    text
      .counter(
        'ledger_http_requests_total',
        'HTTP answers by route pattern, method and status code.',
        all.flatMap(({ labels, series }) =>
          [...series.statuses].map(([status, value]) => ({
            labels: { ...labels, status: String(status) },
            value,
          })),
        ),
      )
      .counter(
        'ledger_http_errors_total',
        'Refused requests by route pattern, method and the error code of their answer.',
        all.flatMap(({ labels, series }) =>
          [...series.codes].map(([code, value]) => ({ labels: { ...labels, code }, value })),
        ),
      )
      .histogram(
        'ledger_http_request_duration_seconds',
        'Time from a request arriving to its answer being sent, by route pattern and method.',
        all.map(({ labels, series }) => ({
          labels,
          bounds: LATENCY_BOUNDS,
          counts: series.buckets,
          sum: series.seconds,
        })),
      )
      .counter(
        'ledger_idempotent_replays_total',
        'POSTs answered with the original answer of their Idempotency-Key (Idempotent-Replayed: true).',
        all
          .filter(({ series }) => series.replays > 0)
          .map(({ labels, series }) => ({ labels, value: series.replays })),
      );
  }
}
