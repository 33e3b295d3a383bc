// 冻结画面 over a playing lesson video: the class sees the still while the teacher
// talks, so the video waits at that frame, silent, and plays on from there when the
// freeze is closed (✕ or Esc). A video she had paused stays paused, and one whose
// lesson is left while frozen never plays on unseen.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTool } from './board-input';
import { shot, useBoardSession } from './harness';

const session = useBoardSession();
let page: Page;

/** The demo 大青树下的小学 lesson's 8 s video; its 学习任务单 (a PDF) comes next. */
const VIDEO_LESSON = '#/resource/cn.classboard.demo%2Fl-dqs-v1/video';
const FREEZE = '冻结画面';

const state = () =>
  page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('.app__content video')!;
    return { t: v.currentTime, paused: v.paused };
  });
const frozen = () => page.getByRole('dialog', { name: FREEZE }).count();

/** The video from `at` seconds, playing (as 播放 does), past `at` + 0.3 s. */
async function playFrom(at: number): Promise<void> {
  await page.locator('.app__content video').evaluate((v: HTMLVideoElement, s) => (v.currentTime = s), at);
  if ((await state()).paused) await page.getByRole('button', { name: '播放' }).click();
  await expect.poll(async () => (await state()).t, { timeout: 10_000 }).toBeGreaterThan(at + 0.3);
}

/** Opened over the playing video: its second must not move for a while. Returns that second. */
async function freezeHolds(): Promise<number> {
  await openTool(page, FREEZE);
  const start = await state();
  await page.waitForTimeout(1200);
  const later = await state();
  expect(later.paused).toBe(true);
  expect(later.t - start.t).toBeLessThan(0.05);
  return later.t;
}

/** Keeps the lesson's video element, to ask it after it has left the page, and counts its starts from now. */
const watchVideo = () =>
  page.evaluate(() => {
    const w = window as unknown as { watched: HTMLVideoElement; plays: number };
    w.watched = document.querySelector('.app__content video')!;
    w.plays = 0;
    w.watched.addEventListener('play', () => w.plays++);
  });
const watched = () =>
  page.evaluate(() => {
    const { watched: v, plays } = window as unknown as { watched: HTMLVideoElement; plays: number };
    return { connected: v.isConnected, paused: v.paused, t: v.currentTime, plays };
  });

async function openVideoLesson(): Promise<void> {
  await page.goto(session.hub.url);
  await page.getByRole('button', { name: '工具' }).waitFor();
  await page.evaluate((h) => (window.location.hash = h), VIDEO_LESSON);
  await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('.app__content video')?.readyState ?? 0) >= 2, null, { timeout: 20_000 });
}

beforeAll(async () => {
  page = session.page;
  await openVideoLesson();
});

describe('冻结画面 over a lesson video', () => {
  it('holds a playing video at the frozen frame, and ✕ plays it on from there', async () => {
    await playFrom(0);
    const held = await freezeHolds();
    await shot(page, 'freeze-video-held');
    await page.getByRole('button', { name: `关闭${FREEZE}` }).click();
    await expect.poll(frozen).toBe(0);
    // On from the frozen second, not from where it would have run to behind the still.
    const after = await state();
    expect(after.paused).toBe(false);
    expect(after.t).toBeLessThan(held + 0.5);
    await expect.poll(async () => (await state()).t).toBeGreaterThan(held + 0.3);
  });

  it('closed by Esc, it plays on the same way, and the lesson stays', async () => {
    await playFrom(1);
    const held = await freezeHolds();
    await page.keyboard.press('Escape');
    await expect.poll(frozen).toBe(0);
    expect(page.url()).toContain(VIDEO_LESSON);
    await expect.poll(async () => (await state()).t).toBeGreaterThan(held + 0.3);
  });

  it('a video she had paused stays paused, and Space behind the still does not start it', async () => {
    await playFrom(1);
    await page.getByRole('button', { name: '暂停' }).click();
    await expect.poll(async () => (await state()).paused).toBe(true);
    const at = (await state()).t;
    await watchVideo();
    await openTool(page, FREEZE);
    await page.keyboard.press(' ');
    await page.waitForTimeout(800);
    // Not even a moment of its sound.
    expect(await watched()).toEqual({ connected: true, paused: true, t: at, plays: 0 });
    await page.getByRole('button', { name: `关闭${FREEZE}` }).click();
    await expect.poll(frozen).toBe(0);
    await page.waitForTimeout(800);
    expect(await state()).toEqual({ t: at, paused: true });
  });

  it('the clicker stepping on to the next resource while frozen: the video left behind stays silent', async () => {
    await playFrom(0);
    await watchVideo();
    const held = await freezeHolds();
    await page.keyboard.press('PageDown');
    await expect.poll(() => page.url()).toContain('l-dqs-rw');
    await page.keyboard.press('Escape');
    await expect.poll(frozen).toBe(0);
    await page.waitForTimeout(800);
    expect(await watched()).toEqual({ connected: false, paused: true, t: held, plays: 0 });
  });

  it('the lesson left while frozen (the browser’s back): no sound from it, and back in it the video waits at the frozen second', async () => {
    await openVideoLesson();
    await playFrom(0);
    await watchVideo();
    const held = await freezeHolds();
    await page.goBack();
    await expect.poll(() => page.url()).not.toContain('#/resource/');
    await expect.poll(frozen).toBe(0);
    await page.waitForTimeout(800);
    expect(await watched()).toEqual({ connected: false, paused: true, t: held, plays: 0 });
    await page.goForward();
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('.app__content video')?.readyState ?? 0) >= 1, null, { timeout: 20_000 });
    await expect.poll(async () => (await state()).t).toBeCloseTo(held, 1);
    expect((await state()).paused).toBe(true);
  });
});
