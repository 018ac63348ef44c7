/**
 * The decider (Emmett, Jérémie Chassaing): pure functions from command and
 * state to events, and from state and event to state. Time, ids and anything
 * else from the outside world enter through the command, never read inside.
 */
export interface Decider<State, Command, Event> {
  /** Returns the events the command produces; throws a DomainError to refuse it. */
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
  /**
   * Optional: true when `state` already holds all that `command` could add, whatever events follow it
   * in the stream (a fact that, once recorded, stays: an applicant, a department the decider keeps).
   * `handleCommand` then takes a command that decides nothing on a kept state, which may be behind the
   * store, as handled, without a read; with `probablyNew`, on the initial state too (a command settled
   * there is a no-op on every state). Without it, such an empty decision is confirmed by a fresh read.
   */
  settles?(command: Command, state: State): boolean;
}

/** Folds events into state with the decider's evolve. */
export function fold<State, Command, Event>(decider: Decider<State, Command, Event>, events: readonly Event[]): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}
