import { describe, expect, it } from 'vitest';
import { RuleViolation, ValidationError } from '@govsvc/errors/errors';
import { deciderSpec, type Decider } from './decider.ts';

// A two-signature rule in miniature (R-REV-5), enough to exercise every step of the helper.
type Event = { type: 'Signed'; by: string };
type Command = { type: 'Sign'; by: string };
const signatures: Decider<string[], Command, Event> = {
  initialState: () => [],
  evolve: (state, event) => [...state, event.by],
  decide: (command, state) => {
    if (!command.by) throw new ValidationError('signer required', [{ path: '/by', reason: 'required' }]);
    if (state.includes(command.by)) return [];
    if (state.length >= 2) throw new RuleViolation('R-REV-5', 'at most two signatures');
    return [{ type: 'Signed', by: command.by }];
  },
};
const spec = deciderSpec(signatures);

describe('testkit: decider given/when/then', () => {
  it('then() compares the produced events', () => {
    spec.given([{ type: 'Signed', by: 'handler' }]).when({ type: 'Sign', by: 'chief' }).then([{ type: 'Signed', by: 'chief' }]);
  });

  it('then() fails when the events differ', () => {
    expect(() => spec.given([]).when({ type: 'Sign', by: 'chief' }).then([])).toThrow();
  });

  it('thenNothingHappens() for an idempotent repeat', () => {
    spec.given([{ type: 'Signed', by: 'chief' }]).when({ type: 'Sign', by: 'chief' }).thenNothingHappens();
  });

  it('thenThrows() checks class and predicate, and fails when nothing is thrown', () => {
    const error = spec
      .given([{ type: 'Signed', by: 'a' }, { type: 'Signed', by: 'b' }])
      .when({ type: 'Sign', by: 'c' })
      .thenThrows(RuleViolation, (e) => e.rule === 'R-REV-5');
    expect(error.status).toBe(409);
    expect(() => spec.given([]).when({ type: 'Sign', by: 'a' }).thenThrows(RuleViolation)).toThrow();
    expect(() => spec.given([]).when({ type: 'Sign', by: '' }).thenThrows(RuleViolation)).toThrow();
  });

  it('thenSatisfies() exposes events and the state after them', () => {
    spec.given([]).when({ type: 'Sign', by: 'a' }).thenSatisfies((events, state) => {
      expect(events).toHaveLength(1);
      expect(state).toEqual(['a']);
    });
  });
});
