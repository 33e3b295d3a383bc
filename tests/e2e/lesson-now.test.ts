// 现在下载这节课 at the board: today's first-period lesson, kept offline but not
// downloaded yet, is fetched from its notice with progress on the notice, and then
// shows, without the teacher leaving the page. A feed on a real nginx, the hub
// (the built CLI) capped at 2 Mbit/s, Chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import { writeFeed } from '../../main/feed/write';
import { schoolWeekday } from '../../main/library/timetable';
import type { Nginx } from '../fixtures/nginx';
import { hubApi, shot, type RunningHub } from './harness';
import { admin, startSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-now');
const F = 'cn.test.now';
// A real 1×1 PNG, padded to 600 KB (bytes after IEND are ignored): at 2 Mbit/s about 2.4 s, so the bar is seen on its way.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const IMAGE = Buffer.concat([PNG, Buffer.alloc(600 * 1024 - PNG.length, 7)]);
const OTHER = Buffer.alloc(200 * 1024, 9);
let tmp: string;
let nginx: Nginx;
let hub: RunningHub;
let browser: Browser;
let page: Page;

const api = (channel: string, req: unknown) => hubApi(hub, channel, req);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-now-'));
  await writeFeed(path.join(tmp, 'www', 'feed'), {
    id: F,
    title: '市教育云',
    revision: 1,
    signingKey: key,
    shards: [
      {
        path: 'shards/a.json',
        nodes: [
          { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
          { id: 'l1', parent: 'xx', kind: 'lesson', title: '分数的初步认识', order: 1 },
        ],
        resources: [
          { id: 'r1', node: 'l1', type: 'image', title: '分数 板书', files: [{ role: 'main', sha256: sha256Hex(IMAGE), size: IMAGE.length, mime: 'image/png' }] },
          { id: 'r2', node: 'l1', type: 'video', title: '分数 微课', files: [{ role: 'main', sha256: sha256Hex(OTHER), size: OTHER.length, mime: 'video/mp4', height: 720 }] },
        ],
      },
    ],
    blobs: [{ source: IMAGE }, { source: OTHER }],
  });
  // No schedule (the fixture's): whatever the clock says, only the button fetches anything.
  ({ nginx, hub, browser, page } = await startSyncBoard({ www: path.join(tmp, 'www'), data: path.join(tmp, 'data'), key, prepare: (data) => admin(data, 'settings', '--rate', '2mbit') }));
  await api('timetable:set', {
    entries: [{ weekday: schoolWeekday(), period: 1, starts: '08:00', ends: '08:40', className: '三(1)班', resourceId: `${F}/r1` }],
  });
});
afterAll(() => stopSyncBoard({ browser, hub, nginx }, tmp));

describe('a lesson not downloaded yet', () => {
  it('is fetched now from its notice, with progress there, and then shows', async () => {
    await page.goto(`${hub.url}#/resource/${encodeURIComponent(`${F}/r1`)}/image`);
    await expect.poll(() => page.getByText(/这个资源还没有下载到本机/).count()).toBe(1);
    // Tonight is after 第 1 节: the notice no longer only promises tonight.
    expect(await page.getByText(/今晚同步后即可使用/).count()).toBe(0);
    await page.getByRole('button', { name: '现在下载这节课' }).click();

    const bar = page.getByRole('progressbar', { name: '现在下载这节课' });
    await expect.poll(async () => Number((await bar.getAttribute('aria-valuenow', { timeout: 5000 }).catch(() => null)) ?? -1), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByText(/^正在下载：\d+(\.\d)? (KB|MB) \/ 600 KB$/).count()).toBe(1);
    await shot(page, 'lesson-fetch-now');

    // Done: the same page shows the image, no navigation.
    const img = page.locator('img.stage__image');
    await expect.poll(() => img.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
    expect(await page.getByText(/这个资源还没有下载到本机/).count()).toBe(0);
    expect(page.url()).toContain(`#/resource/${encodeURIComponent(`${F}/r1`)}`);

    // Only that resource came: the lesson's video is still not downloaded.
    const other = await api('library:resource', { id: `${F}/r2` });
    expect(other.value.files[0].cached).toBe(false);
    const mine = await api('library:resource', { id: `${F}/r1` });
    expect(mine.value.files[0].cached).toBe(true);
  });

  it('says what to do when the server cannot be reached', async () => {
    await nginx.stop();
    nginx = undefined as unknown as Nginx;
    await page.goto(`${hub.url}#/resource/${encodeURIComponent(`${F}/r2`)}/video`);
    await page.getByRole('button', { name: '现在下载这节课' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 }).toContain('连不上资源服务器');
    expect(await page.getByRole('button', { name: '重新下载' }).count()).toBe(1);
    await shot(page, 'lesson-fetch-failed');
  }, 45_000);
});
