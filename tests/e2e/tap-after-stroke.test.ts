// A teacher writes, then taps 撤销 (or ＋) at once. A stroke that ends in a flick
// (the finger still moving as it lifts) made Chromium start a fling, and on
// Windows/Linux Chromium drops the click of the next tap that stops a fling, so
// the first tap within ~0.3 s of the stroke did nothing. Touches are sent as a
// finger does: a 300 ms stroke, a new finger 150 ms later, held 80 ms.
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBoardSession, type RunningHub } from './harness';

const session = useBoardSession();
let hub: RunningHub;
let page: Page;
let cdp: CDPSession;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Point = { x: number; y: number; id: number };
const send = (type: 'touchStart' | 'touchMove' | 'touchEnd', pts: Point[]) =>
  cdp.send('Input.dispatchTouchEvent', { type, touchPoints: pts.map((p) => ({ radiusX: 2, radiusY: 2, force: 0.5, ...p })) });

/** A 300 ms stroke whose finger lifts still moving, as at the end of 撇. */
async function flickStroke(x: number, y: number) {
  const id = 1;
  await send('touchStart', [{ x, y, id }]);
  for (let i = 1; i <= 15; i++) {
    await sleep(20);
    await send('touchMove', [{ x: x + i * 20, y: y + i * 5, id }]);
  }
  await send('touchEnd', [{ x: x + 300, y: y + 75, id }]);
}

/** A new finger tapping the middle of a button. */
async function tap(name: string) {
  const box = (await page.getByRole('button', { name, exact: true }).first().boundingBox())!;
  const p = { x: box.x + box.width / 2, y: box.y + box.height / 2, id: 2 };
  await send('touchStart', [p]);
  await sleep(80);
  await send('touchEnd', [p]);
}

const strokes = () => page.locator('canvas.ink-layer__live').getAttribute('data-stroke-count').then(Number);

beforeAll(async () => {
  ({ hub, page } = session);
  cdp = await page.context().newCDPSession(page);
  await page.goto(`${hub.url}#/board`);
  await page.locator('canvas.board-page__paper').waitFor();
});

describe('the first tap right after writing', () => {
  it('撤销 tapped 150 ms after a stroke takes the stroke away', async () => {
    await flickStroke(300, 300);
    await sleep(150);
    await tap('撤销');
    await expect.poll(strokes, { timeout: 2000 }).toBe(0);
  });

  it('＋ tapped 150 ms after a stroke opens 新建一页', async () => {
    await flickStroke(300, 500);
    await sleep(150);
    await tap('新建一页');
    await expect.poll(() => page.getByRole('dialog', { name: '新建一页' }).isVisible(), { timeout: 2000 }).toBe(true);
  });

  it('fingers still write: each stroke is kept, two at once make two', async () => {
    // The page's ink as the hub keeps it, in before counting: a stroke drawn while it is on its way is kept beside it.
    const listed = page.waitForResponse((r) => r.url().endsWith('/api/annotations:list'));
    await page.reload(); // closes the 新建一页 sheet left open above
    await page.locator('canvas.board-page__paper').waitFor();
    await listed;
    await page.waitForTimeout(200);
    const before = await strokes();
    await flickStroke(300, 700);
    await expect.poll(strokes).toBe(before + 1);
    await send('touchStart', [{ x: 900, y: 300, id: 3 }, { x: 1100, y: 300, id: 4 }]);
    for (let i = 1; i <= 8; i++) {
      await sleep(20);
      await send('touchMove', [{ x: 900 + i * 10, y: 300 + i * 30, id: 3 }, { x: 1100 + i * 10, y: 300 + i * 30, id: 4 }]);
    }
    await send('touchEnd', []);
    await expect.poll(strokes).toBe(before + 3);
  });
});
