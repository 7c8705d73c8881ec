import type { Server } from 'node:http';
import type { Socket } from 'node:net';

interface Connection {
  /** Requests in progress: more than one when a client pipelines. */
  requests: number;
  grace?: NodeJS.Timeout;
}

/**
 * Makes a server's close() leave kept-alive connections open until each has been idle for
 * `graceMs`, instead of closing the idle ones at once.
 *
 * Node's server.close() calls closeIdleConnections() (since Node 19). A busy keep-alive client
 * that has just had its answer is idle for an instant before it sends its next request; closed
 * then, that request gets a reset and has not run. Left open, the request is served, and its answer
 * carries `Connection: close` (app.factory.ts), which ends the connection cleanly. A connection
 * with no request in progress and no byte read for `graceMs` is closed: it would hold the shutdown
 * otherwise (Fastify keeps connections alive for 72 s). A client that sends just as its grace runs
 * out can still meet the close: HTTP/1.1 has no way to tell it first.
 */
export function closeIdleConnectionsAfterGrace(server: Server, graceMs: number): void {
  const connections = new Map<Socket, Connection>();
  let draining = false;

  const closeOnceIdle = (socket: Socket, connection: Connection) => {
    clearTimeout(connection.grace);
    if (socket.destroyed) return;
    const readBefore = socket.bytesRead;
    connection.grace = setTimeout(() => {
      // Bytes read but no request yet: one is arriving, slowly. It has its grace again.
      if (socket.bytesRead !== readBefore) return closeOnceIdle(socket, connection);
      socket.destroy();
    }, graceMs);
  };

  server.on('connection', (socket: Socket) => {
    const connection: Connection = { requests: 0 };
    connections.set(socket, connection);
    socket.once('close', () => {
      clearTimeout(connection.grace);
      connections.delete(socket);
    });
  });
  server.on('request', ({ socket }: { socket: Socket }, response: NodeJS.EventEmitter) => {
    const connection = connections.get(socket);
    if (!connection) return;
    connection.requests++;
    clearTimeout(connection.grace); // its answer starts the grace again
    // 'close' comes once the answer is sent, or when the connection is lost before.
    response.once('close', () => {
      connection.requests--;
      if (draining && connection.requests === 0) closeOnceIdle(socket, connection);
    });
  });
  // server.close() calls it, just before it stops taking connections.
  server.closeIdleConnections = () => {
    draining = true;
    for (const [socket, connection] of connections)
      if (connection.requests === 0) closeOnceIdle(socket, connection);
  };
}
