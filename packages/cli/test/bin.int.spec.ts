// The real command: node runs bin/govsvc.mjs as an operator would, so the
// tsx registration, argument passing, stdout/stderr and exit codes are the
// ones people get. Kept to a few spawns: each costs a Node start-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hypothetical2027, tempDataDir } from './support.ts';

const bin = fileURLToPath(new URL('../bin/govsvc.mjs', import.meta.url));

function govsvc(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('govsvc as a child process', () => {
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  beforeAll(async () => {
    data = await tempDataDir();
  });
  afterAll(async () => {
    await data.cleanup();
  });

  it('R-ACC-2: calendar add prints the due date and the explanation (exit 0)', async () => {
    const r = await govsvc(['calendar', 'add', '2026-02-13', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('due      2026-02-24 (周二)');
    expect(r.stdout).toContain('2026-02-14 周六  调休上班（春节）');
    expect(r.stdout).toContain('2026-02-17 周二  春节假期');
  });

  it('calendar between --json is machine-readable', async () => {
    const r = await govsvc(['calendar', 'between', '2025-09-26', '2025-10-11', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ workingDays: 6, provisional: false, calendarVersion: '2025@1' });
  });

  it('R-ID-1: id check exits 0 for a valid number and 1 with the reason for an invalid one', async () => {
    const [ok, bad] = await Promise.all([govsvc(['id', 'check', '91350100M000100Y43']), govsvc(['id', 'check', '11010519491231002'])]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid unified social credit code');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('17 characters: a unified social credit code has 18');
  });

  it('exits 2 on a usage error, with the message on stderr', async () => {
    const r = await govsvc(['calendar', 'add', '2024-09-27', 'three']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("invalid for argument 'n'");
  });

  it('calendar publish validates, lists every error with its path (exit 1), then publishes a good file (exit 0)', async () => {
    await writeFile(join(data.dir, 'bad.json'), JSON.stringify({ ...hypothetical2027, source: {}, holidays: [{ date: '2027-02-30', name: '春节' }] }));
    await writeFile(join(data.dir, 'good.json'), JSON.stringify(hypothetical2027));
    const env = { GOVSVC_CALENDAR_DATA_DIR: data.dir, INIT_CWD: data.dir, GOVSVC_ACTOR: 'ops-li' };
    const bad = await govsvc(['calendar', 'publish', 'bad.json'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('/source/title:');
    expect(bad.stderr).toContain('/holidays/0/date: must be a real date written YYYY-MM-DD');
    const good = await govsvc(['calendar', 'publish', 'good.json', '--json'], env);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ published: true, event: { data: { publishedBy: 'ops-li', schedule: { year: 2027 } } } });
    const after = await govsvc(['calendar', 'add', '2027-02-01', '5', '--json'], env);
    expect(JSON.parse(after.stdout)).toMatchObject({ due: '2027-02-16', provisional: false });
  });
});
