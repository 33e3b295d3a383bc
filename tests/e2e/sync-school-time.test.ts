// The sync page on a board whose own clock is on UTC: the night window is set in
// school (Beijing) time, and the page said '白天暂停，今晚 22:00 开始同步' above
// '下次夜间同步：12/1 14:00'. Every time on it is school time.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubApi, shot, useBoardSession } from './harness';

const session = useBoardSession();
let context: BrowserContext;
let page: Page;

const SCHOOL = 'Asia/Shanghai';
/** "12/1 22:00" in school time, as a Chinese page shows a moment. */
const schoolTime = (iso: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: SCHOOL, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

beforeAll(async () => {
  context = await session.browser.newContext({ viewport: { width: 1920, height: 1080 }, hasTouch: true, timezoneId: 'UTC' });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});
afterAll(async () => {
  await context?.close();
});

describe('the sync page on a board clock set to UTC', () => {
  it('gives tonight’s start, the next night window and the last sync in school time', async () => {
    // A window opening two hours or so from now, whatever the hour the test runs: by day, paused, until then.
    const clock = new Intl.DateTimeFormat('en-GB', { timeZone: SCHOOL, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date());
    const [h, m] = clock.split(':').map(Number) as [number, number];
    const startMin = (Math.ceil((h * 60 + m) / 30) * 30 + 120) % 1440;
    const start = hhmm(startMin);
    const configured = await hubApi(session.hub, 'sync:configure', { window: `${start}-${hhmm((startMin + 60) % 1440)}` });
    expect(configured.ok).toBe(true);

    await page.goto(session.hub.url);
    // The browser really is on UTC (the board's own clock), not on school time.
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('UTC');
    await page.getByRole('button', { name: '同步', exact: true }).click();
    await page.getByText(`白天暂停，今晚 ${start} 开始同步`).waitFor();

    const status = await hubApi(session.hub, 'sync:status', {});
    const next = schoolTime(status.value.nextWindow);
    expect(next.endsWith(` ${start}`)).toBe(true);
    // Before: 下次夜间同步 in the browser's zone, eight hours off.
    await expect.poll(() => page.getByText(`下次夜间同步：${next}`, { exact: true }).count()).toBe(1);

    // The last sync's time on the same page, in school time too.
    // (Through the API: with only the demo library, nothing subscribed, the page's 立即同步 waits for a subscription.)
    expect((await hubApi(session.hub, 'sync:now', {})).ok).toBe(true);
    await expect.poll(async () => (await hubApi(session.hub, 'sync:status', {})).value.last !== null, { timeout: 20_000 }).toBe(true);
    const last = (await hubApi(session.hub, 'sync:status', {})).value.last.finishedAt as string;
    await expect.poll(() => page.getByRole('heading', { name: `上次同步：${schoolTime(last)}` }).count(), { timeout: 10_000 }).toBe(1);
    await shot(page, 'sync-school-time-utc');
  });
});
