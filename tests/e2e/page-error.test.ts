// A part of the UI that fails to load from the hub (a flaky LAN, a hub restarted
// mid-update) leaves a message and the bottom bar, not an empty screen.
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
