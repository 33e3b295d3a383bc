// 今日课表's green 已就绪 means the whole lesson is on this PC: last night's sync
// brought a period's video but not its lesson's 课件 (the server did not have it
// yet), so the row is not green and says which is missing, as the lesson's page
// does beside the playing video; its 下载 brings the 课件, the row turns green
// and the 课件 opens. A feed on a real nginx, the hub (the built CLI), Chromium.
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

const key = generateSigningKey('e2e-whole');
const F = 'cn.test.whole';
const VIDEO = Buffer.alloc(100 * 1024, 9);
// The demo library's 学习任务单 with a comment after its end: a file of its own (the hub's demo library has the demo's).
const PDF = Buffer.concat([
  fs.readFileSync(path.resolve('assets/demo-feed/blobs/bb/bb3fdc0bde0ba17585787f0aaaabd8e74998c5d2a95184f2c15c0a3da9de508c')),
  Buffer.from('\n% 分数的初步认识 课件\n'),
]);
const PDF_SHA = sha256Hex(PDF);
let tmp: string;
let nginx: Nginx;
let hub: RunningHub;
let browser: Browser;
let page: Page;

const api = (channel: string, req: unknown) => hubApi(hub, channel, req);
const main = (b: Buffer, mime: string, height?: number) => [{ role: 'main', sha256: sha256Hex(b), size: b.length, mime, ...(height ? { height } : {}) }];
const pdfOnServer = (dir: string) => path.join(dir, 'feed', 'blobs', PDF_SHA.slice(0, 2), PDF_SHA);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-whole-'));
  const www = path.join(tmp, 'www');
  await writeFeed(path.join(www, 'feed'), {
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
          { id: 'r1', node: 'l1', type: 'video', title: '分数 微课', files: main(VIDEO, 'video/mp4', 720) },
          { id: 'r2', node: 'l1', type: 'pdf', title: '分数 课件', files: main(PDF, 'application/pdf') },
        ],
      },
    ],
    blobs: [VIDEO, PDF].map((source) => ({ source })),
  });
  // Last night: the server did not have the 课件 yet, so the sync brought the video alone.
  const away = path.join(tmp, 'pdf-later');
  fs.renameSync(pdfOnServer(www), away);
  ({ nginx, hub, browser, page } = await startSyncBoard({
    www,
    data: path.join(tmp, 'data'),
    key,
    prepare: async (data) => {
      await admin(data, 'sync', '--now').catch(() => {}); // it ends saying the 课件 failed
    },
  }));
  fs.renameSync(away, pdfOnServer(www));
  await api('timetable:set', {
    entries: [{ weekday: schoolWeekday(), period: 1, starts: '08:00', ends: '08:40', className: '三(1)班', resourceId: `${F}/r1` }],
  });
}, 120_000);
afterAll(() => stopSyncBoard({ browser, hub, nginx }, tmp));

describe('a period whose video is here but whose 课件 is not', () => {
  it('is not green on 今日课表, says the 课件 is missing, and the lesson page says the same', async () => {
    const cached = async (id: string) => (await api('library:resource', { id: `${F}/${id}` })).value.files.map((f: { cached: boolean }) => f.cached);
    expect(await cached('r1')).toEqual([true]);
    expect(await cached('r2')).toEqual([false]);

    await page.goto(hub.url);
    const list = page.getByRole('region', { name: '今日课表' });
    const row = list.getByRole('button', { name: /^第 1 节/ });
    await expect.poll(() => row.textContent()).toContain('还差 1 个');
    expect(await row.textContent()).toContain('未下载：分数 课件');
    expect(await row.textContent()).not.toContain('已就绪');
    expect(await row.locator('.ready-mark--ok').count()).toBe(0);
    // Its name says it too, for a screen reader.
    expect(await row.getAttribute('aria-label')).toContain('未下载：分数 课件');
    // The 下载 stays for it.
    expect(await list.getByRole('button', { name: '现在下载第 1 节的课：分数 微课' }).count()).toBe(1);
    await shot(page, 'today-partly-ready');

    // Its row opens the video, which plays; beside it, the lesson says what of it is missing.
    await row.click();
    await expect.poll(() => page.url()).toContain(`#/resource/${encodeURIComponent(`${F}/r1`)}`);
    await expect.poll(() => page.locator('video').count()).toBe(1);
    await expect.poll(() => page.getByText('这节课还有 1 个资源没有下载到本机：分数 课件').count()).toBe(1);
    const side = page.locator('.lesson__list');
    expect(await side.getByRole('button', { name: /分数 课件/ }).textContent()).toContain('未下载');
    expect(await side.getByRole('button', { name: /分数 微课/ }).textContent()).not.toContain('未下载');
    await shot(page, 'lesson-partly-ready');
  });

  it('turns green after its 下载, and the 课件 opens', async () => {
    await page.goto(hub.url);
    const list = page.getByRole('region', { name: '今日课表' });
    const row = list.getByRole('button', { name: /^第 1 节/ });
    await list.getByRole('button', { name: '现在下载第 1 节的课：分数 微课' }).click();
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('已就绪');
    expect(await row.locator('.ready-mark--ok').count()).toBe(1);
    expect(await row.textContent()).not.toContain('未下载');
    expect(await list.getByRole('button', { name: /^现在下载/ }).count()).toBe(0);

    await page.goto(`${hub.url}#/resource/${encodeURIComponent(`${F}/r2`)}/pdf`);
    await expect.poll(() => page.locator('canvas.pdf-page[data-rendered-page="1"]').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByText(/没有下载到本机/).count()).toBe(0);
  });
});
