import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dist } from '../support/compiled';
import { TEST_ENV } from '../support/test-app';

/** The built service with `env`, in its own process on 127.0.0.1. */
function service(env: Record<string, string>) {
  return spawn(process.execPath, [dist('main.js')], {
    env: {
      ...process.env,
      ...TEST_ENV,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('Start-up (e2e, real process)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-start-up-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('logs the port it bound with PORT=0, and the synchronous mode of the embedded store', async () => {
    const child = service({ DATA_DIR: dataDir, PORT: '0', SQLITE_SYNCHRONOUS: 'normal' });
    const exited = once(child, 'exit');
    try {
      const lines: string[] = [];
      for await (const line of createInterface({ input: child.stdout })) {
        lines.push(line);
        if (line.includes('points-ledger listening on')) break;
      }
      child.stdout.resume();
      expect(lines).toContainEqual(
        expect.stringContaining(
          `Events are stored in sqlite at ${join(dataDir, 'events.db')} (synchronous=NORMAL)`,
        ),
      );
      const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(lines.at(-1)!)?.[1]);
      expect(port).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it.each([' Production', 'prod'])(
    'refuses SQLITE_SYNCHRONOUS=OFF with NODE_ENV=%p, naming the variable',
    async (nodeEnv) => {
      const child = service({ DATA_DIR: dataDir, NODE_ENV: nodeEnv, SQLITE_SYNCHRONOUS: 'OFF' });
      const exited = once(child, 'exit');
      const stderr: string[] = [];
      child.stderr.on('data', (chunk) => stderr.push(String(chunk)));
      child.stdout.resume();
      // A service that starts anyway is stopped after a while, not left running.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try {
        expect(await exited).toEqual([1, null]);
      } finally {
        clearTimeout(timer);
      }
      expect(stderr.join('')).toContain(
        'points-ledger did not start: SQLITE_SYNCHRONOUS=OFF is for tests only and refused when NODE_ENV=production',
      );
    },
  );
});
