import { EventStoreDbEventStore } from '../../src/infrastructure/eventstoredb/eventstoredb-event-store';
import { describeEventStoreContract } from './event-store.contract';

/**
 * The contract suite against a real EventStoreDB, e.g.
 *   EVENTSTORE_CONNECTION_STRING='esdb://localhost:2113?tls=false' npx jest test/contract/eventstoredb-real
 * Every test of the suite writes under its own random stream-name prefix (and event-type prefix),
 * so a server holding data of earlier runs, or of anything else, still passes.
 */
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  // Reads of $all filter client-side (see docs/event-store.md): on a server with a long $all they take a while.
  jest.setTimeout(120_000);
  describeEventStoreContract(
    `EventStoreDB adapter against a real server (${redact(connectionString)})`,
    async () => {
      const store = EventStoreDbEventStore.connect(connectionString);
      return { store, teardown: () => store.close() };
    },
  );
} else {
  describe.skip('event-store contract: real EventStoreDB — skipped because EVENTSTORE_CONNECTION_STRING is not set', () => {
    it('runs the contract suite against the server the connection string names', () => undefined);
  });
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
