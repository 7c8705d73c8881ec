/**
 * A test-only stand-in for the part of EventStoreDB's gRPC API that the EventStoreDB adapter uses,
 * backed by any `EventStore` (in the tests, the SQLite one). It is built from the service
 * definitions `@eventstore/db-client` ships, so the real client talks to it over real HTTP/2 with
 * its own protobuf encoding. See docs/event-store.md for what this does and does not prove.
 *
 * Implemented: Streams.Read (stream reads, $all reads, $all subscriptions), Streams.Append,
 * Streams.BatchAppend, and ServerFeatures.GetSupportedMethods (advertising BatchAppend, as
 * EventStoreDB 21.10+ does). Everything else answers UNIMPLEMENTED.
 */
import { Server, ServerCredentials, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import {
  SupportedMethod,
  SupportedMethods,
} from '@eventstore/db-client/generated/serverfeatures_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { EventStore } from '../../../src/event-store';
import { appendHandler, batchAppendHandler } from './append';
import { startDroppingProxy } from './dropping-proxy';
import { readHandler } from './read';

export interface EsdbStandIn {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  connectionString: string;
  stop(): Promise<void>;
  /** Resets every open connection (the calls on them fail); the client may reconnect. */
  dropConnections(): void;
  /** Subscription calls received so far (a resumed subscription makes a new one). */
  readonly stats: { subscriptions: number };
}

export interface EsdbStandInOptions {
  /**
   * Advertise BatchAppend through ServerFeatures, as EventStoreDB 21.10+ does, so the client appends
   * with BatchAppend. When false, ServerFeatures answers UNIMPLEMENTED (like 20.x) and the client
   * falls back to the streaming Append RPC. Default true.
   */
  batchAppend?: boolean;
}

const STREAMS_SERVICE = 'event_store.client.streams.streams';

export async function startEsdbStandIn(
  store: EventStore,
  options: EsdbStandInOptions = {},
): Promise<EsdbStandIn> {
  const batchAppend = options.batchAppend ?? true;
  const server = new Server();
  const stats = { subscriptions: 0 };
  const streams: UntypedServiceImplementation = {
    read: readHandler(store, stats),
    append: appendHandler(store),
  };
  if (batchAppend) {
    streams.batchAppend = batchAppendHandler(store);
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (
        _call: unknown,
        callback: (error: null, response: SupportedMethods) => void,
      ) => {
        const methods = ['read', 'append', 'batchappend'].map((name) =>
          new SupportedMethod().setServiceName(STREAMS_SERVICE).setMethodName(name),
        );
        callback(
          null,
          new SupportedMethods()
            .setMethodsList(methods)
            .setEventStoreServerVersion('0.0.0-standin'),
        );
      },
    });
  }
  server.addService(StreamsService, streams);

  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
  const proxy = await startDroppingProxy(grpcPort);
  return {
    connectionString: `esdb://127.0.0.1:${proxy.port}?tls=false`,
    dropConnections: () => proxy.dropAll(),
    stats,
    stop: async () => {
      await proxy.close();
      server.forceShutdown();
    },
  };
}
