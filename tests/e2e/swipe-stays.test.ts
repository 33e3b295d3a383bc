// A finger sweeping sideways over a lesson (pointing along the picture while the
// video plays, a sleeve brushing the empty side panel) must not be the
// browser's "back" gesture: the class stays in the lesson. A tap on the playing
// picture pauses it, as a teacher expects; a sweep leaves it playing.
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { touchLine } from './board-input';
import { shot, useBoardSession } from './harness';

const session = useBoardSession();
let page: Page;
let cdp: CDPSession;

const VIDEO_LESSON = '#/resource/cn.classboard.demo%2Fl-fs-v1/video';
const video = () => page.locator('.lesson__stage video');
const playing = () => video().evaluate((v: HTMLVideoElement) => !v.paused && !v.ended);

beforeAll(async () => {
  page = session.page;
  cdp = await page.context().newCDPSession(page);
});

/** Home, then the video lesson (so there is a page behind it to go back to), playing. */
async function openPlaying(): Promise<string> {
  await page.goto(session.hub.url);
  await page.getByRole('button', { name: '工具' }).waitFor();
  await page.evaluate((h) => (window.location.hash = h), VIDEO_LESSON);
  await video().waitFor();
  await page.getByRole('button', { name: '播放' }).click();
  await expect.poll(() => video().evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0.3);
  return page.url();
}

/** A left-to-right sweep at (x, y) over `dx` px; then long enough for a history navigation to have happened. */
async function sweep(x: number, y: number, dx: number): Promise<void> {
  await touchLine(cdp, 1, x, y, dx);
  await page.waitForTimeout(800);
}

describe('a sideways finger sweep in a lesson', () => {
  it('over the playing video: the lesson stays and keeps playing', async () => {
    const url = await openPlaying();
    await sweep(500, 400, 500);
    expect(page.url()).toBe(url);
    expect(await video().count()).toBe(1);
    expect(await playing()).toBe(true);
    // And the other way, from near the right edge.
    await touchLine(cdp, 1, 1300, 400, -500);
    await page.waitForTimeout(800);
    expect(page.url()).toBe(url);
    await shot(page, 'swipe-stays-video');
  });

  it('over the empty part of the side panel: the lesson stays', async () => {
    const url = await openPlaying();
    const list = (await page.locator('.lesson__list').boundingBox())!;
    // Below its rows: the empty part of the panel.
    const y = list.y + list.height - 40;
    expect(await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.closest('.row') ?? null, [list.x + 20, y])).toBeNull();
    await sweep(list.x + 10, y, list.width - 20);
    expect(page.url()).toBe(url);
    expect(await video().count()).toBe(1);
  });

  it('a tap on the playing picture pauses it (paused, the picture is the ink layer\'s; ▶ plays on)', async () => {
    const url = await openPlaying();
    await page.touchscreen.tap(700, 400);
    await expect.poll(playing).toBe(false);
    expect(page.url()).toBe(url);
  });
});
