import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { IncomingMessage, request as httpRequest, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { LookupFunction } from 'node:net';
import { isPublicAddress, privateHostProblem } from '../destination';

/** A delivery refused before connecting: its destination is not a public address. */
export class DestinationRefused extends Error {
  readonly code = 'DESTINATION_NOT_PUBLIC';
}

/** Resolves a name as dns.lookup does, every address at once. */
export type Resolver = (
  hostname: string,
  callback: (error: Error | null, addresses: LookupAddress[]) => void,
) => void;

const resolveAll: Resolver = (hostname, callback) =>
  dnsLookup(hostname, { all: true }, (error, addresses) => callback(error, addresses ?? []));

/**
 * A `lookup` for the socket through `resolve`. With `publicOnly` it drops the addresses that are
 * not public, and fails when none is left. It runs when the request connects, so a name that
 * resolved to a public address at registration and to an internal one now (DNS rebinding) is
 * still refused.
 */
export function lookupThrough(resolve: Resolver, publicOnly: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
      const usable = addresses.filter(
        (a) => (!publicOnly || isPublicAddress(a.address)) && (!family || a.family === family),
      );
      if (usable.length === 0) {
        const found = addresses.map((a) => a.address).join(', ');
        const failure =
          publicOnly && found
            ? new DestinationRefused(`${hostname} resolves to ${found}: not a public address`)
            : Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
        return callback(failure, '', 0);
      }
      // With `all` (as net asks when it tries the families in turn) the second argument is the list.
      if (options.all) return callback(null, usable as unknown as string, 0);
      callback(null, usable[0].address, usable[0].family);
    });
  };
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  /** Refuse any destination that is not a public address (WEBHOOK_PRIVATE_DESTINATIONS=deny). */
  publicOnly: boolean;
  /** How names are resolved; dns.lookup unless a test says otherwise. */
  resolve?: Resolver;
}

/** The longest answer body read, and how long it may take, to keep its connection. */
const MAX_DRAINED_BYTES = 64 * 1024;
const MAX_DRAIN_MS = 1_000;

/**
 * A kept connection reset before any answer came on it: most often the receiver closed it as it
 * was reused.
 */
class StaleConnection extends Error {}

/**
 * POSTs a webhook and resolves with the status of the answer, whose body is not kept. Redirects
 * are not followed (a 3xx is the status). With `publicOnly`, an address in the URL is judged
 * before connecting and a name's addresses when the socket resolves it.
 */
export function postWebhook(request: WebhookRequest): Promise<number> {
  const target = new URL(request.url);
  if (request.publicOnly) {
    const problem = privateHostProblem(target.hostname);
    if (problem) return Promise.reject(new DestinationRefused(problem));
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const lookup =
    request.publicOnly || request.resolve
      ? lookupThrough(request.resolve ?? resolveAll, request.publicOnly)
      : undefined;
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
    signal: request.signal,
    ...(lookup ? { lookup } : {}),
  };
  return post(send, target, options, request.body).catch((error: unknown) => {
    // Receivers may close an idle connection just as it is reused. Once more on a connection of
    // its own: a receiver that did get the first one tells the two apart by the message id.
    if (!(error instanceof StaleConnection)) throw error;
    return post(send, target, { ...options, agent: false }, request.body);
  });
}

function post(
  send: typeof httpRequest,
  target: URL,
  options: RequestOptions,
  body: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = send(target, options, (response) => {
      resolve(response.statusCode ?? 0);
      drain(response);
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        outgoing.reusedSocket && error.code === 'ECONNRESET'
          ? new StaleConnection(error.message)
          : error,
      ),
    );
    outgoing.end(body);
  });
}

/**
 * Reads and drops the answer's body, so that its connection serves the next delivery (Node's
 * agent keeps it alive). A long or slow body is not worth it: its connection is closed instead.
 */
function drain(response: IncomingMessage): void {
  // A timer of its own: the attempt's signal may be collected once the answer is in.
  const deadline = setTimeout(() => response.destroy(), MAX_DRAIN_MS).unref();
  let read = 0;
  response.on('error', () => {}); // the status is what counts, and it is in
  response.on('close', () => clearTimeout(deadline));
  response.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > MAX_DRAINED_BYTES) response.destroy();
  });
}
