// A teacher scrolls a zoomed PDF task sheet as on any tablet: with no pen picked
// up, one finger (or the mouse) drags the page; with the pen, one finger writes.
// And 缩小 at 适合宽度 steps back towards the whole page.
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shot, useBoardSession } from './harness';

const session = useBoardSession();
let page: Page;
let cdp: CDPSession;

async function touch(type: 'touchStart' | 'touchMove' | 'touchEnd', points: { id: number; x: number; y: number }[]) {
  await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p) => ({ radiusX: 2, radiusY: 2, force: 0.5, ...p })) });
}

/** One finger down at (x, y), moved by (dx, dy) in steps, lifted. */
async function drag(x: number, y: number, dx: number, dy: number, steps = 10) {
  await touch('touchStart', [{ id: 1, x, y }]);
  for (let i = 1; i <= steps; i++) await touch('touchMove', [{ id: 1, x: x + (dx * i) / steps, y: y + (dy * i) / steps }]);
  await touch('touchEnd', []);
}

const canvas = () => page.locator('canvas.pdf-page');
/** Where the page's top edge is on the screen. */
const pageTop = () => canvas().evaluate((c) => c.getBoundingClientRect().top);
const pageWidth = () => canvas().evaluate((c) => c.getBoundingClientRect().width);
const strokes = () => page.locator('canvas.ink-layer__live').getAttribute('data-stroke-count').then(Number);

beforeAll(async () => {
  page = session.page;
  cdp = await page.context().newCDPSession(page);
});

describe('a zoomed PDF page under one finger', () => {
  it('at 适合宽度, one finger dragging up brings the bottom of the sheet into view', async () => {
    await page.goto(session.hub.url);
    await page.getByRole('searchbox').fill('大青树');
    await page.getByRole('button', { name: /学习任务单/ }).first().click();
    await expect.poll(() => canvas().getAttribute('data-rendered-page'), { timeout: 20_000 }).toBe('1');
    const whole = await pageWidth();
    await page.getByRole('button', { name: '适合宽度' }).click();
    await expect.poll(pageWidth).toBeGreaterThan(whole * 1.5);
    await expect.poll(() => canvas().getAttribute('data-rendered-page')).toBe('1');
    const before = await pageTop();
    const box = (await page.locator('.lesson__stage').boundingBox())!;
    await drag(box.x + box.width / 2, box.y + box.height * 0.7, 0, -300);
    // The page went up with the finger, by about as far as the finger went.
    await expect.poll(async () => before - (await pageTop())).toBeGreaterThan(250);
    expect(before - (await pageTop())).toBeLessThan(320);
    await shot(page, 'pdf-pan-one-finger');
  });

  it('a mouse drag pans too, and a finger drag down brings the top back', async () => {
    const box = (await page.locator('.lesson__stage').boundingBox())!;
    const before = await pageTop();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 15 * i);
    await page.mouse.up();
    await expect.poll(async () => (await pageTop()) - before).toBeGreaterThan(120);
    await drag(box.x + box.width / 2, box.y + 100, 0, 600);
    await expect.poll(async () => Math.abs((await pageTop()) - box.y)).toBeLessThan(40);
  });

  it('with the pen picked up, one finger writes and the page stays put', async () => {
    await page.getByRole('button', { name: '笔', exact: true }).click();
    const box = (await page.locator('.lesson__stage').boundingBox())!;
    const before = await pageTop();
    const n = await strokes();
    await drag(box.x + box.width / 2 - 100, box.y + box.height * 0.6, 200, -150);
    await expect.poll(strokes).toBe(n + 1);
    expect(Math.abs((await pageTop()) - before)).toBeLessThan(2);
    await page.getByRole('button', { name: '撤销' }).click();
    await expect.poll(strokes).toBe(n);
    await page.getByRole('button', { name: /^浏览/ }).click();
  });

  it('缩小 at 适合宽度 zooms out, step by step, down to the whole page', async () => {
    const zoomOut = page.getByRole('button', { name: '缩小' });
    const wide = await pageWidth();
    expect(await zoomOut.isEnabled()).toBe(true);
    await zoomOut.click();
    await expect.poll(pageWidth).toBeLessThan(wide * 0.85);
    for (let i = 0; i < 10 && (await zoomOut.isEnabled()); i++) await zoomOut.click();
    // The smallest is the whole page, which 整页 then shows as chosen.
    await expect.poll(() => page.getByRole('button', { name: '整页' }).getAttribute('aria-pressed')).toBe('true');
    expect(await zoomOut.isEnabled()).toBe(false);
    const box = (await page.locator('.lesson__stage').boundingBox())!;
    const sheet = (await canvas().boundingBox())!;
    expect(sheet.height).toBeLessThanOrEqual(box.height + 1);
    await shot(page, 'pdf-zoomed-out-to-page');
  });
});
