/**
 * The operator console in a real headless Chromium (Debian's, driven by
 * playwright-core): the page loads through the token → cookie exchange, a
 * breach produced during the test appears without a reload (server-sent
 * events), a filter narrows the list. A screenshot goes to test-artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlineIdOf } from '../src/domain/kinds.ts';
import { startApp, startHarness, type Harness } from './harness.ts';

const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const itemCode = '11000000000000000A-0001-01';
let h: Harness;
let http: Awaited<ReturnType<typeof startApp>>;
let base: string;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  h = await startHarness({ start: '2025-03-03T08:00:00+08:00' });
  http = await startApp(h.module);
  base = await http.app.listen({ host: '127.0.0.1', port: 0 });
  await h.publish('catalog.guide-published.v1', { itemCode, guideVersion: '2025.2', itemType: '01', implementingBody: '北京市市场监督管理局', itemName: '食品经营许可' });
  await h.publish('intake.application-submitted.v1', { caseId: 'BJ-B1', itemCode, guideVersion: '2025.2', serviceCentre: 'centre-chaoyang', submittedAt: '2025-03-03T10:00:00+08:00' });
  await h.publish('intake.application-submitted.v1', { caseId: 'BJ-B2', itemCode, guideVersion: '2025.2', serviceCentre: 'centre-haidian', submittedAt: '2025-03-05T10:00:00+08:00' });
  // BJ-B1's acceptance was due 03-04 and its follow-up 03-05: red; BJ-B2's is due today: warning.
  await h.tick('2025-03-06T08:00:00+08:00');
  profile = mkdtempSync(join(tmpdir(), 'govsvc-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 720 },
    locale: 'zh-CN',
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await http?.app.close();
  await h?.stop();
});

describe('operator console in Chromium', () => {
  it('loads with a token, shows a new breach live, and filters', async () => {
    const page = await context.newPage();
    const token = await http.token(['operator']);
    await page.goto(`${base}/supervision/console#token=${encodeURIComponent(token)}`);
    await page.waitForSelector('body[data-authed="true"]');
    expect(page.url()).toBe(`${base}/supervision/console`); // the token left the address bar
    await page.waitForSelector('#status:has-text("实时更新已连接")');
    // BJ-B1's acceptance (red) and BJ-B2's (warning); the deemed-acceptance limits (5 working days) are not near yet.
    expect(await page.locator('#rows tr').count()).toBe(2);
    expect(await page.locator('#count-red').textContent()).toBe('1');

    // A breach produced now reaches the open page without a reload.
    // A marker on the page's global object: a reload would lose it.
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    await h.tick('2025-03-07T00:00:00+08:00'); // BJ-B2's acceptance (due 03-06) is missed: yellow
    const b2 = deadlineIdOf('BJ-B2', 'acceptance', 'submission');
    await page.waitForSelector(`tr[data-id="${b2}"][data-card="yellow"]`, { timeout: 5_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
    expect(await page.locator('#count-yellow').textContent()).toBe('1');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'console.png'), fullPage: true });

    // Filtering by card colour narrows the list to the red card.
    const before = await page.locator('#rows tr').count();
    await page.selectOption('select[name="card"]', 'red');
    await page.waitForURL(/card=red/);
    const rows = page.locator('#rows tr');
    expect(await rows.count()).toBeLessThan(before);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-id')).toBe(deadlineIdOf('BJ-B1', 'acceptance', 'submission'));
    await page.screenshot({ path: join(artifacts, 'console-filtered.png'), fullPage: true });

    // The link leads to the case's history.
    await rows.first().locator('a').click();
    await page.waitForSelector('h1:has-text("BJ-B1")');
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(3);
  }, 30_000);
});
