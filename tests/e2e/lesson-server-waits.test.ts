// 现在下载这节课 while the night's run it joins waits for its server (the school
// hub's PC rebooting): the lesson's notice says what the sync page says, "等待 …
// 恢复…（最多等 …）", not "暂时没有响应，正在重试…" as if the run were only retrying.
// A real nginx stopped mid-way, the hub (the built CLI), Chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import type { ShardNode, ShardResource } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import type { Nginx } from '../fixtures/nginx';
import { hubApi, shot, type RunningHub } from './harness';
import { startSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-lesson-wait');
const F = 'cn.test.lessonwait';
let tmp: string;
let nginx: Nginx;
let nginxUp = true;
let hub: RunningHub;
let browser: Browser;
let page: Page;

const api = (channel: string, req: unknown) => hubApi(hub, channel, req);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-lesson-wait-'));
  const nodes: ShardNode[] = [
    { id: 'l0', parent: null, kind: 'lesson', title: '分数的初步认识', order: 1 },
    { id: 'l1', parent: null, kind: 'lesson', title: '几分之一', order: 2 },
  ];
  const kept = Buffer.alloc(300 * 1024, 7);
  const asked = Buffer.alloc(200 * 1024, 9);
  const resources: ShardResource[] = [
    { id: 'r0', node: 'l0', type: 'video', title: '分数的初步认识（第一课时）', files: [{ role: 'main', sha256: sha256Hex(kept), size: kept.length, mime: 'video/mp4', height: 720 }] },
    { id: 'r1', node: 'l1', type: 'video', title: '几分之一（第一课时）', files: [{ role: 'main', sha256: sha256Hex(asked), size: asked.length, mime: 'video/mp4', height: 720 }] },
  ];
  await writeFeed(path.join(tmp, 'www', 'feed'), { id: F, title: '中心服务', revision: 1, signingKey: key, shards: [{ path: 'shards/a.json', nodes, resources }], blobs: [{ source: kept }, { source: asked }] });
  ({ nginx, hub, browser, page } = await startSyncBoard({ www: path.join(tmp, 'www'), data: path.join(tmp, 'data'), key }));
  // Only the first lesson is the night's: the second is asked for at the board.
  expect((await api('sync:keep', { ids: [`${F}/l0`], keep: true })).ok).toBe(true);
});
afterAll(() => stopSyncBoard({ browser, hub, nginx: nginxUp ? nginx : undefined }, tmp));

describe('a lesson asked for while the run waits for its server', () => {
  it('says the run waits for the server, as the sync page does', async () => {
    const host = new URL(nginx.url).host;
    await nginx.stop(); // the hub's PC rebooting: its port refuses
    nginxUp = false;
    expect((await api('sync:now', {})).ok).toBe(true);
    // The kept file's tries (~8 s), then the run waits for the server.
    await expect
      .poll(async () => (await api('sync:status', {})).value.progress?.trouble?.waitingSeconds ?? 0, { timeout: 30_000 })
      .toBeGreaterThan(0);

    await page.goto(`${hub.url}#/resource/${encodeURIComponent(`${F}/r1`)}/video`);
    await page.getByRole('button', { name: '现在下载这节课' }).click();
    const notice = page.locator('.fetch-now');
    // The lesson's own tries say "retrying"; while the run it joined waits, the notice says so, with the wait.
    await expect.poll(() => notice.getByText(new RegExp(`^等待 ${host} 恢复…（最多等 \\d+ (分钟|秒)，它一有响应就接着下载）$`)).count(), { timeout: 15_000 }).toBe(1);
    await shot(page, 'lesson-fetch-waits-for-server');
  }, 60_000);
});
