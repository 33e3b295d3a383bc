// 现在下载这节课 on a lesson's page whose fetch ends with the lesson still not
// whole: here the IT admin raised the classroom's rendition to 1080p while the
// 720p video came, so the lesson now wants its 1080p copy. Before, the notice
// above the lesson's list read 已下载，正在打开… for good, with nothing to tap; now
// it says the download ended and what is still missing, and 重新下载 brings it.
// The 720p copy is held at its server (a real HTTP server on 127.0.0.1) until the
// rendition has changed, so the fetch is on its way then on any machine; the feed
// on a real nginx, the hub (the built CLI), Chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import type { HoldingServer } from '../fixtures/holding-server';
import type { Nginx } from '../fixtures/nginx';
import { hubApi, shot, type RunningHub } from './harness';
import { admin, startHeldSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-lesson-ended');
const F = 'cn.test.lessonended';
const VIDEO_1080 = Buffer.alloc(300 * 1024, 8);
const VIDEO_720 = Buffer.alloc(200 * 1024, 7);
const VIDEO_480 = Buffer.alloc(100 * 1024, 6);
// A real 1×1 PNG, padded (bytes after IEND are ignored): the page shows it while the video is missing.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const IMAGE = Buffer.concat([PNG, Buffer.alloc(20 * 1024, 3)]);
let tmp: string;
let blobs: HoldingServer;
let nginx: Nginx;
let hub: RunningHub;
let browser: Browser;
let page: Page;

const api = (channel: string, req: unknown) => hubApi(hub, channel, req);
const file = (b: Buffer, mime: string, height?: number) => ({ role: 'main', sha256: sha256Hex(b), size: b.length, mime, ...(height ? { height } : {}) });
const waiting = async (): Promise<string[]> => (await api('library:waiting', { id: `${F}/r2` })).value.waiting.map((w: { title: string }) => w.title);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-lesson-ended-'));
  ({ nginx, hub, browser, page, blobs } = await startHeldSyncBoard({
    tmp,
    key,
    files: [VIDEO_1080, VIDEO_720, VIDEO_480, IMAGE],
    feed: {
      id: F,
      title: '市教育云',
      revision: 1,
      shards: [
        {
          path: 'shards/a.json',
          nodes: [
            { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
            { id: 'l1', parent: 'xx', kind: 'lesson', title: '分数的初步认识', order: 1 },
          ],
          resources: [
            {
              id: 'r1',
              node: 'l1',
              type: 'video',
              title: '分数 微课',
              files: [file(VIDEO_1080, 'video/mp4', 1080), file(VIDEO_720, 'video/mp4', 720), file(VIDEO_480, 'video/mp4', 480)],
            },
            { id: 'r2', node: 'l1', type: 'image', title: '分数 板书', files: [file(IMAGE, 'image/png')] },
          ],
        },
      ],
    },
    prepare: (data) => admin(data, 'settings', '--max-height', '480'),
  }));
}, 120_000);
afterAll(() => stopSyncBoard({ browser, hub, nginx, blobs }, tmp));

describe("the lesson page's 现在下载这节课 that ends with the lesson still not whole", () => {
  it('says the download ended and what is missing, and offers it again, which brings it', async () => {
    // The lesson as the classroom had it: its 480p video and its board image…
    expect((await api('sync:fetch', { id: `${F}/r2` })).ok).toBe(true);
    await expect.poll(waiting, { timeout: 20_000 }).toEqual([]);
    // …until the IT admin raised the rendition to 720p: the lesson wants its 720p copy now.
    expect((await api('sync:configure', { maxHeight: 720 })).ok).toBe(true);
    expect(await waiting()).toEqual(['分数 微课']);

    await page.goto(`${hub.url}#/resource/${encodeURIComponent(`${F}/r2`)}/image`);
    await expect.poll(() => page.locator('img.stage__image').count(), { timeout: 10_000 }).toBe(1);
    const notice = page.locator('.lesson__waiting');
    const said = () => notice.getByRole('status').allTextContents();
    await expect.poll(said).toEqual(['这节课还有 1 个资源没有下载到本机：分数 微课']);

    const held = blobs.hold(VIDEO_720);
    await notice.getByRole('button', { name: '现在下载这节课' }).click();
    // The 720p copy is on its way, held at its server: meanwhile the classroom's rendition goes up to 1080p.
    await held.asked;
    expect((await api('sync:configure', { maxHeight: 1080 })).ok).toBe(true);
    held.release();

    // The fetch ended (the 720p copy is in), the lesson's page loaded what it lacks again, and it is still short.
    await expect.poll(said, { timeout: 20_000 }).toEqual(['下载已结束，这节课还有 1 个资源没有下载到本机：分数 微课。可以点“重新下载”再试一次。']);
    expect((await api('library:resource', { id: `${F}/r1` })).value.files.find((f: { height: number }) => f.height === 720)).toMatchObject({ cached: true });
    // Not 已下载，正在打开… for good: the button is back, and the list still tags the video 未下载.
    expect(await notice.getByText('已下载，正在打开…').count()).toBe(0);
    const again = notice.getByRole('button', { name: '重新下载' });
    expect(await again.count()).toBe(1);
    expect(await notice.getByRole('button', { name: '现在下载这节课' }).count()).toBe(0);
    expect(await page.locator('.lesson__list').getByRole('button', { name: /^分数 微课/ }).textContent()).toContain('未下载');
    await shot(page, 'lesson-fetch-ended');

    await again.click();
    // The 1080p copy comes: the lesson is whole, the notice goes.
    await expect.poll(() => notice.count(), { timeout: 20_000 }).toBe(0);
    expect(await waiting()).toEqual([]);
    const r1 = await api('library:resource', { id: `${F}/r1` });
    expect(r1.value.files.find((f: { height: number }) => f.height === 1080)).toMatchObject({ cached: true });
    expect(await page.locator('.lesson__list').getByText('未下载').count()).toBe(0);
  });
});
