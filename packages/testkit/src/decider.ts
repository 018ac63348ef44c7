/**
 * given / when / then for deciders (the Emmett specification style):
 *
 *   spec.given([applicationSubmitted]).when(acceptCase).then([caseAccepted]);
 *   spec.given([]).when(signThirdTime).thenThrows(RuleViolation, (e) => e.rule === 'R-REV-5');
 *
 * Assertions go through vitest's expect so failures show a structural diff.
 */
import { expect } from 'vitest';

/** Structurally the same as `@govsvc/eventstore/decider` (the testkit must not depend on the store it tests). */
export interface Decider<State, Command, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

export interface ThenStep<State, Event> {
  /** The command produces exactly these events. */
  then(expected: readonly Event[]): void;
  /** The command produces events satisfying the assertion (for generated ids etc.). */
  thenSatisfies(assert: (events: Event[], stateAfter: State) => void): void;
  /** The command produces no events (an idempotent repeat). */
  thenNothingHappens(): void;
  /** The command is refused with an error of this class (and matching the predicate). */
  thenThrows<E extends Error>(errorClass: ErrorClass<E>, predicate?: (error: E) => boolean): E;
}

export interface DeciderSpecification<State, Command, Event> {
  given(events: readonly Event[]): { when(command: Command): ThenStep<State, Event> };
}

export function deciderSpec<State, Command, Event>(
  decider: Decider<State, Command, Event>,
): DeciderSpecification<State, Command, Event> {
  return {
    given(history) {
      return {
        when(command) {
          const run = () => {
            const state = history.reduce(decider.evolve, decider.initialState());
            const events = decider.decide(command, state);
            return { events, stateAfter: events.reduce(decider.evolve, state) };
          };
          return {
            then(expected) {
              expect(run().events).toEqual(expected);
            },
            thenSatisfies(assert) {
              const { events, stateAfter } = run();
              assert(events, stateAfter);
            },
            thenNothingHappens() {
              expect(run().events).toEqual([]);
            },
            thenThrows(errorClass, predicate) {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught, 'expected the command to be refused').toBeInstanceOf(errorClass);
              const typed = caught as InstanceType<typeof errorClass>;
              if (predicate) expect(predicate(typed), `refusal did not match: ${(typed as Error).message}`).toBe(true);
              return typed;
            },
          };
        },
      };
    },
  };
}
