// A teacher with a presentation clicker (PageUp/PageDown) in one lesson, outside a
// plan: a video, a three-page 学习任务单 and a 板书图. PageDown walks through the
// PDF's pages and on; PageUp walks the same way back. And a lesson that shows only
// "not downloaded" is not class time: the sync that would fetch it is not slowed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import type { ShardNode, ShardResource } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import { cliIn } from '../fixtures/cli';
import type { Nginx } from '../fixtures/nginx';
import { hubApi, shot, type RunningHub } from './harness';
import { startSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-lesson-keys');
const F = 'cn.test.keys';
const demoBlob = (sha: string) => path.resolve('assets/demo-feed/blobs', sha.slice(0, 2), sha);
// The demo library's 360p clip, three-page task sheet and board image.
const VIDEO = '60686c4f47d3bbff9d7bfdeaf08f762bef4719840ebdf1c0ea0ca1cddcd9d49c';
const PDF = 'bb3fdc0bde0ba17585787f0aaaabd8e74998c5d2a95184f2c15c0a3da9de508c';
const IMAGE = '35c274353d8942eff089b4e315108dfb143ea077044b8108a7e001078dc8ecc8';
let tmp: string;
let nginx: Nginx;
let hub: RunningHub;
let browser: Browser;
let page: Page;

async function mode(): Promise<string> {
  return (await hubApi(hub, 'sync:status', {})).value.mode;
}
/** The "not downloaded" notice, whatever it goes on to offer. */
const notice = () => page.getByText(/^这个资源还没有下载到本机/);
const open = (id: string, type: string) => page.goto(`${hub.url}#/resource/${encodeURIComponent(`${F}/${id}`)}/${type}`);

/** What the stage shows: 'video', 'image', 'pdf N' (the page rendered and labelled), or '?' in between. */
async function at(): Promise<string> {
  const id = decodeURIComponent(/#\/resource\/([^/]+)/.exec(page.url())?.[1] ?? '');
  const stage = page.locator('.lesson__stage');
  if (id === `${F}/r1` && (await stage.locator('video').count()) === 1) return 'video';
  if (id === `${F}/r3` && (await stage.locator('img.stage__image').count()) === 1) return 'image';
  if (id === `${F}/r2`) {
    const n = await stage.locator('canvas.pdf-page').getAttribute('data-rendered-page', { timeout: 500 }).catch(() => null);
    if (n && (await stage.getByText(`第 ${n} / 3 页`).count()) === 1) return `pdf ${n}`;
  }
  return '?';
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-keys-'));
  const nodes: ShardNode[] = [
    { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
    { id: 'l1', parent: 'xx', kind: 'lesson', title: '大青树下的小学', order: 1 },
    { id: 'l2', parent: 'xx', kind: 'lesson', title: '秋天的雨', order: 2 },
  ];
  // r4's file is not on the server: the night's sync fails it, so its lesson shows only "not downloaded".
  const missing = crypto.randomBytes(64 * 1024);
  const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
  // A lesson lists its resources in the shard's order: video, PDF, image.
  const resources: ShardResource[] = [
    { id: 'r1', node: 'l1', type: 'video', title: '课文朗读', files: [{ role: 'main', sha256: VIDEO, size: fs.statSync(demoBlob(VIDEO)).size, mime: 'video/mp4', height: 360 }] },
    { id: 'r2', node: 'l1', type: 'pdf', title: '学习任务单', files: [{ role: 'main', sha256: PDF, size: fs.statSync(demoBlob(PDF)).size, mime: 'application/pdf' }] },
    { id: 'r3', node: 'l1', type: 'image', title: '板书图', files: [{ role: 'main', sha256: IMAGE, size: fs.statSync(demoBlob(IMAGE)).size, mime: 'image/jpeg' }] },
    { id: 'r4', node: 'l2', type: 'video', title: '秋天的雨（第一课时）', files: [{ role: 'main', sha256: sha(missing), size: missing.length, mime: 'video/mp4', height: 360 }] },
  ];
  await writeFeed(path.join(tmp, 'www', 'feed'), {
    id: F,
    title: '市教育云',
    revision: 1,
    signingKey: key,
    shards: [{ path: 'shards/a.json', nodes, resources }],
    blobs: [VIDEO, PDF, IMAGE].map((s) => ({ source: demoBlob(s) })),
  });
  const prepare = async (data: string) => {
    // Exits 2 for the one file the server lacks; the other three are downloaded.
    const r = await cliIn(data, 'sync', '--now');
    if (r.code !== 0 && r.code !== 2) throw new Error(`classboard sync --now exited ${r.code}:\n${r.stdout}${r.stderr}`);
  };
  ({ nginx, hub, browser, page } = await startSyncBoard({ www: path.join(tmp, 'www'), data: path.join(tmp, 'data'), key, prepare }));
});
afterAll(() => stopSyncBoard({ browser, hub, nginx }, tmp));

describe("a lesson's resources with a clicker", () => {
  it('PageDown turns the PDF pages and moves on past the last; PageUp undoes it, back to the video', async () => {
    await open('r1', 'video');
    await expect.poll(at, { timeout: 20_000 }).toBe('video');
    // The video plays before the lesson's list of resources has loaded; the walk starts once it has.
    await page.locator('.lesson__list').waitFor();
    const press = async (k: 'PageDown' | 'PageUp', expected: string) => {
      await page.keyboard.press(k);
      await expect.poll(at, { timeout: 20_000, message: `${k} → ${expected}` }).toBe(expected);
    };
    for (const where of ['pdf 1', 'pdf 2', 'pdf 3', 'image']) await press('PageDown', where);
    await shot(page, 'lesson-keys-image');
    // The end of the lesson: PageDown stays.
    await page.keyboard.press('PageDown');
    await page.waitForTimeout(500);
    expect(await at()).toBe('image');
    // Back into the PDF where it was left (its last page), then page by page to the video.
    for (const where of ['pdf 3', 'pdf 2', 'pdf 1', 'video']) await press('PageUp', where);
    await page.keyboard.press('PageUp');
    await page.waitForTimeout(500);
    expect(await at()).toBe('video');
    // Forward again from the video, the PDF opens on its first page.
    await press('PageDown', 'pdf 1');
  });

  it('the video comes back where it was left after the courseware, and after leaving the lesson', async () => {
    await open('r1', 'video');
    await expect.poll(at, { timeout: 20_000 }).toBe('video');
    await page.locator('.lesson__list').waitFor();
    const stage = page.locator('.lesson__stage');
    const state = () =>
      stage.locator('video').evaluate((v: HTMLVideoElement) => ({ ready: v.readyState >= 1, at: Math.round(v.currentTime * 10) / 10, paused: v.paused }));
    // Play, pause, then seek to 2.5 s.
    await stage.getByRole('button', { name: '播放' }).click();
    await expect.poll(async () => (await state()).at, { timeout: 20_000 }).toBeGreaterThan(0.3);
    await stage.getByRole('button', { name: '暂停' }).click();
    await stage.locator('video').evaluate(
      (v: HTMLVideoElement) =>
        new Promise<void>((done) => {
          v.addEventListener('seeked', () => done(), { once: true });
          v.currentTime = 2.5;
        }),
    );
    // To the courseware in the lesson's list and back: not reloaded, so it is the app that keeps the place.
    const tap = (title: string) => page.locator('.lesson__list').getByRole('button', { name: title }).click();
    await tap('学习任务单');
    await expect.poll(at, { timeout: 20_000 }).toBe('pdf 1');
    await tap('课文朗读');
    await expect.poll(at, { timeout: 20_000 }).toBe('video');
    await expect.poll(state, { timeout: 10_000 }).toEqual({ ready: true, at: 2.5, paused: true });
    await expect.poll(() => page.locator('.player-bar__time').first().textContent(), { timeout: 5000 }).toBe('0:02');

    // Left while playing (another lesson, then back): it comes back paused where it was, not at 0:00.
    await stage.getByRole('button', { name: '播放' }).click();
    await expect.poll(async () => (await state()).at, { timeout: 20_000 }).toBeGreaterThan(3);
    await page.evaluate((id) => (location.hash = `#/resource/${encodeURIComponent(id)}/video`), `${F}/r4`);
    await expect.poll(() => notice().count(), { timeout: 10_000 }).toBe(1);
    await page.evaluate((id) => (location.hash = `#/resource/${encodeURIComponent(id)}/video`), `${F}/r1`);
    await expect.poll(at, { timeout: 20_000 }).toBe('video');
    await expect.poll(async () => (await state()).ready, { timeout: 10_000 }).toBe(true);
    const back = await state();
    expect(back.paused).toBe(true);
    expect(back.at).toBeGreaterThan(3);
  });

  it('holds "presenting" only while something is shown, not on the not-downloaded notice', async () => {
    await page.goto(hub.url);
    await expect.poll(mode, { timeout: 5000 }).not.toBe('presenting');
    // A tapped video that is not here: only the notice shows, and the sync is not slowed.
    await open('r4', 'video');
    await expect.poll(() => notice().count(), { timeout: 10_000 }).toBe(1);
    for (let i = 0; i < 5; i++) {
      expect(await mode()).not.toBe('presenting');
      await page.waitForTimeout(400);
    }
    await shot(page, 'lesson-keys-not-downloaded');
    // A ready video is class time.
    await open('r1', 'video');
    await expect.poll(at, { timeout: 20_000 }).toBe('video');
    await expect.poll(mode, { timeout: 5000 }).toBe('presenting');
    // Back to the notice: presenting ends after the short grace, not after the 90 s lease.
    await open('r4', 'video');
    await expect.poll(() => notice().count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(mode, { timeout: 5000 }).not.toBe('presenting');
  });
});
