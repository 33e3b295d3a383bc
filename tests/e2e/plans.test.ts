// 备课 end to end: compose a lesson from the library and board pages, save it,
// present it with a clicker's PageDown/PageUp, and find board ink where it was.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newBoardPage, shot, startHubProcess, type RunningHub } from './harness';

let hub: RunningHub;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  hub = await startHubProcess();
  browser = await launchBrowser();
  page = await newBoardPage(browser);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  if (hub) fs.rmSync(hub.data, { recursive: true, force: true });
});

describe('lesson plans', () => {
  it('composes, saves and presents a lesson in order with presenter keys', async () => {
    await page.goto(hub.url);
    await page.getByRole('button', { name: '＋ 新建备课' }).click();
    await page.getByRole('textbox', { name: '备课标题' }).fill('分数的初步认识 第一课时');
    const add = page.getByRole('searchbox', { name: '搜索要加入的资源' });
    await add.fill('分数的初步认识');
    await page.getByRole('button', { name: /^加入：分数的初步认识（第一课时）/ }).click();
    await page.getByRole('button', { name: '＋ 田字格' }).click();
    await add.fill('学习任务单');
    await page.getByRole('button', { name: '加入：学习任务单' }).first().click();
    await expect.poll(() => page.getByRole('list', { name: '上课顺序' }).getByRole('listitem').count()).toBe(3);
    await page.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/plan\/\d+$/);
    await shot(page, 'plan-editor');

    // Reload: the plan was saved in the library.
    await page.reload();
    await expect.poll(() => page.getByRole('list', { name: '上课顺序' }).getByRole('listitem').count()).toBe(3);

    await page.keyboard.press('F5');
    await expect.poll(() => page.getByText('第 1 / 3 项').count()).toBe(1);
    await page.locator('video').waitFor();
    await page.keyboard.press('PageDown');
    await page.locator('canvas.board-page__paper[data-template="tianzige"]').waitFor();
    // Write on the plan's board page.
    await page.mouse.move(400, 400);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(400 + i * 25, 400 + i * 10);
    await page.mouse.up();
    await expect.poll(() => page.locator('canvas.ink-layer__live').getAttribute('data-stroke-count')).toBe('1');
    await page.keyboard.press('PageDown');
    await expect.poll(() => page.locator('canvas.pdf-page').getAttribute('data-rendered-page'), { timeout: 20_000 }).toBe('1');
    await shot(page, 'plan-present-pdf');
    await page.getByRole('button', { name: '上一项' }).click();
    await expect.poll(() => page.locator('canvas.ink-layer__live').getAttribute('data-stroke-count')).toBe('1');
    await shot(page, 'plan-present-board');
  });
});
