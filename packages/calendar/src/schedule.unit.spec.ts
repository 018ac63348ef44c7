import { describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import { hypothetical2027 } from '../test/fixtures.ts';
import { formatScheduleJson, parseYearSchedule } from './schedule.ts';

describe('year schedule', () => {
  it('accepts a schedule whose 元旦 reaches back into the last days of December', () => {
    const s = parseYearSchedule({ ...hypothetical2027, workdays: [{ date: '2026-12-26', name: '元旦' }] });
    expect(s.workdays[0]?.date).toBe('2026-12-26');
  });

  it('refuses unknown fields, a missing version and a bad URL, with paths', () => {
    try {
      parseYearSchedule({ ...hypothetical2027, version: undefined, colour: 'red', source: { title: '国务院办公厅通知', url: 'gov' } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues.map((i) => i.path).sort()).toEqual(['/', '/source/url', '/version']);
    }
  });

  it('formats one day per line and round-trips', () => {
    const text = formatScheduleJson(parseYearSchedule(hypothetical2027));
    expect(text).toContain('\n    { "date": "2027-01-01", "name": "元旦" },\n');
    expect(parseYearSchedule(JSON.parse(text))).toEqual(parseYearSchedule(hypothetical2027));
  });
});
