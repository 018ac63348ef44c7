/**
 * `pnpm demo` end to end: the demo starts its own standalone process on the
 * controlled clock (temporary data folder, random port), tells the whole
 * story over HTTP and stops. Every chapter must succeed (the demo exits 1
 * otherwise) and the story must show each outcome it promises.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../', import.meta.url));
let dataDir: string;
let output = '';
let code: number | null;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'govsvc-demo-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo.ts', '--exit', '--port', '0', '--data-dir', dataDir], {
    cwd: packageDir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
}, 300_000);

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the guided demo', () => {
  it('tells the whole story without a failed chapter', () => {
    expect(output).not.toContain('✗');
    expect(code, output.slice(-3000)).toBe(0);
  });

  it('covers every acceptance outcome, collaboration, a refusal, delivery by post and the ratings', () => {
    for (const line of ['受理，出具受理凭证', '一次性告知补齐补正', '容缺受理', '不予受理，出具不予受理决定书', '视为受理（自动）', '东城区消防救援支队：同意', '东城区消防救援支队：不同意', '不予许可', 'signatureValid=true inForce=true', '签名回调推送轨迹：已签收', '邮寄送达完成', '好差评：非常满意', '差评：不满意', '整改反馈：已整改']) {
      expect(output, line).toContain(line);
    }
  });

  it('drives the deadlines on the controlled clock: warning, yellow then red card, a renewal deemed granted', () => {
    expect(output).toMatch(/G 承诺时限预警：预警 warning/);
    expect(output).toMatch(/G 超过承诺时限：黄牌 yellow card/);
    expect(output).toMatch(/G 督办期满仍未办结：红牌 red card/);
    expect(output).toMatch(/视为准予延续（自动）.*\n\s+valid until 2026-12-18 \(was 2026-11-18\)/);
  });

  it('ends with the links to each case’s history and the console', () => {
    expect(output).toMatch(/ A {2}京\d{19} .* history http:\/\/127\.0\.0\.1:\d+\/supervision\/cases\/[0-9a-f-]{36}\/history/);
    expect(output).toMatch(/operator console 监管控制台 +http:\/\/127\.0\.0\.1:\d+\/supervision\/console/);
  });
});
