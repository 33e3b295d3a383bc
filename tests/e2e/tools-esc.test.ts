// A teacher at the board with a classroom tool open over the lesson presses Esc (a
// clicker's or the keyboard's) or taps 返回: the tool closes, the last opened first,
// and the lesson stays; only with none open does Esc leave. Leaving by other means
// closes the curtain, spotlight, lens and frozen picture (never left over the home
// screen), while a running countdown goes along.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubApi, shot, useBoardSession, type RunningHub } from './harness';
import { openPdfLesson, openTool as openToolOn } from './board-input';

const session = useBoardSession();
let hub: RunningHub;
let page: Page;

beforeAll(() => {
  ({ hub, page } = session);
});

const openLesson = () => openPdfLesson(page, hub);
const openTool = (name: string) => openToolOn(page, name);

const tool = (name: string) => page.getByRole('dialog', { name }).count();
const inLesson = async () => page.url().includes('#/resource/') && (await page.locator('canvas.pdf-page').isVisible());
const atHome = async () => new URL(page.url()).hash === '' || new URL(page.url()).hash === '#/';

describe('Esc and 返回 with a classroom tool open', () => {
  it('Esc closes the tool and the lesson stays; with none open it leaves as before', async () => {
    await openLesson();
    for (const name of ['倒计时', '幕布', '聚光灯', '放大镜', '冻结画面', '随机点名']) {
      await openTool(name);
      await page.keyboard.press('Escape');
      await expect.poll(() => tool(name)).toBe(0);
      expect(await inLesson()).toBe(true);
    }
    await shot(page, 'tools-esc-lesson-stays');
    await page.keyboard.press('Escape');
    await expect.poll(atHome).toBe(true);
  });

  it('closes the most recently opened tool first, by Esc or by 返回', async () => {
    await openLesson();
    // The curtain last: it covers the bottom bar.
    await openTool('随机点名');
    await openTool('倒计时');
    await openTool('幕布');
    await page.keyboard.press('Escape');
    await expect.poll(() => tool('幕布')).toBe(0);
    expect([await tool('倒计时'), await tool('随机点名')]).toEqual([1, 1]);
    await page.keyboard.press('Escape');
    await expect.poll(() => tool('倒计时')).toBe(0);
    expect(await tool('随机点名')).toBe(1);
    await page.getByRole('button', { name: '返回' }).click();
    await expect.poll(() => tool('随机点名')).toBe(0);
    expect(await inLesson()).toBe(true);
    await page.getByRole('button', { name: '返回' }).click();
    await expect.poll(atHome).toBe(true);
  });

  it('Esc with the tools menu open closes the menu, not the lesson', async () => {
    await openLesson();
    await page.getByRole('button', { name: '工具' }).click();
    await page.getByRole('menu', { name: '工具' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('menu', { name: '工具' }).count()).toBe(0);
    expect(await inLesson()).toBe(true);
  });
});

describe('leaving the lesson another way', () => {
  it('takes no curtain or spotlight to the home screen; a running countdown goes along', async () => {
    await openLesson();
    await openTool('倒计时');
    const timer = page.getByRole('dialog', { name: '倒计时' });
    await timer.getByRole('button', { name: '开始' }).click();
    await openTool('幕布');
    // Drawn a third of the way back, the bar shows again below it: the teacher taps 首页.
    const edge = page.getByRole('slider', { name: '幕布边缘' });
    const box = (await edge.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, 600, { steps: 5 });
    await page.mouse.up();
    await page.getByRole('button', { name: '首页' }).click();
    await expect.poll(atHome).toBe(true);
    await expect.poll(() => tool('幕布')).toBe(0);
    expect(await tool('倒计时')).toBe(1);
    const shown = await timer.locator('output').textContent();
    await expect.poll(() => timer.locator('output').textContent(), { timeout: 5000 }).not.toBe(shown);
    await shot(page, 'tools-home-after-lesson');
    await timer.getByRole('button', { name: '关闭倒计时' }).click();

    // The spotlight covers the bar; a mouse's or keyboard's Back leaves under it.
    await openLesson();
    await openTool('聚光灯');
    await page.goBack();
    await expect.poll(atHome).toBe(true);
    await expect.poll(() => tool('聚光灯')).toBe(0);
  });
});

describe('presenting a plan', () => {
  it('the curtain stays while the clicker steps on; Esc closes it, then leaves the presentation', async () => {
    const saved = await hubApi(hub, 'plans:save', {
      title: '幕布与翻页',
      items: [
        { kind: 'board', template: 'white' },
        { kind: 'board', template: 'tianzige' },
      ],
    });
    const id = saved.value.id as number;
    await page.goto(`${hub.url}#/plan/${id}`);
    await page.getByRole('list', { name: '上课顺序' }).waitFor();
    await page.evaluate((h) => (window.location.hash = h), `#/present/${id}/0`);
    await page.locator('canvas.board-page__paper[data-template="white"]').waitFor();
    await openTool('幕布');
    // Hiding the next item until it is drawn back is what the curtain is for.
    await page.keyboard.press('PageDown');
    await page.locator('canvas.board-page__paper[data-template="tianzige"]').waitFor();
    expect(await tool('幕布')).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => tool('幕布')).toBe(0);
    expect(new URL(page.url()).hash).toBe(`#/present/${id}/1`);
    await page.keyboard.press('Escape');
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/plan/${id}`);
  });
});
