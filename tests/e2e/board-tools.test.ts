// Board pages and classroom tools as a teacher uses them at 1920×1080: every
// template renders and keeps its own ink; every tool opens, works and closes.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shot, useBoardSession, type RunningHub } from './harness';

const session = useBoardSession();
let hub: RunningHub;
let page: Page;

const TEMPLATES: [string, string][] = [
  ['white', '白板'],
  ['green', '绿板'],
  ['black', '黑板'],
  ['tianzige', '田字格'],
  ['mizige', '米字格'],
  ['sixian', '四线三格'],
  ['fangge', '方格'],
  ['wuxianpu', '五线谱'],
  ['zuobiao', '坐标格'],
];

beforeAll(() => {
  ({ hub, page } = session);
});

const strokes = () => page.locator('canvas.ink-layer__live').getAttribute('data-stroke-count').then(Number);

async function drawLine(x: number, y: number) {
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x + i * 30, y + i * 8);
  await page.mouse.up();
}

describe('board pages', () => {
  it('renders every writing template, each page with its own ink', async () => {
    await page.goto(hub.url);
    await page.getByRole('button', { name: '白板' }).click();
    await page.locator('canvas.board-page__paper[data-template="green"]').waitFor();
    await drawLine(300, 300);
    await expect.poll(strokes).toBe(1);
    for (const [id, name] of TEMPLATES) {
      await page.getByRole('button', { name: '新建一页' }).click();
      await page.getByRole('dialog', { name: '新建一页' }).getByRole('button', { name, exact: true }).click();
      await page.locator(`canvas.board-page__paper[data-template="${id}"]`).waitFor();
      await expect.poll(strokes).toBe(0);
      await shot(page, `board-${id}`);
    }
    // Back to the first page: its ink is still there.
    await page.getByRole('button', { name: '第 1 页' }).click();
    await expect.poll(strokes).toBe(1);
    // Delete the last page.
    await page.getByRole('button', { name: '第 10 页' }).click();
    await page.getByRole('button', { name: '删除本页' }).click();
    await expect.poll(() => page.getByRole('button', { name: /^第 \d+ 页$/ }).count()).toBe(9);
  });
});

describe('classroom tools', () => {
  const open = async (name: string) => {
    await page.getByRole('button', { name: '工具' }).click();
    await page.getByRole('menuitem', { name }).click();
  };

  it('countdown shows large digits and counts down', async () => {
    await open('倒计时');
    const dialog = page.getByRole('dialog', { name: '倒计时' });
    await dialog.getByRole('button', { name: '1 分钟', exact: true }).click();
    await dialog.getByRole('button', { name: '开始' }).click();
    await expect.poll(() => dialog.locator('output').textContent(), { timeout: 5000 }).toMatch(/00:5\d/);
    await shot(page, 'tool-countdown');
    await dialog.getByRole('button', { name: '秒表' }).click();
    const watch = page.getByRole('dialog', { name: '秒表' });
    await expect.poll(() => watch.locator('output').textContent()).toMatch(/00:00\.0/);
    await watch.getByRole('button', { name: '开始' }).click();
    await expect.poll(() => watch.locator('output').textContent(), { timeout: 5000 }).toMatch(/00:0[1-9]\.\d/);
    await watch.getByRole('button', { name: '关闭秒表' }).click();
  });

  it('random picker draws student numbers without repeats', async () => {
    await open('随机点名');
    const dialog = page.getByRole('dialog', { name: '随机点名' });
    for (let i = 0; i < 38; i++) await dialog.getByRole('button', { name: '减少人数' }).click();
    await expect.poll(() => dialog.getByText('全班 2 人').count()).toBe(1);
    await dialog.getByRole('button', { name: '抽一个' }).click();
    await dialog.getByRole('button', { name: '抽一个' }).click();
    await expect.poll(() => dialog.getByRole('button', { name: '已全部抽完' }).isDisabled()).toBe(true);
    const drawn = (await dialog.locator('p').textContent())!.split('、').sort();
    expect(drawn).toEqual(['1', '2']);
    await shot(page, 'tool-random');
    await dialog.getByRole('button', { name: '关闭随机点名' }).click();
  });

  it('spotlight, curtain, magnifier and freeze open over the lesson and close', async () => {
    for (const name of ['聚光灯', '幕布', '放大镜', '冻结画面']) {
      await open(name);
      const dialog = page.getByRole('dialog', { name });
      await dialog.waitFor();
      await shot(page, `tool-${name}`);
      await dialog.getByRole('button', { name: `关闭${name}` }).click();
      await expect.poll(() => dialog.count()).toBe(0);
    }
  });

  it('blank screen hides everything until Esc', async () => {
    await open('黑屏');
    await expect.poll(() => page.locator('.blank-screen').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.blank-screen').count()).toBe(0);
  });
});
