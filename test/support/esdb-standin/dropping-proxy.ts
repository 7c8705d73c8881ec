import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';

export interface DroppingProxy {
  port: number;
  /** Resets every connection passing through, as a network failure would. New connections work. */
  dropAll(): void;
  close(): Promise<void>;
}

/** A TCP relay in front of the gRPC server, so that tests can cut the client's connections. */
export async function startDroppingProxy(targetPort: number): Promise<DroppingProxy> {
  const sockets = new Set<Socket>();
  const kill = (socket: Socket) => {
    sockets.delete(socket);
    if (!socket.destroyed) socket.resetAndDestroy();
  };
  const server: Server = createServer((downstream) => {
    const upstream = connect(targetPort, '127.0.0.1');
    // No Nagle delay: gRPC's small frames would otherwise wait for ACKs at every hop.
    downstream.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(downstream);
    sockets.add(upstream);
    const closeBoth = () => {
      kill(downstream);
      kill(upstream);
    };
    downstream.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const dropAll = () => [...sockets].forEach(kill);
  return {
    port: (server.address() as AddressInfo).port,
    dropAll,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropAll();
      }),
  };
}
