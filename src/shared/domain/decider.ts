import type { DomainError } from './domain-error';

export type DomainEvent<Type extends string, Data> = { readonly type: Type; readonly data: Data };
export type DomainCommand<Type extends string, Data> = { readonly type: Type; readonly data: Data };

/** decide returns the events a command produces, or the rule it broke; evolve folds one event. */
export type Decider<Command, State, Event> = {
  decide(command: Command, state: State): Event[] | DomainError;
  evolve(state: State, event: Event): State;
  initialState: State;
};

export function fold<Command, State, Event>(
  decider: Decider<Command, State, Event>,
  events: readonly Event[],
  from: State = decider.initialState,
): State {
  return events.reduce((state, event) => decider.evolve(state, event), from);
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
