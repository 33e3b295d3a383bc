// 全屏 on a lesson video at the board: the picture, its bar and the ink over it fill
// the screen (the board's window is already full screen, so the page itself must do
// it), the teacher can write on the paused moment there, and Esc or 退出全屏 return
// to the lesson, not out of it.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shot, useBoardSession } from './harness';

const session = useBoardSession();
let page: Page;

const W = 1920;
const H = 1080;
const box = (selector: string) => page.locator(selector).evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect);
/** What a finger at (x, y) would touch: inside the player, or the lesson page around it. */
const inPlayer = (x: number, y: number) => page.evaluate(([x, y]) => !!document.elementFromPoint(x!, y!)?.closest('.player'), [x, y]);

beforeAll(async () => {
  page = session.page;
});

describe('a lesson video in full screen', () => {
  it('全屏 makes the video fill the screen, over the title, the lesson list and the bottom bar', async () => {
    await page.goto(session.hub.url);
    await page.getByRole('searchbox').fill('三角形');
    await page.getByRole('button', { name: /三角形的内角和（第一课时）/ }).click();
    await page.locator('video').waitFor();
    await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 2, null, { timeout: 20_000 });
    const url = page.url();
    const small = await box('video');
    expect(small.width).toBeLessThan(W * 0.9);
    expect(await inPlayer(10, 10)).toBe(false); // the title

    await page.getByRole('button', { name: '全屏', exact: true }).click();
    const player = await box('.player');
    expect([player.left, player.top, player.width, player.height]).toEqual([0, 0, W, H]);
    const video = await box('video');
    expect(video.width).toBe(W);
    expect(video.height).toBeGreaterThan(H * 0.8);
    // Where the title, the lesson list and the bottom bar were, the teacher now touches the video.
    for (const [x, y] of [[10, 10], [W - 10, H / 2], [W / 2, H - 5]] as const) expect(await inPlayer(x, y)).toBe(true);
    expect(page.url()).toBe(url);
    await shot(page, 'video-fullscreen');
  });

  it('the pens come along: a stroke on the paused moment, in full screen', async () => {
    const bar = page.locator('.player');
    await bar.getByRole('button', { name: '笔', exact: true }).click();
    const live = page.locator('canvas.ink-layer__live');
    await live.waitFor();
    const before = Number(await live.getAttribute('data-stroke-count'));
    const cdp = await page.context().newCDPSession(page);
    const points = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ x: 400 + i * 60, y: 300 + i * 20 }));
    for (const [i, p] of points.entries()) {
      await cdp.send('Input.dispatchTouchEvent', {
        type: i === 0 ? 'touchStart' : 'touchMove',
        touchPoints: [{ id: 1, ...p, radiusX: 2, radiusY: 2, force: 0.5 }],
      });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect.poll(async () => Number(await live.getAttribute('data-stroke-count'))).toBe(before + 1);
    // 浏览 puts the pen down: the finger works the video again.
    await bar.getByRole('button', { name: /^浏览/ }).click();
    await shot(page, 'video-fullscreen-ink');
  });

  it('Esc leaves the full screen and stays in the lesson', async () => {
    const url = page.url();
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await box('video')).width).toBeLessThan(W * 0.9);
    expect(page.url()).toBe(url);
    expect(await inPlayer(10, 10)).toBe(false);
    await expect.poll(() => page.getByRole('button', { name: '全屏', exact: true }).count()).toBe(1);
  });

  it('退出全屏 on the bar returns too', async () => {
    await page.getByRole('button', { name: '全屏', exact: true }).click();
    await expect.poll(async () => (await box('video')).width).toBe(W);
    await page.getByRole('button', { name: '退出全屏' }).click();
    await expect.poll(async () => (await box('video')).width).toBeLessThan(W * 0.9);
    expect(await inPlayer(10, 10)).toBe(false);
  });
});
