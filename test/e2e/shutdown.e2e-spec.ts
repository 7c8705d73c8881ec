import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { READ_MODELS_LOCK_FILE } from '../../src/projections/read-models-lock';
import { freePort, kill, startService } from '../support/service-process';
import { KEYS, TEST_ENV } from '../support/test-app';
import { dist } from '../support/compiled';

interface Answer {
  status: number;
  requestId: string | null;
  body: { error?: { code?: string; requestId?: string } };
}

/** The unprivileged user and group id of most Linux systems. */
const NOBODY = 65534;

const HEADERS = { Authorization: `Bearer ${KEYS.acmeSandbox}` };

/** What a request on a keep-alive agent came to: an answer, or an error and on which connection. */
type Outcome =
  | { answer: { status: number; requestId: unknown; connection: unknown; body: string } }
  | { error: { code: unknown; onKeptConnection: boolean } };

function send(agent: Agent, port: number, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path, agent, headers: HEADERS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        const { statusCode, headers } = response;
        const [requestId, connection] = [headers['x-request-id'], headers.connection];
        resolve({ answer: { status: statusCode!, requestId, connection, body } });
      });
    });
    // reusedSocket: sent on a connection kept alive after an earlier answer, not on a new one.
    const failed = (error: NodeJS.ErrnoException) =>
      resolve({ error: { code: error.code, onKeptConnection: request.reusedSocket } });
    request.on('error', failed);
    request.on('response', (response) => response.on('error', failed));
  });
}

describe('SIGTERM (e2e, real process)', () => {
  it('finishes or refuses in the usual shape every request, reads waiting for projections too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-shutdown-'));
    const port = await freePort();
    const service = await startService(dataDir, port);
    const base = `http://127.0.0.1:${port}`;
    const headers = {
      Authorization: `Bearer ${KEYS.acmeSandbox}`,
      'Content-Type': 'application/json',
    };
    const answers: Answer[] = [];
    let signalled = false;
    let reachedLoad: () => void = () => {};
    const loaded = new Promise<void>((resolve) => (reachedLoad = resolve));
    // Half the workers write, half read (each read waits for the projections to catch up).
    const worker = async (index: number) => {
      for (let round = 0; ; round++) {
        const member = `m${index}`;
        const request =
          index % 2 === 0
            ? fetch(`${base}/v1/wallet/credit`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ externalUserID: member, amount: 1 }),
              })
            : fetch(`${base}/v1/wallet/transactions?externalUserID=${member}&limit=5`, { headers });
        let response: Response;
        try {
          response = await request;
        } catch {
          if (signalled) return; // the server stopped taking connections
          throw new Error(`request ${round} of worker ${index} failed before the signal`);
        }
        answers.push({
          status: response.status,
          requestId: response.headers.get('x-request-id'),
          body: (await response.json()) as Answer['body'],
        });
        if (answers.length >= 300) reachedLoad();
      }
    };
    try {
      const workers = Array.from({ length: 32 }, (_, i) => worker(i));
      await loaded;
      const exited = once(service, 'exit');
      signalled = true;
      service.kill('SIGTERM');
      await Promise.all(workers);
      const [code, signal] = (await exited) as [number | null, string | null];
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });

      const failures = answers.filter((a) => a.status >= 300);
      expect(failures.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
      for (const failure of failures) {
        expect(failure.body.error?.code).toEqual(expect.any(String));
        expect(failure.body.error?.requestId).toBe(failure.requestId);
      }
      expect(existsSync(join(dataDir, READ_MODELS_LOCK_FILE))).toBe(false);
    } finally {
      await kill(service);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('serves busy keep-alive clients to the end, refuses new connections, closes idle ones', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-keep-alive-'));
    const port = await freePort();
    const service = await startService(dataDir, port);
    const path = (member: string) => `/v1/wallet/transactions?externalUserID=${member}&limit=5`;
    let answered = 0;
    let reachedLoad: () => void = () => {};
    const loaded = new Promise<void>((resolve) => (reachedLoad = resolve));
    // Each worker has one connection and sends its next request as soon as it has an answer: at any
    // instant some connections are idle between two requests. Each stops at its first error.
    const worker = async (index: number) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const outcomes: Outcome[] = [];
      try {
        for (;;) {
          const outcome = await send(agent, port, path(`m${index}`));
          outcomes.push(outcome);
          if ('error' in outcome) return outcomes;
          if (++answered >= 600) reachedLoad();
        }
      } finally {
        agent.destroy();
      }
    };
    // And a client that keeps its connection open, idle, after one answer.
    const idleAgent = new Agent({ keepAlive: true });
    try {
      expect(await send(idleAgent, port, path('idle'))).toMatchObject({ answer: { status: 200 } });
      const [idleSocket] = Object.values(idleAgent.freeSockets).flat();
      const idleClosed = once(idleSocket!, 'close');
      const workers = Array.from({ length: 24 }, (_, i) => worker(i));
      await loaded;
      const exited = once(service, 'exit');
      const signalledAt = Date.now();
      service.kill('SIGTERM');
      const outcomes = await Promise.all(workers);
      expect(await exited).toEqual([null, 'SIGTERM']);
      // The idle connection is closed after its grace (0.5 s), cleanly, not at the 10 s deadline.
      expect(Date.now() - signalledAt).toBeLessThan(5_000);
      expect(await idleClosed).toEqual([false]);

      // A worker's last answer closed its connection, and its next request, on a new connection,
      // was refused. A reset of a kept connection fails here.
      const errors = outcomes.flat().flatMap((each) => ('error' in each ? each.error : []));
      const refused = { code: 'ECONNREFUSED', onKeptConnection: false };
      expect(errors).toEqual(outcomes.map(() => refused));
      const lastAnswers = outcomes.map((each) => each.at(-2));
      expect(lastAnswers.map((each) => each && 'answer' in each && each.answer.connection)).toEqual(
        outcomes.map(() => 'close'),
      );
      // Every answer is whole.
      for (const each of outcomes.flat()) {
        if (!('answer' in each)) continue;
        expect(each.answer).toMatchObject({ status: 200, requestId: expect.any(String) });
        expect(JSON.parse(each.answer.body)).toMatchObject({ transactions: [] });
      }
      expect(existsSync(join(dataDir, READ_MODELS_LOCK_FILE))).toBe(false);
    } finally {
      idleAgent.destroy();
      await kill(service);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('cuts a stalled upload at the drain deadline instead of waiting for its client', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-stalled-'));
    const port = await freePort();
    const service = await startService(dataDir, port);
    // Headers and 10 of the 100 bytes announced, then nothing: the client waits for ever.
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `POST /v1/wallet/credit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.acmeSandbox}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"amount":',
    );
    socket.on('error', () => undefined); // the cut may reset it
    // A service that waits for the client would wait for ever: the client gives up at 20 s.
    const giveUp = setTimeout(() => socket.destroy(), 20_000);
    try {
      const exited = once(service, 'exit');
      const signalledAt = Date.now();
      service.kill('SIGTERM');
      expect(await exited).toEqual([null, 'SIGTERM']);
      expect(Date.now() - signalledAt).toBeLessThan(20_000); // the deadline is 10 s
      expect(existsSync(join(dataDir, READ_MODELS_LOCK_FILE))).toBe(false);
    } finally {
      clearTimeout(giveUp);
      socket.destroy();
      await kill(service);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('answers a long-poll of the events feed at once instead of holding the shutdown', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-feed-wait-'));
    const port = await freePort();
    const service = await startService(dataDir, port);
    const base = `http://127.0.0.1:${port}`;
    try {
      const head = await fetch(`${base}/v1/events?limit=1000`, { headers: HEADERS });
      const { nextCursor } = (await head.json()) as { nextCursor: string | null };
      const after = nextCursor === null ? '' : `&after=${nextCursor}`;
      const waiting = fetch(`${base}/v1/events?wait=30${after}`, { headers: HEADERS });
      // A request sent after it and answered: the long-poll has reached its handler by now.
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const exited = once(service, 'exit');
      const signalledAt = Date.now();
      service.kill('SIGTERM');
      const answer = await waiting;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ events: [], nextCursor, caughtUp: true });
      expect(await exited).toEqual([null, 'SIGTERM']);
      // Held, it would have been cut at the drain deadline (10 s).
      expect(Date.now() - signalledAt).toBeLessThan(5_000);
    } finally {
      await kill(service);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('stops cleanly on a SIGTERM that comes while it starts, holding the lock already', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-early-signal-'));
    const main = dist('main.js');
    const service = spawn(process.execPath, [main], {
      env: { ...process.env, ...TEST_ENV, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const exited = once(service, 'exit');
      // Logged once the read models are open, under their lock, before the app listens.
      for await (const line of createInterface({ input: service.stdout! }))
        if (line.includes('Read models are kept in sqlite')) break;
      expect(existsSync(join(dataDir, READ_MODELS_LOCK_FILE))).toBe(true);
      service.stdout!.resume();
      service.kill('SIGTERM');
      expect(await exited).toEqual([null, 'SIGTERM']);
      expect(existsSync(join(dataDir, READ_MODELS_LOCK_FILE))).toBe(false);
    } finally {
      await kill(service);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // Root ignores a directory's mode: the service runs as nobody (setpriv) to meet a read-only one.
  const canDropPrivileges =
    process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
  (canDropPrivileges ? it : it.skip)(
    'exits 1, not as a clean stop, when it cannot remove its lock; then refuses to start, saying why',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-read-only-'));
      chownSync(dataDir, NOBODY, NOBODY);
      const asNobody = () =>
        spawn(
          'setpriv',
          [
            `--reuid=${NOBODY}`,
            `--regid=${NOBODY}`,
            '--clear-groups',
            process.execPath,
            dist('main.js'),
          ],
          {
            env: { ...process.env, ...TEST_ENV, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
      const service = asNobody();
      try {
        const errors: string[] = [];
        service.stderr!.on('data', (chunk) => errors.push(String(chunk)));
        for await (const line of createInterface({ input: service.stdout! }))
          if (line.includes('points-ledger listening on')) break;
        service.stdout!.resume();
        chmodSync(dataDir, 0o500); // as an operator's mistake, or a volume remounted read-only
        const exited = once(service, 'exit');
        service.kill('SIGTERM');
        expect(await exited).toEqual([1, null]);
        expect(errors.join('')).toMatch(/Shutdown on SIGTERM failed: EACCES/);

        const again = asNobody();
        let said = '';
        again.stderr!.on('data', (chunk) => (said += String(chunk)));
        again.stdout!.resume();
        expect(await once(again, 'exit')).toEqual([1, null]);
        expect(said).toMatch(
          /did not start: Cannot create .*read-models\.lock: EACCES\. DATA_DIR must be a directory that the user running the service can write in/,
        );
      } finally {
        await kill(service);
        chmodSync(dataDir, 0o700);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
