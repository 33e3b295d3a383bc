// 今日课表's 下载 whose fetch ends with the row still not whole: here the IT admin
// raised the classroom's rendition to 1080p while the 720p video came, so the
// lesson now wants its 1080p copy. Before, the row's bar sat at 下载中 100% for good,
// with nothing to tap; now it says the download ended and what is still missing,
// and 重新下载 brings it, the row turning green. The 720p copy is held at its
// server (a real HTTP server on 127.0.0.1) until the rendition has changed, so the
// fetch is on its way then on any machine; the signed feed on a real nginx, the
// hub (the built CLI), Chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import { schoolWeekday } from '../../main/library/timetable';
import type { HoldingServer } from '../fixtures/holding-server';
import type { Nginx } from '../fixtures/nginx';
import { hubApi, shot, type RunningHub } from './harness';
import { admin, startHeldSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-ended');
const F = 'cn.test.ended';
const VIDEO_1080 = Buffer.alloc(300 * 1024, 8);
const VIDEO_720 = Buffer.alloc(200 * 1024, 7);
const SLIDES = Buffer.alloc(20 * 1024, 3);
let tmp: string;
let blobs: HoldingServer;
let nginx: Nginx;
let hub: RunningHub;
let browser: Browser;
let page: Page;

const api = (channel: string, req: unknown) => hubApi(hub, channel, req);
const file = (b: Buffer, mime: string, height?: number) => ({ role: 'main', sha256: sha256Hex(b), size: b.length, mime, ...(height ? { height } : {}) });

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-ended-'));
  ({ nginx, hub, browser, page, blobs } = await startHeldSyncBoard({
    tmp,
    key,
    files: [VIDEO_1080, VIDEO_720, SLIDES],
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
            { id: 'r1', node: 'l1', type: 'video', title: '分数 微课', files: [file(VIDEO_1080, 'video/mp4', 1080), file(VIDEO_720, 'video/mp4', 720)] },
            { id: 'r2', node: 'l1', type: 'pdf', title: '分数 课件', files: [file(SLIDES, 'application/pdf')] },
          ],
        },
      ],
    },
    prepare: (data) => admin(data, 'settings', '--max-height', '720'),
  }));
  await api('timetable:set', {
    entries: [{ weekday: schoolWeekday(), period: 1, starts: '08:00', ends: '08:40', className: '三(1)班', resourceId: `${F}/r1` }],
  });
}, 120_000);
afterAll(() => stopSyncBoard({ browser, hub, nginx, blobs }, tmp));

describe("a period's 下载 that ends with the lesson still not whole", () => {
  it('says the download ended and what is missing, and offers it again, which brings it', async () => {
    await page.goto(hub.url);
    const list = page.getByRole('region', { name: '今日课表' });
    const row = list.getByRole('button', { name: /^第 1 节/ });
    await expect.poll(() => row.textContent()).toContain('未下载');
    const download = list.getByRole('button', { name: '现在下载第 1 节的课：分数 微课' });
    const held = blobs.hold(VIDEO_720);
    await download.click();
    // The 720p copy is on its way, held at its server, the row's bar up…
    await held.asked;
    const bar = list.getByRole('progressbar', { name: '正在下载第 1 节的课' });
    await expect.poll(() => bar.count()).toBe(1);
    // …and meanwhile the classroom's rendition goes up: the 720p on its way is no longer the lesson's video.
    expect((await api('sync:configure', { maxHeight: 1080 })).ok).toBe(true);
    held.release();

    const ended = list.getByRole('status');
    await expect.poll(() => ended.textContent().catch(() => null), { timeout: 20_000 }).toBe(
      '下载已结束，这节课还有 1 个资源没有下载到本机：分数 微课。可以点“重新下载”再试一次。',
    );
    // Not a bar stuck at 100%: the row says what is missing, and the button is back.
    expect(await bar.count()).toBe(0);
    expect(await row.textContent()).toContain('还差 1 个');
    expect(await row.textContent()).toContain('未下载：分数 微课');
    expect(await download.textContent()).toBe('重新下载');
    await shot(page, 'today-fetch-ended');

    await download.click();
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('已就绪');
    expect(await list.getByRole('button', { name: /^现在下载/ }).count()).toBe(0);
    expect(await list.getByRole('status').count()).toBe(0);
    const r1 = await api('library:resource', { id: `${F}/r1` });
    expect(r1.value.files.find((f: { height: number }) => f.height === 1080)).toMatchObject({ cached: true });
  });
});
