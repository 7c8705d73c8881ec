import { spawn } from 'node:child_process';
import { once } from 'node:events';
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
  options: { firstLineOnly?: boolean } = {},
): Promise<LedgerRun> {
  const cli = spawn(process.execPath, [dist('cli/ledger.js'), ...args], {
    env: { ...process.env, DATA_DIR: dataDir, EVENTSTORE_CONNECTION_STRING: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  cli.stdout!.on('data', (chunk) => {
    out.push(String(chunk));
    if (options.firstLineOnly && out.join('').includes('\n')) cli.stdout!.destroy();
  });
  cli.stderr!.on('data', (chunk) => err.push(String(chunk)));
  const [code] = await once(cli, 'exit');
  return { code: code as number, out: out.join(''), err: err.join('') };
}
