import { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { createServer, globalAgent, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { DestinationRefused, lookupThrough, postWebhook, Resolver } from './webhook-request';

const resolverOf =
  (addresses: LookupAddress[], error: Error | null = null): Resolver =>
  (_hostname, callback) =>
    callback(error, addresses);

/** Calls a lookup as net does and hands back what its callback got. */
function lookUp(
  resolve: Resolver,
  publicOnly: boolean,
  options: { all?: boolean; family?: number } = {},
): Promise<{ error: Error | null; address: unknown; family: number | undefined }> {
  const lookup = lookupThrough(resolve, publicOnly);
  return new Promise((done) =>
    lookup('hooks.example.net', options, (error, address, family) =>
      done({ error, address, family }),
    ),
  );
}

const MIXED: LookupAddress[] = [
  { address: '10.0.0.7', family: 4 },
  { address: '93.184.216.34', family: 4 },
  { address: 'fd00::7', family: 6 },
  { address: '2606:2800:220:1::', family: 6 },
];

describe('lookupThrough', () => {
  it('keeps only the public addresses of a name when only public ones are allowed', async () => {
    expect(await lookUp(resolverOf(MIXED), true, { all: true })).toMatchObject({
      error: null,
      address: [MIXED[1], MIXED[3]],
    });
    expect(await lookUp(resolverOf(MIXED), true)).toMatchObject({
      address: '93.184.216.34',
      family: 4,
    });
    expect(await lookUp(resolverOf(MIXED), true, { family: 6 })).toMatchObject({
      address: '2606:2800:220:1::',
      family: 6,
    });
  });

  it('refuses a name whose addresses are all private, naming them', async () => {
    const { error } = await lookUp(resolverOf([MIXED[0], MIXED[2]]), true, { all: true });
    expect(error).toBeInstanceOf(DestinationRefused);
    expect(error?.message).toBe(
      'hooks.example.net resolves to 10.0.0.7, fd00::7: not a public address',
    );
  });

  it('passes every address on when private destinations are allowed, and resolver errors as they are', async () => {
    expect(await lookUp(resolverOf(MIXED), false, { all: true })).toMatchObject({
      address: MIXED,
    });
    const failure = Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' });
    expect((await lookUp(resolverOf([], failure), true)).error).toBe(failure);
    expect((await lookUp(resolverOf([]), false)).error).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('postWebhook', () => {
  let server: Server;
  let url: string;
  /** Connections the receiver accepted. */
  let connections: number;
  /** The body each answer carries. */
  let answerBody: string;
  /** How the receiver answers a delivery: by default at once, with `answerBody`. */
  let answer: (request: IncomingMessage, response: ServerResponse) => void;

  beforeEach(async () => {
    connections = 0;
    answerBody = 'ok';
    answer = (_request, response) => response.end(answerBody);
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => answer(request, response));
    });
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  const post = (signal = AbortSignal.timeout(5_000)) =>
    postWebhook({
      url,
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal,
      publicOnly: false,
    });

  it('sends the deliveries to one receiver over one kept connection', async () => {
    // The connection goes back to the agent's pool once the answer's body is read.
    const freed = once(globalAgent, 'free');
    expect(await post()).toBe(200);
    await freed;
    expect(await post()).toBe(200);
    expect(connections).toBe(1);
  });

  it('closes a connection whose answer is too long to be worth reading', async () => {
    answerBody = 'x'.repeat(1024 * 1024);
    const closed = new Promise((resolve) =>
      server.once('connection', (socket: Socket) => socket.on('close', resolve)),
    );
    expect(await post()).toBe(200);
    await closed;
    expect(await post()).toBe(200);
    expect(connections).toBe(2);
  });

  it('sends again on a new connection when the kept one turns out closed', async () => {
    // The receiver drops a connection when a second delivery arrives on it, as one whose idle
    // timeout ran out at that moment does.
    const served = new WeakSet<Socket>();
    answer = (request, response) => {
      if (served.has(request.socket)) return request.socket.destroy();
      served.add(request.socket);
      response.end('ok');
    };
    const freed = once(globalAgent, 'free');
    expect(await post()).toBe(200);
    await freed;
    expect(await post()).toBe(200);
    expect(connections).toBe(2);
  });

  it('closes a connection whose answer does not end within its time', async () => {
    answer = (_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial'); // and never the rest
    };
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance', 'Date'],
    });
    try {
      const closed = new Promise((resolve) =>
        server.once('connection', (socket: Socket) => socket.on('close', resolve)),
      );
      // A signal that never aborts, as the attempt's may be collected once the answer is in.
      expect(await post(new AbortController().signal)).toBe(200);
      jest.advanceTimersByTime(1_000);
      await closed;
    } finally {
      jest.useRealTimers();
    }
  });
});
