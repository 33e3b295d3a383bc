// 现在下载这节课 at the board: a lesson kept offline but not downloaded yet is
// fetched whole from the notice of any of its resources (its video, courseware
// and board image, not only the one on screen), with one progress on each of
// them, and then shows, without the teacher leaving the page; and a red period
// of 今日课表 is fetched from its own 下载 and turns green. A feed on a real
// nginx, the hub (the built CLI) capped at 2 Mbit/s, Chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import { writeFeed } from '../../main/feed/write';
import { schoolWeekday } from '../../main/library/timetable';
import { formatBytes } from '../../preload/contract';
import type { Nginx } from '../fixtures/nginx';
import { hubApi, shot, type RunningHub } from './harness';
import { admin, startSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-now');
const F = 'cn.test.now';
// A real 1×1 PNG, padded (bytes after IEND are ignored): at 2 Mbit/s 600 KB take about 2.4 s, so the bar is seen on its way.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const png = (kb: number, fill: number) => Buffer.concat([PNG, Buffer.alloc(kb * 1024 - PNG.length, fill)]);
const IMAGE = png(600, 7);
const VIDEO = Buffer.alloc(200 * 1024, 9);
// The demo library's three-page 学习任务单, so "it opens" is its first page painted; a 400 KB comment after
// its end makes it a file of its own (the hub's demo library has the demo's) still on its way when it is tapped.
const PDF = Buffer.concat([
  fs.readFileSync(path.resolve('assets/demo-feed/blobs/bb/bb3fdc0bde0ba17585787f0aaaabd8e74998c5d2a95184f2c15c0a3da9de508c')),
  Buffer.from(`\n% ${'x'.repeat(400 * 1024)}\n`),
]);
// 第 2 节's lesson, fetched from 今日课表: its board image (the period's) and a worksheet.
const IMAGE2 = png(400, 5);
const SHEET2 = Buffer.alloc(100 * 1024, 3);
// A lesson asked for with the server off.
const AWAY = Buffer.alloc(100 * 1024, 4);
let tmp: string;
let nginx: Nginx;
let hub: RunningHub;
let browser: Browser;
let page: Page;

const api = (channel: string, req: unknown) => hubApi(hub, channel, req);
const cached = async (id: string): Promise<boolean[]> => (await api('library:resource', { id: `${F}/${id}` })).value.files.map((f: { cached: boolean }) => f.cached);
const main = (b: Buffer, mime: string, height?: number) => [{ role: 'main', sha256: sha256Hex(b), size: b.length, mime, ...(height ? { height } : {}) }];

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
          { id: 'l2', parent: 'xx', kind: 'lesson', title: '几分之一', order: 2 },
          { id: 'l3', parent: 'xx', kind: 'lesson', title: '认识钟表', order: 3 },
        ],
        resources: [
          { id: 'r1', node: 'l1', type: 'image', title: '分数 板书', files: main(IMAGE, 'image/png') },
          { id: 'r2', node: 'l1', type: 'video', title: '分数 微课', files: main(VIDEO, 'video/mp4', 720) },
          { id: 'r3', node: 'l1', type: 'pdf', title: '分数 学习任务单', files: main(PDF, 'application/pdf') },
          { id: 'r4', node: 'l2', type: 'image', title: '几分之一 板书', files: main(IMAGE2, 'image/png') },
          { id: 'r5', node: 'l2', type: 'pdf', title: '几分之一 练习', files: main(SHEET2, 'application/pdf') },
          { id: 'r6', node: 'l3', type: 'video', title: '认识钟表 微课', files: main(AWAY, 'video/mp4', 720) },
        ],
      },
    ],
    blobs: [IMAGE, VIDEO, PDF, IMAGE2, SHEET2, AWAY].map((source) => ({ source })),
  });
  // No schedule (the fixture's): whatever the clock says, only the buttons fetch anything.
  ({ nginx, hub, browser, page } = await startSyncBoard({ www: path.join(tmp, 'www'), data: path.join(tmp, 'data'), key, prepare: (data) => admin(data, 'settings', '--rate', '2mbit') }));
  await api('timetable:set', {
    entries: [
      { weekday: schoolWeekday(), period: 1, starts: '08:00', ends: '08:40', className: '三(1)班', resourceId: `${F}/r1` },
      { weekday: schoolWeekday(), period: 2, starts: '08:50', ends: '09:30', className: '三(1)班', resourceId: `${F}/r4` },
    ],
  });
});
afterAll(() => stopSyncBoard({ browser, hub, nginx }, tmp));

describe('a lesson not downloaded yet', () => {
  it('is fetched whole from the notice on its video: its courseware and board image come too, with one progress on each', async () => {
    await page.goto(`${hub.url}#/resource/${encodeURIComponent(`${F}/r2`)}/video`);
    await expect.poll(() => page.getByText(/这个资源还没有下载到本机/).count()).toBe(1);
    // Tonight is after 第 1 节: the notice no longer only promises tonight.
    expect(await page.getByText(/今晚同步后即可使用/).count()).toBe(0);
    await page.getByRole('button', { name: '现在下载这节课' }).click();

    const bar = page.getByRole('progressbar', { name: '现在下载这节课' });
    await expect.poll(async () => Number((await bar.getAttribute('aria-valuenow', { timeout: 5000 }).catch(() => null)) ?? -1), { timeout: 10_000 }).toBeGreaterThan(0);
    // The lesson's bytes, not the video's 200 KB alone.
    const total = formatBytes(IMAGE.length + VIDEO.length + PDF.length);
    await expect.poll(() => page.getByText(new RegExp(`^正在下载这节课的 3 个资源：\\d+(\\.\\d)? (KB|MB) / ${total}$`)).count()).toBe(1);
    await shot(page, 'lesson-fetch-now');

    // The courseware, tapped in the lesson's list meanwhile: the same download on its way, not a second one offered.
    await page.locator('.lesson__list').getByRole('button', { name: '分数 学习任务单' }).click();
    await expect.poll(() => page.url()).toContain(`#/resource/${encodeURIComponent(`${F}/r3`)}`);
    await expect.poll(() => bar.count()).toBe(1);
    expect(await page.getByRole('button', { name: '现在下载这节课' }).count()).toBe(0);
    expect((await cached('r3'))[0]).toBe(false); // it comes last: still on its way

    // Done: the courseware opens on that page, its first page painted, nothing "not downloaded".
    await expect.poll(() => page.locator('canvas.pdf-page[data-rendered-page="1"]').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByText(/这个资源还没有下载到本机/).count()).toBe(0);
    expect(page.url()).toContain(`#/resource/${encodeURIComponent(`${F}/r3`)}`);
    // Every resource of the lesson is in; the library (the lesson's list, the sync page's counts) says so.
    for (const id of ['r1', 'r2', 'r3']) expect(await cached(id)).toEqual([true]);
    const tree = await api('library:tree', { parent: `${F}/xx` });
    expect(tree.value.nodes.find((n: { id: string }) => n.id === `${F}/l1`)).toMatchObject({ notReady: 0 });
    // Another lesson did not come with it.
    expect(await cached('r4')).toEqual([false]);

    // The board image opens too.
    await page.goto(`${hub.url}#/resource/${encodeURIComponent(`${F}/r1`)}/image`);
    const img = page.locator('img.stage__image');
    await expect.poll(() => img.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
  });

  it("is fetched from 今日课表's 下载 on its red period, with progress in the row, which then turns green", async () => {
    await page.goto(hub.url);
    const list = page.getByRole('region', { name: '今日课表' });
    const row = list.getByRole('button', { name: /^第 2 节/ });
    await expect.poll(() => row.textContent()).toContain('未下载');
    // 第 1 节's lesson came above: green, nothing to download.
    expect(await list.getByRole('button', { name: /^第 1 节/ }).textContent()).toContain('已就绪');
    expect(await list.getByRole('button', { name: /^现在下载第 1 节/ }).count()).toBe(0);

    const download = list.getByRole('button', { name: '现在下载第 2 节的课：几分之一 板书' });
    expect(await download.textContent()).toBe('下载');
    // Finger-sized, beside the row (not on it): a tap on the row still opens the lesson.
    const [b, r] = [(await download.boundingBox())!, (await row.boundingBox())!];
    expect(b.width).toBeGreaterThanOrEqual(64);
    expect(b.height).toBeGreaterThanOrEqual(64);
    expect(b.x).toBeGreaterThanOrEqual(r.x + r.width);
    await download.click();

    const bar = list.getByRole('progressbar', { name: '正在下载第 2 节的课' });
    await expect.poll(async () => Number((await bar.getAttribute('aria-valuenow', { timeout: 5000 }).catch(() => null)) ?? -1), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await download.count()).toBe(0);
    await shot(page, 'today-fetch-now');

    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('已就绪');
    expect(await row.locator('.ready-mark--ok').count()).toBe(1);
    expect(await bar.count()).toBe(0);
    expect(await list.getByRole('button', { name: /^现在下载/ }).count()).toBe(0);
    // Still home: the tap did not open the lesson. Its worksheet came with it.
    expect(page.url()).not.toContain('#/resource');
    expect(await cached('r5')).toEqual([true]);
  });

  it('says what to do when the server cannot be reached', async () => {
    await nginx.stop();
    nginx = undefined as unknown as Nginx;
    await page.goto(`${hub.url}#/resource/${encodeURIComponent(`${F}/r6`)}/video`);
    await page.getByRole('button', { name: '现在下载这节课' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 }).toContain('连不上资源服务器');
    expect(await page.getByRole('button', { name: '重新下载' }).count()).toBe(1);
    await shot(page, 'lesson-fetch-failed');
  }, 45_000);
});
