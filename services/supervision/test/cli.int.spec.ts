/**
 * The govsvc commands of the supervision service (packages/cli: history,
 * state, verify, deadlines, rebuild) against a running supervision app over
 * real HTTP, with a real supervisor token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '@govsvc/cli/main';
import { startApp, startHarness, type Harness } from './harness.ts';

const itemCode = '11000000000000000A-0001-01';
let h: Harness;
let http: Awaited<ReturnType<typeof startApp>>;
let base: string;
let token: string;

beforeAll(async () => {
  h = await startHarness({ start: '2025-03-03T08:00:00+08:00' });
  http = await startApp(h.module);
  base = await http.app.listen({ host: '127.0.0.1', port: 0 });
  token = await http.token(['supervisor']);
  await h.publish('catalog.guide-published.v1', { itemCode, guideVersion: '2025.2', itemType: '01', implementingBody: '北京市市场监督管理局' });
  await h.publish('intake.application-submitted.v1', { caseId: 'BJ-CLI1', itemCode, guideVersion: '2025.2', serviceCentre: 'centre-chaoyang', submittedAt: '2025-03-03T10:00:00+08:00' });
  await h.tick('2025-03-05T08:00:00+08:00');
});
afterAll(async () => {
  await http?.app.close();
  await h?.stop();
});

async function govsvc(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run([...args, '--url', base, '--token', token], { io: { out: (t) => void (out += t), err: (t) => void (err += t) } });
  return { code, out, err };
}

describe('govsvc supervision commands', () => {
  it('deadlines --breached lists the yellow card', async () => {
    const { code, out } = await govsvc('deadlines', '--breached');
    expect(code).toBe(0);
    expect(out).toContain('黄牌');
    expect(out).toContain('BJ-CLI1');
    expect(out).toContain('受理决定');
    const json = JSON.parse((await govsvc('deadlines', '--card', 'yellow', '--json')).out);
    expect(json.deadlines.map((d: { caseId: string; kind: string }) => `${d.caseId} ${d.kind}`)).toEqual(['BJ-CLI1 acceptance']);
  });

  it('history prints a readable timeline; state rebuilds the case at an instant', async () => {
    const history = await govsvc('history', 'BJ-CLI1');
    expect(history.code).toBe(0);
    expect(history.out).toMatch(/办件 BJ-CLI1: \d+ events/);
    expect(history.out).toContain('黄牌：已超过届满日 2025-03-04');
    const state = JSON.parse((await govsvc('state', 'BJ-CLI1', '--at', '2025-03-04T12:00:00+08:00', '--json')).out);
    expect(state.deadlines.find((d: { kind: string }) => d.kind === 'acceptance')).toMatchObject({ status: 'open', card: null });
    const text = (await govsvc('state', 'BJ-CLI1', '--at', '2025-03-05T09:00:00+08:00')).out;
    expect(text).toContain('受理决定: open, due 2025-03-04, yellow');
    expect((await govsvc('state', 'BJ-CLI1', '--at', 'yesterday')).code).toBe(1);
  });

  it('verify checks a case and the whole store; rebuild rebuilds a projection', async () => {
    const one = await govsvc('verify', 'BJ-CLI1');
    expect(one.code).toBe(0);
    expect(one.out).toContain('OK: every hash chain and seal holds');
    expect((await govsvc('verify', '--all', '--json')).code).toBe(0);
    expect((await govsvc('verify', 'BJ-NONE')).code).toBe(1);
    expect((await govsvc('verify')).code).toBe(1);
    const rebuilt = await govsvc('rebuild', 'deadline-index');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.out).toMatch(/deadline-index rebuilt from \d+ events/);
    expect((await govsvc('deadlines', '--breached')).out).toContain('BJ-CLI1');
  });

  it('refuses without a token, and names an unreachable service', async () => {
    let err = '';
    const code = await run(['history', 'BJ-CLI1', '--url', base], { io: { out: () => undefined, err: (t) => void (err += t) } });
    expect(code).toBe(1);
    expect(err).toContain('a token is required');
    const unreachable = await run(['history', 'BJ-CLI1', '--url', 'http://127.0.0.1:9', '--token', token], { io: { out: () => undefined, err: () => undefined } });
    expect(unreachable).toBe(1);
  });
});
