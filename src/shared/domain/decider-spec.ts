import assert from 'node:assert/strict';
import { Decider, fold } from './decider';
import { DomainError, DomainErrorCode, isDomainError } from './domain-error';

export type DeciderThen<State, Event> = {
  /** Asserts exactly these events (plain JSON) and returns the state after them. */
  then(expected: readonly Event[]): State;
  /** Asserts a DomainError with this code and returns it for further checks. */
  then(expected: DomainErrorCode): DomainError;
  /** Returns the events after asserting the decision succeeded and they are plain JSON. */
  thenEvents(): Event[];
};

export type DeciderSpecification<Command, State, Event> = {
  given(events?: readonly Event[]): { when(command: Command): DeciderThen<State, Event> };
};

function assertPlainJson(events: readonly unknown[]): void {
  assert.deepStrictEqual(JSON.parse(JSON.stringify(events)), events, 'events must be plain JSON');
}

export function deciderSpec<Command, State, Event>(
  decider: Decider<Command, State, Event>,
): DeciderSpecification<Command, State, Event> {
  return {
    given(history: readonly Event[] = []) {
      return {
        when(command: Command) {
          const state = fold(decider, history);
          const outcome = decider.decide(command, state);
          const successful = (): Event[] => {
            if (isDomainError(outcome)) {
              assert.fail(`expected events, got ${outcome.code}: ${outcome.message}`);
            }
            assertPlainJson(outcome);
            return outcome;
          };
          function then(expected: readonly Event[]): State;
          function then(expected: DomainErrorCode): DomainError;
          function then(expected: readonly Event[] | DomainErrorCode): State | DomainError {
            if (typeof expected === 'string') {
              if (!isDomainError(outcome)) {
                assert.fail(`expected ${expected}, got events ${JSON.stringify(outcome)}`);
              }
              assert.equal(outcome.code, expected, outcome.message);
              return outcome;
            }
            const events = successful();
            assert.deepStrictEqual(events, expected);
            return fold(decider, events, state);
          }
          return { then, thenEvents: successful };
        },
      };
    },
  };
}
