import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { basename, dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The built service entry point (dist/src/main.js), whether this file runs from src or dist. */
const compiled = basename(dirname(__dirname)) === 'dist';
const MAIN = resolve(__dirname, compiled ? '../src/main.js' : '../dist/src/main.js');

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The built service in its own process on 127.0.0.1, resolved once it listens. */
export async function startService(
  env: Record<string, string>,
  port: number,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  for await (const line of createInterface({ input: child.stdout! })) {
    output.push(line);
    if (line.includes('points-ledger listening on')) return child;
  }
  throw new Error(`service exited before listening:\n${output.join('\n')}`);
}

export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return; // it has exited
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
