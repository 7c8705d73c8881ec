import { ChildProcess } from 'node:child_process';
import { startService as start } from '../../bench/service-process';
import { TEST_ENV } from './test-app';

export { freePort, kill } from '../../bench/service-process';

/** The built service (`npm test` builds first) with the test keys, on its own data directory. */
export function startService(dataDir: string, port: number): Promise<ChildProcess> {
  return start({ ...TEST_ENV, DATA_DIR: dataDir, NODE_ENV: 'test' }, port);
}
