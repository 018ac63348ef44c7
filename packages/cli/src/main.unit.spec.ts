import { describe, expect, it } from 'vitest';
import { run } from './main.ts';
import { testContext } from '../test/support.ts';

async function runCaptured(argv: string[]) {
  const t = testContext();
  const code = await run(argv, { io: t.ctx.io, now: t.ctx.now, config: t.ctx.config });
  return { code, out: t.out(), err: t.err() };
}

describe('govsvc exit codes', () => {
  it('0 on success, with --json giving JSON', async () => {
    const r = await runCaptured(['calendar', 'add', '2025-09-30', '1', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ due: '2025-10-09' });
  });

  it('1 on a finding (an invalid number)', async () => {
    const r = await runCaptured(['id', 'check', '110105194912310021']);
    expect(r).toMatchObject({ code: 1, err: '' });
    expect(r.out).toContain('should be X, not 1');
  });

  it('1 when the calendar refuses, as JSON with the rule when asked', async () => {
    const r = await runCaptured(['calendar', 'add', '2050-12-20', '30', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'rule-violation', rule: 'calendar.horizon' } });
  });

  it('2 on usage errors: unknown command, missing or malformed argument, unknown option, no command', async () => {
    for (const argv of [['nope'], ['calendar', 'add', '2024-09-27'], ['calendar', 'add', '2024-02-30', '1'], ['id', 'check', 'x', '--loud'], []]) {
      const r = await runCaptured(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).not.toBe('');
    }
  });

  it('0 for help', async () => {
    const r = await runCaptured(['calendar', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('publish');
  });
});
