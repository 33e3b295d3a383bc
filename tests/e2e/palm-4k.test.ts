// The same hand on a 1080p board and on a 4K board (device scale factor 1, so a
// finger covers twice the CSS px there): a finger writes, a palm erases, and the
// 大橡皮 reaches as far, on both. The UI is sized in rem (1/54 of the screen
// height); the ink's touch sizes must be too.
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBoardPage, shot, useBoardSession } from './harness';

type Touch = { x: number; y: number; id: number; radiusX?: number; radiusY?: number };

// Its own pages, one per screen size.
const session = useBoardSession();

async function openBoard(width: number, height: number) {
  const page = await newBoardPage(session.browser, width, height);
  const cdp = await page.context().newCDPSession(page);
  await page.goto(`${session.hub.url}#/board`);
  await page.locator('canvas.board-page__paper').waitFor();
  return { page, cdp };
}

async function gesture(cdp: CDPSession, starts: Touch[], dx: number, dy: number, steps = 8) {
  const send = (type: string, pts: Touch[]) =>
    cdp.send('Input.dispatchTouchEvent', { type: type as 'touchStart', touchPoints: pts.map((p) => ({ radiusX: 2, radiusY: 2, force: 0.5, ...p })) });
  await send('touchStart', starts);
  for (let i = 1; i <= steps; i++) await send('touchMove', starts.map((p) => ({ ...p, x: p.x + (dx * i) / steps, y: p.y + (dy * i) / steps })));
  await send('touchEnd', []);
}

const strokes = (page: Page) => page.locator('canvas.ink-layer__live').getAttribute('data-stroke-count').then(Number);
const saved = (page: Page) => expect.poll(() => page.locator('canvas.ink-layer__live').getAttribute('data-unsaved')).toBe('0');

describe.each([
  ['1920×1080', 1920, 1080],
  ['3840×2160', 3840, 2160],
])('the same hand at %s', (name, width, height) => {
  const s = width / 1920; // CSS px per 1080p px: the same physical size is s times as many px
  let page: Page;
  let cdp: CDPSession;

  beforeAll(async () => {
    ({ page, cdp } = await openBoard(width, height));
  });

  afterAll(async () => {
    await page?.close();
  });

  it('a finger (22 px wide at 1080p) writes across a stroke and erases nothing', async () => {
    // Two horizontal reference strokes, written with a fine contact.
    await gesture(cdp, [{ id: 1, x: 300 * s, y: 300 * s }], 400 * s, 0);
    await gesture(cdp, [{ id: 2, x: 300 * s, y: 600 * s }], 400 * s, 0);
    await expect.poll(() => strokes(page)).toBe(2);
    await gesture(cdp, [{ id: 3, x: 500 * s, y: 200 * s, radiusX: 11 * s, radiusY: 11 * s }], 0, 250 * s);
    await expect.poll(() => strokes(page)).toBe(3);
    await saved(page);
    await page.waitForTimeout(200);
    expect(await strokes(page)).toBe(3);
    if (s === 2) await shot(page, 'palm-4k-finger');
  });

  it('a palm (80 px wide at 1080p) erases the stroke it passes over', async () => {
    await gesture(cdp, [{ id: 4, x: 350 * s, y: 560 * s, radiusX: 40 * s, radiusY: 40 * s }], 0, 60 * s);
    await expect.poll(() => strokes(page)).toBe(2);
    await saved(page);
  });

  it('大橡皮 erases a stroke 35 px (at 1080p) beside where it touches', async () => {
    await page.getByRole('button', { name: '大橡皮（擦一片）' }).click();
    // Under the first stroke (y 300), away from the finger's stroke (x 500).
    await gesture(cdp, [{ id: 5, x: 350 * s, y: 335 * s }], 0, 0, 2);
    await expect.poll(() => strokes(page)).toBe(1);
    await saved(page);
    await page.getByRole('button', { name: '笔', exact: true }).click();
  });

  it(`keeps what it shows after a reload (${name})`, async () => {
    await page.reload();
    await page.locator('canvas.board-page__paper').waitFor();
    await expect.poll(() => strokes(page)).toBe(1);
  });
});
