// 撤销 of 清屏 brings every stroke back on screen at once; it must be saved at once
// too. Restored stroke by stroke (one request each, in turn), a reload straight
// after the tap kept only the first: 4 strokes before the reload, 1–3 after.
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBoardSession } from './harness';
import { inkLive, inkStrokeCount, touchLine } from './board-input';

const session = useBoardSession();
let page: Page;
let cdp: CDPSession;

const line = (id: number, x: number, y: number, dx: number) => touchLine(cdp, id, x, y, dx);
const live = () => inkLive(page);
const strokeCount = () => inkStrokeCount(page);

async function openImageLesson() {
  await page.goto(session.hub.url);
  await page.getByRole('searchbox').fill('板书图');
  await page.getByRole('button', { name: /三角形的内角和·板书图/ }).click();
  await live().waitFor();
}

/** Taps a toolbar button and reloads in the same task: no time for a second request. */
async function tapThenReload(name: string): Promise<number> {
  const shown = await page.evaluate((label) => {
    (document.querySelector(`button[aria-label="${label}"]`) as HTMLButtonElement).click();
    const n = Number(document.querySelector('canvas.ink-layer__live')!.getAttribute('data-stroke-count'));
    location.reload();
    return n;
  }, name);
  await page.waitForLoadState('load');
  await live().waitFor();
  return shown;
}

async function pen() {
  const button = page.getByRole('button', { name: '笔', exact: true });
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
}

beforeAll(async () => {
  page = session.page;
  cdp = await page.context().newCDPSession(page);
});

describe('ink saved as it is shown', () => {
  it('keeps every stroke 撤销 of 清屏 brought back when the page reloads at once', async () => {
    await openImageLesson();
    await pen();
    for (let i = 0; i < 4; i++) await line(i + 1, 300, 300 + i * 100, 500);
    await expect.poll(strokeCount).toBe(4);
    await expect.poll(() => live().getAttribute('data-unsaved')).toBe('0');

    await page.getByRole('button', { name: '清屏' }).click();
    await expect.poll(strokeCount).toBe(0);
    await expect.poll(() => live().getAttribute('data-unsaved')).toBe('0');

    expect(await tapThenReload('撤销')).toBe(4);
    await expect.poll(strokeCount).toBe(4);
  });

  it('keeps a redo of 清屏 (all strokes gone) across an immediate reload', async () => {
    await pen();
    await page.getByRole('button', { name: '清屏' }).click();
    await expect.poll(strokeCount).toBe(0);
    await expect.poll(() => live().getAttribute('data-unsaved')).toBe('0');
    // After the reload the history is fresh, so draw, clear, undo, redo here.
    for (let i = 0; i < 3; i++) await line(i + 11, 300, 300 + i * 100, 500);
    await expect.poll(strokeCount).toBe(3);
    await page.getByRole('button', { name: '清屏' }).click();
    await page.getByRole('button', { name: '撤销' }).click();
    await expect.poll(strokeCount).toBe(3);
    await expect.poll(() => live().getAttribute('data-unsaved')).toBe('0');
    expect(await tapThenReload('重做')).toBe(0);
    await expect.poll(strokeCount).toBe(0);
  });

  it('saves fast strokes queued behind a slow save when the page is closed at once', async () => {
    await pen();
    // A slow network: the first stroke's save is still in flight when the others end.
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 800, downloadThroughput: -1, uploadThroughput: -1 });
    for (let i = 0; i < 3; i++) await line(i + 21, 300, 300 + i * 100, 500);
    expect(await strokeCount()).toBe(3);
    await page.evaluate(() => location.reload());
    await page.waitForLoadState('load');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.waitForTimeout(2000); // the saves sent on pagehide land
    await page.reload();
    await live().waitFor();
    await expect.poll(strokeCount).toBe(3);
  });
});
