/**
 * npm run bench:http: POST /v1/redemptions against GET /health on the same server, in one run.
 * The service runs in its own process on the durable embedded store (synchronous=FULL); autocannon
 * drives it from this process with 64 connections and a fresh Idempotency-Key per request. Besides
 * rates and latencies it prints the service's CPU time per request, read from /proc.
 */
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { freePort, kill, startService } from './service-process';
import { atLeast, atMost, fmt, ratio, row, scratchDir } from './bench-util';

const CONNECTIONS = 64;
const MEMBERS = 1_000;
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const KEY = 'expys_sandbox_benchKey0000000000000001';

interface Figures {
  rate: number;
  /** The service's CPU time (all its threads) per request, in µs; null without /proc. */
  cpuPerRequest: number | null;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** Linux reports process times in USER_HZ ticks, which are 1/100 s on every architecture. */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used in all its threads, from /proc; null where there is none. */
function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

async function load(
  url: string,
  servicePid: number | undefined,
  options: Partial<autocannon.Options>,
): Promise<Figures> {
  const cpuBefore = cpuSeconds(servicePid);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    ...options,
  });
  const cpuAfter = cpuSeconds(servicePid);
  const requests = result.requests.total;
  return {
    rate: result.requests.average,
    cpuPerRequest:
      cpuBefore === null || cpuAfter === null || requests === 0
        ? null
        : ((cpuAfter - cpuBefore) * 1e6) / requests,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function post(base: string, path: string, body: unknown): Promise<{ id?: string }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id?: string };
}

async function main(): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const service = await startService(
    {
      DATA_DIR: scratchDir('bench-http'),
      SQLITE_SYNCHRONOUS: process.env.BENCH_SYNCHRONOUS ?? 'FULL',
      ORG_API_KEYS: `bench:${KEY}`,
      MEMBER_TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret-0000',
    },
    port,
  );
  try {
    const offer = await post(base, '/v1/offers', {
      title: 'Coffee',
      kind: 'item',
      type: 'drink',
      pointsPrice: 1,
      maxPerMember: null,
    });
    for (let i = 0; i < MEMBERS; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          post(base, '/v1/wallet/credit', {
            amount: 10_000_000,
            externalUserID: `member-${i + j}`,
          }),
        ),
      );
    }

    const health = await load(`${base}/health`, service.pid, {});
    let next = 0;
    const redemptions = await load(`${base}/v1/redemptions`, service.pid, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      requests: [
        {
          setupRequest: (request: autocannon.Request) => ({
            ...request,
            headers: { ...request.headers, 'Idempotency-Key': randomUUID() },
            body: JSON.stringify({ offer: offer.id, externalUserID: `member-${next++ % MEMBERS}` }),
          }),
        },
      ],
    });

    console.log(
      `bench:http: ${CONNECTIONS} connections, ${DURATION}s each, embedded store, synchronous=FULL`,
    );
    for (const [label, f] of [
      ['GET /health', health],
      ['POST /v1/redemptions', redemptions],
    ] as const) {
      row(`${label}  req/s`, fmt(Math.round(f.rate)));
      row(
        `${label}  p50 / p99 latency`,
        `${f.p50} / ${f.p99} ms`,
        label.startsWith('POST') ? atMost(f.p99, 50, 'p99 <= 50 ms') : undefined,
      );
      row(`${label}  non-2xx / errors`, `${f.non2xx} / ${f.errors}`);
      row(
        `${label}  service CPU per request`,
        f.cpuPerRequest === null ? 'n/a' : `${Math.round(f.cpuPerRequest)} µs`,
      );
    }
    const share = redemptions.rate / health.rate;
    row('redemptions / health', ratio(share), atLeast(share, 0.25));
  } finally {
    await kill(service);
  }
}

void main();
