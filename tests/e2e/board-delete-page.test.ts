// 删除本页 sits right under 新建一页 on the board's page column: a mis-tap must not
// take a page of ink with it. A page with ink asks first (取消 keeps it, as Esc
// does); an empty page goes at once; a page deleted on purpose takes its ink out
// of the library too.
import type { CDPSession, Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubApi, shot, useBoardSession, type RunningHub } from './harness';

const session = useBoardSession();
let hub: RunningHub;
let page: Page;
let cdp: CDPSession;

beforeAll(async () => {
  ({ hub, page } = session);
  cdp = await page.context().newCDPSession(page);
});

// Buttons are clicked: the first touch tap after writing can be lost in Chromium
// (the tester's s10-tap-after-swipe), which is not what these tests are about.
const tap = (target: Locator) => target.click();

async function write(x: number, y: number) {
  const send = (type: 'touchStart' | 'touchMove' | 'touchEnd', pts: { x: number; y: number }[]) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: pts.map((p) => ({ id: 1, radiusX: 2, radiusY: 2, force: 0.5, ...p })) });
  await send('touchStart', [{ x, y }]);
  for (let i = 1; i <= 8; i++) await send('touchMove', [{ x: x + i * 12, y: y + i * 30 }]);
  await send('touchEnd', []);
}

const strokes = () => page.locator('canvas.ink-layer__live').getAttribute('data-stroke-count').then(Number);
const pages = () => page.getByRole('button', { name: /^第 \d+ 页$/ }).count();
const confirm = () => page.getByRole('alertdialog', { name: '删除这一页？' });
const deleteButton = () => page.getByRole('button', { name: '删除本页' });

async function addPage(name: string, template: string) {
  await tap(page.getByRole('button', { name: '新建一页' }));
  await tap(page.getByRole('dialog', { name: '新建一页' }).getByRole('button', { name, exact: true }));
  await page.locator(`canvas.board-page__paper[data-template="${template}"]`).waitFor();
}

const currentPageId = () =>
  page.evaluate(() => {
    const list = JSON.parse(localStorage.getItem('classboard.board.pages') ?? '[]') as { id: string }[];
    const n = Number(document.querySelector('.board__thumb[aria-current="true"]')?.textContent);
    return list[n - 1]!.id;
  });

describe('deleting a board page', () => {
  let inked = '';

  it('asks before deleting a page with ink; 取消 and Esc keep the page and its ink', async () => {
    await page.goto(`${hub.url}#/board`);
    await page.locator('canvas.board-page__paper').waitFor();
    await addPage('米字格', 'mizige');
    for (let i = 0; i < 5; i++) await write(300 + i * 150, 300);
    await expect.poll(strokes).toBe(5);
    await expect.poll(() => page.locator('canvas.ink-layer__live').getAttribute('data-unsaved')).toBe('0');
    inked = await currentPageId();

    await tap(deleteButton());
    await expect.poll(() => confirm().isVisible()).toBe(true);
    expect(await confirm().innerText()).toContain('页面上的笔迹会一起删除');
    await shot(page, 'board-delete-confirm');
    // Large enough to tap at the board, and not under the － just tapped (a double tap must not delete).
    const yes = confirm().getByRole('button', { name: '删除', exact: true });
    const no = confirm().getByRole('button', { name: '取消', exact: true });
    for (const b of [yes, no]) expect((await b.boundingBox())!.height).toBeGreaterThanOrEqual(64);
    const minus = (await deleteButton().boundingBox())!;
    const yesBox = (await yes.boundingBox())!;
    expect(yesBox.x + yesBox.width < minus.x || yesBox.y > minus.y + minus.height || yesBox.y + yesBox.height < minus.y).toBe(true);

    await tap(no);
    await expect.poll(() => confirm().count()).toBe(0);
    expect(await pages()).toBe(2);
    expect(await strokes()).toBe(5);

    await tap(deleteButton());
    await expect.poll(() => confirm().isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => confirm().count()).toBe(0);
    expect(page.url()).toContain('#/board');
    expect(await pages()).toBe(2);
    expect(await strokes()).toBe(5);
  });

  it('删除 in the question deletes the page and its ink', async () => {
    await tap(deleteButton());
    await tap(confirm().getByRole('button', { name: '删除', exact: true }));
    await expect.poll(pages).toBe(1);
    await expect.poll(() => confirm().count()).toBe(0);
    await page.locator('canvas.board-page__paper[data-template="green"]').waitFor();
    await expect.poll(async () => (await hubApi(hub, 'annotations:list', { target: 'board:free', page: inked })).value.strokes.length).toBe(0);
  });

  it('deletes an empty page at once', async () => {
    await addPage('田字格', 'tianzige');
    expect(await pages()).toBe(2);
    await tap(deleteButton());
    await expect.poll(pages).toBe(1);
    expect(await confirm().count()).toBe(0);
  });

  it('Esc closes the 新建一页 sheet and stays on the board', async () => {
    const before = await pages();
    await tap(page.getByRole('button', { name: '新建一页' }));
    await page.getByRole('dialog', { name: '新建一页' }).waitFor();
    await page.keyboard.press('Escape');
    // Before: Esc also left the board for the page before it.
    await expect.poll(() => page.getByRole('dialog', { name: '新建一页' }).count()).toBe(0);
    expect(new URL(page.url()).hash).toBe('#/board');
    expect(await pages()).toBe(before);
  });
});
