import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
});
