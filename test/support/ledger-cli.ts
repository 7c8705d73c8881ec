import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { main } from '../../src/cli/ledger';
import { dist } from './compiled';

export interface LedgerRun {
  code: number;
  out: string;
  err: string;
}

/**
 * The built `ledger` CLI, as an operator runs it (`node dist/src/cli/ledger.js <args>`), on the
 * embedded store in `dataDir`. `firstLineOnly` closes its stdout after the first line, as
 * `| head -1` would.
 */
export async function runLedger(
  dataDir: string,
  args: readonly string[],
  options: { firstLineOnly?: boolean; stdoutTo?: string } = {},
): Promise<LedgerRun> {
  // `stdoutTo`: a file stdout is opened on, as `> file` would (its output is not captured).
  const file = options.stdoutTo === undefined ? undefined : openSync(options.stdoutTo, 'w');
  const cli = spawn(process.execPath, [dist('cli/ledger.js'), ...args], {
    env: { ...process.env, DATA_DIR: dataDir, EVENTSTORE_CONNECTION_STRING: '' },
    stdio: ['ignore', file ?? 'pipe', 'pipe'],
  });
  if (file !== undefined) closeSync(file);
  const out: string[] = [];
  const err: string[] = [];
  cli.stdout?.on('data', (chunk) => {
    out.push(String(chunk));
    if (options.firstLineOnly && out.join('').includes('\n')) cli.stdout!.destroy();
  });
  cli.stderr!.on('data', (chunk) => err.push(String(chunk)));
  const [code] = await once(cli, 'exit');
  return { code: code as number, out: out.join(''), err: err.join('') };
}

/**
 * The CLI's `main` in this process, with `env` as its whole environment and its output captured;
 * `onErr` sees each message to stderr as it is written.
 */
export async function runLedgerHere(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  onErr?: (message: string) => void,
): Promise<LedgerRun> {
  const out: string[] = [];
  const err: string[] = [];
  const toErr = (s: string) => {
    err.push(s);
    onErr?.(s);
  };
  const code = await main(argv, env, {
    out: { write: (s: string) => out.push(s) },
    err: { write: toErr },
  });
  return { code, out: out.join(''), err: err.join('') };
}
