import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered with. */
  status: number;
}

/**
 * A webhook receiver on 127.0.0.1: records each POST, answers with the status `respond` gives
 * it (200 by default; 0 leaves it unanswered until close), and hands the requests to whoever
 * awaits `next()`, so that a test waits for a delivery and not for a time.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  respond: (request: Omit<Received, 'status'>, index: number) => number = () => 200;
  private readonly server: Server;
  private readonly waiting: Array<(r: Received) => void> = [];
  private unread: Received[] = [];

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = {
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        const status = this.respond(request, this.received.length);
        const received = { ...request, status };
        this.received.push(received);
        if (status > 0) res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
        const waiter = this.waiting.shift();
        if (waiter) waiter(received);
        else this.unread.push(received);
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path = '/hook'): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  /** The next request not yet handed out, as soon as it arrives. */
  next(): Promise<Received> {
    const ready = this.unread.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
