import { describe, expect, it } from 'vitest';
import { compileCheck } from '@govsvc/schema-check/compiled-check';
import { civilDateSchema } from '@govsvc/calendar/schedule';
import { caseFileEventDefinitions } from './case-file.ts';
import { deadlineEventDefinitions } from './deadline-events.ts';

describe('supervision’s event schemas (issue 7, issue 8)', () => {
  it('every deadline and case-file event is written with a plain check, not zod’s copy', () => {
    for (const [type, definition] of Object.entries({ ...deadlineEventDefinitions, ...caseFileEventDefinitions })) {
      expect(compileCheck(definition.schema), type).not.toBeNull();
    }
  });

  it('a civil date is checked, not transformed: the value read is the string written, and impossible dates are refused', () => {
    const check = compileCheck(civilDateSchema)!;
    expect(check('2024-02-29')).toBe(true);
    expect(civilDateSchema.parse('2024-02-29')).toBe('2024-02-29');
    for (const bad of ['2025-02-29', '2025-2-28', '2025-02-28T00:00:00Z', 20250228]) {
      expect(check(bad)).toBe(false);
      expect(civilDateSchema.safeParse(bad).success).toBe(false);
    }
  });
});
