import { createServer, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { once } from 'node:events';
import { closeIdleConnectionsAfterGrace } from './idle-grace';

/** closeIdleConnectionsAfterGrace on a bare Node server, with a client on a raw socket. */
describe('closeIdleConnectionsAfterGrace', () => {
  const GRACE_MS = 1000; // long enough that a loaded machine reads the next request within it
  let server: Server;
  let client: Socket;
  /** The server's end of the client's connection. */
  let served: Socket;
  let received = '';
  let handle: (answer: () => void) => void;

  beforeEach(async () => {
    handle = (answer) => answer();
    server = createServer((_, response) => handle(() => response.end('ok')));
    closeIdleConnectionsAfterGrace(server, GRACE_MS);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(client, 'connect');
    [served] = (await accepted) as [Socket];
    received = '';
    client.on('data', (chunk: Buffer) => (received += chunk.toString()));
  });
  afterEach(() => {
    client.destroy();
    server.closeAllConnections();
    server.close();
  });

  /** Runs `body` on Jest's fake timers; the sockets' I/O and the microtasks stay real. */
  const withFakeTimers = async (body: () => Promise<void>) => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      await body();
    } finally {
      jest.useRealTimers();
    }
  };
  /** The next turn of the event loop, when the sockets have been read. */
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  /** Sends a kept-alive GET and resolves once its whole answer is in. */
  const get = async () => {
    const before = received.length;
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const lost = once(client, 'close').then(() => {
      throw new Error(`the connection closed before the answer: ${received.slice(before)}`);
    });
    lost.catch(() => undefined); // once answered, a later close is no failure
    while (!received.slice(before).endsWith('\r\n\r\nok'))
      await Promise.race([once(client, 'data'), lost]);
    return received.slice(before);
  };

  it('serves a request sent on an idle kept-alive connection just after the close began', async () => {
    expect(await get()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const closed = once(server, 'close');
    server.close(); // Node alone would destroy the idle connection here, and reset the request
    expect(await get()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);

    // Idle again for the grace: closed, and with it the server.
    await once(client, 'close');
    await closed;
  });

  it('closes a connection that stays idle for the grace once the close began', async () => {
    await get();
    const started = Date.now();
    server.close();
    await once(client, 'close');
    expect(Date.now() - started).toBeGreaterThanOrEqual(GRACE_MS - 50); // not at once
  });

  it('does not close a connection whose request is in progress, however long it takes', async () => {
    let answer: (() => void) | undefined;
    handle = (later) => (answer = later);
    await withFakeTimers(async () => {
      client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      while (!answer) await nextTurn();
      server.close();
      jest.advanceTimersByTime(60 * GRACE_MS); // the grace is no limit on a request in progress
      expect(served.destroyed).toBe(false);
      answer();
      while (!received.endsWith('ok')) await once(client, 'data');
      expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(served.destroyed).toBe(false);
      jest.advanceTimersByTime(GRACE_MS); // answered, then idle for the grace
    });
    await once(client, 'close');
  });

  it('gives a request that is still arriving its grace again', async () => {
    await get();
    await withFakeTimers(async () => {
      server.close();
      const before = served.bytesRead;
      client.write('GET / HTTP/1.1\r\n'); // the start of a request, and no more for now
      while (served.bytesRead === before) await nextTurn();
      jest.advanceTimersByTime(GRACE_MS);
      expect(served.destroyed).toBe(false);
      jest.advanceTimersByTime(GRACE_MS); // nothing more arrived: idle for a whole grace
      expect(served.destroyed).toBe(true);
    });
  });
});
