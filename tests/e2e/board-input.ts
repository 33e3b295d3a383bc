// What the e2e tests do at the board, in one place: a finger's straight stroke,
// the ink layer's stroke count, the demo PDF lesson and a classroom tool opened.
import type { CDPSession, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RunningHub } from './harness';

/** One finger (touch id `id`) drawing a horizontal line of `dx` px from (x, y), in ten moves. */
export async function touchLine(cdp: CDPSession, id: number, x: number, y: number, dx: number): Promise<void> {
  const at = (i: number) => [{ id, x: x + (dx * i) / 10, y, radiusX: 2, radiusY: 2, force: 0.5 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
  for (let i = 1; i <= 10; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(i) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** The ink layer's live canvas, which says how many strokes it shows and how many changes are unsaved. */
export const inkLive = (page: Page) => page.locator('canvas.ink-layer__live');
export const inkStrokeCount = (page: Page) => inkLive(page).getAttribute('data-stroke-count').then(Number);

/** The demo library's three-page 学习任务单. */
export const PDF_LESSON = '#/resource/cn.classboard.demo%2Fl-dqs-rw/pdf';

/** Home, then into the PDF lesson, as a tap on the timetable does (so there is a page to go back to); waits for its first page. */
export async function openPdfLesson(page: Page, hub: RunningHub): Promise<void> {
  await page.goto(hub.url);
  await page.getByRole('button', { name: '工具' }).waitFor();
  await page.evaluate((h) => (window.location.hash = h), PDF_LESSON);
  await expect.poll(() => page.locator('canvas.pdf-page').getAttribute('data-rendered-page', { timeout: 1000 }).catch(() => null), { timeout: 20_000 }).toBe('1');
}

/** A classroom tool from the bottom bar's 工具 menu, open. */
export async function openTool(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: '工具' }).click();
  await page.getByRole('menuitem', { name }).click();
  await page.getByRole('dialog', { name }).waitFor();
}
