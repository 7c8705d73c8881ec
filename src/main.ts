import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { loadConfig } from './config/app-config';
import { messageOf } from './shared/application/error-message';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  stopOnSignals(app);
  await app.listen(config.port, config.host);
  new Logger('Main').log(`points-ledger listening on http://${config.host}:${config.port}`);
}

/**
 * SIGTERM or SIGINT: first the HTTP server stops taking connections and lets the requests in flight
 * finish, then the modules stop (the projections, the event store). Nest's own shutdown hooks stop
 * the modules first: reads waiting for the projections then failed, and requests arriving
 * meanwhile got Fastify's bare 503. The signal is raised again at the end, for the exit status.
 */
function stopOnSignals(app: NestFastifyApplication): void {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      try {
        await app.getHttpAdapter().close();
        await app.close();
      } catch (error) {
        new Logger('Main').error(`Shutdown failed: ${String(error)}`);
        process.exitCode = 1;
      }
      for (const each of signals) process.removeListener(each, stop);
      process.kill(process.pid, signal);
    })();
  };
  for (const signal of signals) process.on(signal, stop);
}

// Nest has logged a failed start with its stack already: one line that says what stopped it.
main().catch((error: unknown) => {
  console.error(`points-ledger did not start: ${messageOf(error)}`);
  process.exit(1);
});
