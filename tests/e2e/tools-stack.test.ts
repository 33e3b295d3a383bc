// Classroom tools opened together at a 1920×1080 board: a new tool opens beside the
// ones already open (the random picker never hides a running countdown), comes to the
// front (the lens over the timer and the curtain, its ✕ reachable), a touched panel
// comes to the front, and with the spotlight on the bottom bar still takes a finger.
// Checked with elementFromPoint, i.e. what a tap at that spot would hit.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shot, useBoardSession, type RunningHub } from './harness';
import { openPdfLesson, openTool as openToolOn } from './board-input';

const session = useBoardSession();
let hub: RunningHub;
let page: Page;

beforeAll(() => {
  ({ hub, page } = session);
});

const openLesson = () => openPdfLesson(page, hub);
const openTool = (name: string) => openToolOn(page, name);

type Box = { x: number; y: number; width: number; height: number };
const box = async (sel: string): Promise<Box> => (await page.locator(sel).first().boundingBox())!;
const dialog = (name: string) => `[role="dialog"][aria-label="${name}"]`;

/** Whether a tap at (x, y) lands inside `sel`. */
const hits = (sel: string, x: number, y: number) => page.evaluate(([s, px, py]) => !!document.elementFromPoint(px as number, py as number)?.closest(s as string), [sel, x, y] as const);
const centre = (b: Box) => [b.x + b.width / 2, b.y + b.height / 2] as const;
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inView = (b: Box) => b.x >= 0 && b.y >= 0 && b.x + b.width <= 1920 && b.y + b.height <= 1080;

describe('classroom tools opened together', () => {
  it('opens the random picker beside a running countdown, and a touched panel comes to the front', async () => {
    await openLesson();
    await openTool('倒计时');
    await page.locator(dialog('倒计时')).getByRole('button', { name: '1 分钟', exact: true }).click();
    await page.locator(dialog('倒计时')).getByRole('button', { name: '开始' }).click();
    await openTool('随机点名');
    const timer = await box(dialog('倒计时'));
    const picker = await box(dialog('随机点名'));
    await shot(page, 'tools-stack-timer-picker');
    expect(overlap(timer, picker)).toBe(false);
    expect(inView(picker)).toBe(true);
    const bar = await box('nav.bottom-bar');
    expect(picker.y + picker.height).toBeLessThanOrEqual(bar.y);
    const digits = await box(`${dialog('倒计时')} output`);
    expect(await hits(dialog('倒计时'), ...centre(digits))).toBe(true);

    // Drag the picker by its body half over the timer's digits: it is in front (just touched) ...
    const [cx, cy] = centre(digits);
    const grip = [picker.x + 12, picker.y + picker.height - 12] as const;
    await page.mouse.move(...grip);
    await page.mouse.down();
    await page.mouse.move(grip[0] - (picker.x - cx) - 40, grip[1] - (picker.y - cy) - 40, { steps: 5 });
    await page.mouse.up();
    expect(await hits(dialog('随机点名'), cx, cy)).toBe(true);
    // ... and a tap on the timer's title brings the timer back in front.
    const title = await box(`${dialog('倒计时')} h2`);
    await page.mouse.click(...centre(title));
    expect(await hits(dialog('倒计时'), cx, cy)).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
  });

  it('opens the magnifier in front of the timer and the curtain, its ✕ reachable', async () => {
    await openLesson();
    await openTool('倒计时');
    await openTool('幕布');
    // Pull the curtain up a little, so the bar under it shows again.
    await page.getByRole('slider', { name: '幕布边缘' }).focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
    await openTool('放大镜');
    await shot(page, 'tools-stack-magnifier');
    const lens = await box(dialog('放大镜'));
    expect(inView(lens)).toBe(true);
    expect(await hits(dialog('放大镜'), ...centre(lens))).toBe(true);
    const close = await box(`${dialog('放大镜')} button`);
    expect(await hits('button[aria-label="关闭放大镜"]', ...centre(close))).toBe(true);
    // The timer is still readable on the curtain.
    const digits = await box(`${dialog('倒计时')} output`);
    expect(await hits(dialog('倒计时'), ...centre(digits))).toBe(true);
    await page.mouse.click(...centre(close));
    await expect.poll(() => page.locator(dialog('放大镜')).count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
  });

  it('keeps the bottom bar usable with the spotlight on', async () => {
    await openLesson();
    await openTool('聚光灯');
    await shot(page, 'tools-stack-spotlight');
    for (const name of ['首页', '返回', '工具', '换边', '笔', '撤销']) {
      const b = await box(`nav.bottom-bar button[aria-label="${name}"], nav.bottom-bar button:has-text("${name}")`);
      expect(await hits(`nav.bottom-bar button`, ...centre(b)), name).toBe(true);
    }
    await page.getByRole('button', { name: '工具' }).click();
    const item = await box('[role="menuitem"]:has-text("倒计时")');
    expect(await hits('[role="menuitem"]', ...centre(item))).toBe(true);
    await page.mouse.click(...centre(item));
    await page.getByRole('dialog', { name: '倒计时' }).waitFor();
    const digits = await box(`${dialog('倒计时')} output`);
    expect(await hits(dialog('倒计时'), ...centre(digits))).toBe(true);
    // The dimmed lesson still takes the finger: it moves the light.
    expect(await hits('.spotlight', 300, 300)).toBe(true);
  });
});
