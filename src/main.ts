import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { loadConfig } from './config/app-config';
import { messageOf } from './shared/application/error-message';
import { closeIdleConnectionsAfterGrace } from './shared/http/idle-grace';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/**
 * How long the requests in flight at a shutdown may take to finish; then their connections are
 * cut. Node stops enforcing the request timeout once its server closes, so a stalled upload would
 * otherwise hold the shutdown for as long as its client waits.
 */
const DRAIN_DEADLINE_MS = 10_000;
/**
 * How long a kept-alive connection may stay idle once a shutdown starts before it is closed. A busy
 * client sends its next request within a millisecond or two of its answer; 500 ms leaves room for a
 * loaded machine or a client's garbage collection, and adds half a second to a shutdown that finds
 * idle connections, far within DRAIN_DEADLINE_MS.
 */
const IDLE_GRACE_MS = 500;

async function main(): Promise<void> {
  const config = loadConfig();
  // Listening from the start: a signal that comes while the app starts (it holds the read models'
  // lock by then) stops it as soon as it can be stopped, instead of killing it with its lock.
  let stopApp: ((signal: NodeJS.Signals) => void) | undefined = undefined;
  let early: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => (stopApp ? stopApp(signal) : (early ??= signal));
  for (const signal of SIGNALS) process.on(signal, onSignal);

  const app = await createApp(config);
  closeIdleConnectionsAfterGrace(app.getHttpServer(), IDLE_GRACE_MS);
  let listening: Promise<unknown> = Promise.resolve();
  let stopping = false;
  stopApp = (signal) => {
    if (stopping) return;
    stopping = true;
    void stop(app, listening, signal).then((stopped) => {
      for (const each of SIGNALS) process.removeListener(each, onSignal);
      // Ends by the signal, for the exit status (143 for SIGTERM), when it stopped cleanly; a
      // shutdown that failed (a lock it could not remove) must not look like one.
      if (stopped) process.kill(process.pid, signal);
      else process.exit(1);
    });
  };
  if (early) return stopApp(early);
  listening = app.listen(config.port, config.host);
  try {
    await listening;
  } catch (error) {
    // A start refused once the stores are open (a store that lost events): close them, so that
    // SQLite folds its -wal file in and removes it. Left behind, it would be read into whatever
    // events.db is put back beside it.
    await app.close().catch(() => undefined);
    throw error;
  }
  // The port bound, not the one asked for: PORT=0 lets the system pick one.
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host; // IPv6
  new Logger('Main').log(`points-ledger listening on http://${host}:${port}`);
}

/**
 * First the HTTP server stops taking connections, serves the requests in flight and those still
 * sent on open connections, each of which closes after its answer or once idle for IDLE_GRACE_MS.
 * Then the modules stop (the projections, the event store). Nest's own shutdown hooks stop them
 * first: reads waiting for the projections then failed, and requests arriving meanwhile got
 * Fastify's bare 503.
 */
async function stop(
  app: NestFastifyApplication,
  listening: Promise<unknown>,
  signal: NodeJS.Signals,
): Promise<boolean> {
  const server = app.getHttpServer();
  const deadline = setTimeout(() => server.closeAllConnections(), DRAIN_DEADLINE_MS);
  try {
    await listening.catch(() => undefined);
    await app.getHttpAdapter().close();
    await app.close();
    return true;
  } catch (error) {
    new Logger('Main').error(`Shutdown on ${signal} failed: ${messageOf(error)}`);
    return false;
  } finally {
    clearTimeout(deadline);
  }
}

// Nest has logged a failed start with its stack already: one line that says what stopped it.
main().catch((error: unknown) => {
  console.error(`points-ledger did not start: ${messageOf(error)}`);
  process.exit(1);
});
