// Which tool the finger is, at a glance, and a second tap on 笔 never puts it down.
// Teachers tap 笔 again to make sure it is on; it used to turn the pen off, with
// nothing on screen to say so, and the next stroke wrote nothing. 浏览 (the finger
// works the page: scroll the PDF, play the video) is a button of its own, pressed
// whenever no pen is.
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inkStrokeCount, openPdfLesson, touchLine } from './board-input';
import { shot, useBoardSession } from './harness';

const session = useBoardSession();
let page: Page;
let cdp: CDPSession;

const browse = () => page.getByRole('button', { name: /^浏览/ });
const pen = () => page.getByRole('button', { name: '笔', exact: true });
const pressed = async () => ({ browse: await browse().getAttribute('aria-pressed'), pen: await pen().getAttribute('aria-pressed') });
/** The button's fill: the mode on must read from the back of the room, not only to a screen reader. */
const fill = (which: () => ReturnType<Page['getByRole']>) => which().evaluate((b) => getComputedStyle(b).backgroundColor);
const pageTop = () => page.locator('canvas.pdf-page').evaluate((c) => c.getBoundingClientRect().top);

beforeAll(async () => {
  page = session.page;
  cdp = await page.context().newCDPSession(page);
});

describe('the ink toolbar says which mode the finger is in', () => {
  it('opens a lesson in 浏览, shown pressed, and a finger works the page', async () => {
    await openPdfLesson(page, session.hub);
    expect(await pressed()).toEqual({ browse: 'true', pen: 'false' });
    expect(await fill(browse)).not.toBe(await fill(pen));
    await page.getByRole('button', { name: '适合宽度' }).click();
    await expect.poll(() => page.locator('canvas.pdf-page').getAttribute('data-rendered-page')).toBe('1');
    const box = (await page.locator('.lesson__stage').boundingBox())!;
    const before = await pageTop();
    const n = await inkStrokeCount(page);
    // A finger dragging up over the page scrolls it, and writes nothing.
    const at = (i: number) => [{ id: 1, x: box.x + box.width / 2, y: box.y + box.height * 0.7 - 30 * i, radiusX: 2, radiusY: 2, force: 0.5 }];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
    for (let i = 1; i <= 10; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(i) });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect.poll(async () => before - (await pageTop())).toBeGreaterThan(150);
    expect(await inkStrokeCount(page)).toBe(n);
  });

  it('a second tap on 笔 keeps the pen on, and the finger writes', async () => {
    await pen().click();
    expect(await pressed()).toEqual({ browse: 'false', pen: 'true' });
    await pen().click();
    expect(await pressed()).toEqual({ browse: 'false', pen: 'true' });
    const box = (await page.locator('.lesson__stage').boundingBox())!;
    const n = await inkStrokeCount(page);
    await touchLine(cdp, 2, box.x + box.width / 2 - 150, box.y + box.height / 2, 300);
    await expect.poll(() => inkStrokeCount(page)).toBe(n + 1);
    expect(await fill(pen)).not.toBe(await fill(browse));
    await shot(page, 'ink-mode-pen-after-second-tap');
  });

  it('浏览 puts the pen down, shows it, and the finger writes nothing', async () => {
    await browse().click();
    expect(await pressed()).toEqual({ browse: 'true', pen: 'false' });
    await browse().click();
    expect(await pressed()).toEqual({ browse: 'true', pen: 'false' });
    const box = (await page.locator('.lesson__stage').boundingBox())!;
    const n = await inkStrokeCount(page);
    await touchLine(cdp, 3, box.x + box.width / 2 - 150, box.y + box.height / 2, 300);
    await page.waitForTimeout(300);
    expect(await inkStrokeCount(page)).toBe(n);
    await shot(page, 'ink-mode-browse');
  });
});
