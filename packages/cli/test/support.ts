import { mkdtemp, copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CALENDAR_DATA_DIR } from '@govsvc/calendar/data-files';
import type { CommandContext } from '../src/context.ts';

/** A context whose output is captured, at a fixed time, over a data folder of its own. */
export function testContext(overrides: { dataDir?: string; baseDir?: string; now?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let exit = -1;
  const ctx: CommandContext = {
    io: { out: (t) => void out.push(t), err: (t) => void err.push(t) },
    now: () => new Date(overrides.now ?? '2026-11-26T09:00:00+08:00'),
    config: {
      calendarDataDir: overrides.dataDir ?? DEFAULT_CALENDAR_DATA_DIR,
      actor: 'ops-test',
      baseDir: overrides.baseDir ?? process.cwd(),
    },
    setExit: (code) => {
      exit = code;
    },
  };
  return { ctx, out: () => out.join(''), err: () => err.join(''), exit: () => exit };
}

/** A temporary calendar data folder holding a copy of the real 2025 and 2026 files. */
export async function tempDataDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'govsvc-cli-'));
  for (const year of ['2025', '2026']) await copyFile(join(DEFAULT_CALENDAR_DATA_DIR, `${year}.json`), join(dir, `${year}.json`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

// Invented, labelled as such: the real 2027 notice is not in our data.
export const hypothetical2027 = {
  year: 2027,
  version: 1,
  source: { title: '测试用假设：2027年部分节假日安排（非真实通知）' },
  holidays: [
    { date: '2027-01-01', name: '元旦' },
    ...['05', '06', '07', '08', '09', '10', '11', '12'].map((d) => ({ date: `2027-02-${d}`, name: '春节' })),
  ],
  workdays: [{ date: '2027-02-20', name: '春节' }],
};
