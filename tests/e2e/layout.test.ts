// The board layout at 1080p and 4K: touch targets stay at least 64 px per 1080
// lines, and nothing spills off the bottom bar.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newBoardPage, shot, startHubProcess, type RunningHub } from './harness';

let hub: RunningHub;
let browser: Browser;

beforeAll(async () => {
  hub = await startHubProcess();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  if (hub) fs.rmSync(hub.data, { recursive: true, force: true });
});

describe.each([
  [1920, 1080],
  [3840, 2160],
])('at %i×%i', (width, height) => {
  it('keeps every control large and on screen, at home and in a lesson', async () => {
    const page = await newBoardPage(browser, width, height);
    const minTarget = 64 * (height / 1080);
    for (const route of ['', '#/board']) {
      await page.goto(`${hub.url}${route}`);
      await page.getByRole('button', { name: '首页' }).waitFor();
      const boxes = await page.locator('.bottom-bar button').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ l: r.left, r: r.right, h: r.height, w: r.width })));
      expect(boxes.length).toBeGreaterThan(3);
      for (const b of boxes) {
        expect(b.h).toBeGreaterThanOrEqual(minTarget - 0.5);
        expect(b.w).toBeGreaterThanOrEqual(minTarget - 0.5);
        expect(b.l).toBeGreaterThanOrEqual(0);
        expect(b.r).toBeLessThanOrEqual(width);
      }
      await shot(page, `layout-${width}x${height}${route ? '-board' : ''}`);
    }
    await page.close();
  });

  it('keeps every button, list and field of the home, sync and timetable pages at least 64 px tall', async () => {
    const page = await newBoardPage(browser, width, height);
    const minTarget = 64 * (height / 1080);
    for (const route of ['', '#/sync', '#/timetable']) {
      await page.goto(`${hub.url}${route}`);
      await page.getByRole('button', { name: '首页' }).waitFor();
      await page.waitForTimeout(500); // the page's data
      const small = await page.locator('button, select, input:not([type=checkbox]):not([type=range]):not([type=file])').evaluateAll((els, min) =>
        els
          .filter((e) => (e as HTMLElement).offsetParent !== null)
          .map((e) => ({ what: `${e.tagName} ${(e.textContent ?? '').trim().slice(0, 20) || e.getAttribute('aria-label') || ''}`, h: e.getBoundingClientRect().height }))
          .filter((b) => b.h < min - 0.5),
      minTarget);
      expect(small, `${route || 'home'}`).toEqual([]);
    }
    await page.close();
  });
});

// A part of the UI that fails to load from the hub (a flaky LAN, a hub restarted
// mid-update) leaves a message and the bottom bar, not an empty screen.
describe('a page that cannot load', () => {
  it('says so, keeps the bottom bar, and home still works', async () => {
    const page = await newBoardPage(browser);
    await page.goto(hub.url);
    await page.getByRole('button', { name: '首页' }).waitFor();
    // The sync page's code cannot be fetched.
    await page.route(/\/assets\/SyncPage-[^/]+\.js$/, (route) => route.abort('connectionreset'));
    await page.goto(`${hub.url}#/sync`);
    await expect.poll(() => page.getByRole('alert').filter({ hasText: '这一页没能打开' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: '重新加载' }).count()).toBe(1);
    await shot(page, 'page-error');
    await page.getByRole('button', { name: '首页' }).click();
    await expect.poll(() => page.getByRole('searchbox').count()).toBe(1);
    expect(await page.getByText('这一页没能打开').count()).toBe(0);
    await page.close();
  });
});
