import { inspect } from 'node:util';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const PASSWORD = 'S3cr3tPW';

/** What start-up prints of the error: Nest's ExceptionHandler inspects it, main prints its message. */
function refusal(connectionString: string): Error {
  try {
    EventStoreDbEventStore.connect(connectionString);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`accepted ${connectionString}`);
}

describe('EventStoreDbEventStore: the connection string', () => {
  it.each([
    [
      'a bad option value',
      `esdb://admin:${PASSWORD}@host:2113?tls=false&tlsVerifyCert=maybe`,
      'EVENTSTORE_CONNECTION_STRING is invalid: Unexpected "maybe" at position 56, expected true or false.',
    ],
    [
      'a bad option value holding the credentials',
      `esdb://admin:${PASSWORD}@host?nodePreference=admin:${PASSWORD}`,
      'EVENTSTORE_CONNECTION_STRING is invalid: Unexpected "***" at position 42, expected leader or follower or read_only_replica or random.',
    ],
    [
      'credentials without their "@" (the password reads as a port)',
      `esdb://admin:${PASSWORD}`,
      'EVENTSTORE_CONNECTION_STRING is invalid: unexpected text at position 13, expected port number.',
    ],
    [
      'another scheme',
      `https://admin:${PASSWORD}@host:2113`,
      'EVENTSTORE_CONNECTION_STRING is invalid: unexpected text at position 0, expected esdb:// or esdb+discover://.',
    ],
  ])('refuses %s naming the variable, without the password', (_, connectionString, message) => {
    const error = refusal(connectionString);
    expect(error.message).toBe(message);
    expect(error.cause).toBeUndefined();
    expect(inspect(error)).not.toContain(PASSWORD);
    expect(`${error.stack}`).not.toContain(PASSWORD);
  });

  it("masks the credentials in the client's warnings about the string", async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const store = EventStoreDbEventStore.connect(
        `esdb://admin:${PASSWORD}@127.0.0.1:2113?tls=false&tlsVerifyCert=false&colour=blue`,
      );
      await store.close();
      const printed = warn.mock.calls.map((args) => args.join(' '));
      expect(printed).toHaveLength(2); // tlsVerifyCert=false has no effect; colour is unknown
      for (const text of printed) {
        expect(text).toContain('esdb://***@127.0.0.1:2113');
        expect(text).not.toContain(PASSWORD);
      }
      expect(console.warn).toBe(warn); // put back
    } finally {
      warn.mockRestore();
    }
  });
});
