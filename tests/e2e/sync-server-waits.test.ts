// The sync page while the server a run downloads from is away (the school hub's PC
// rebooting): it says the run waits for that server, and for how long at most,
// instead of "not answering, trying again" until the run gave up; when the server
// is back on the same port the run goes on and ends with nothing failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import type { ShardNode, ShardResource } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import { DEFAULT_WINDOW, inWindow } from '../../main/sync/scheduler';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { shot, type RunningHub } from './harness';
import { startSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-sync-wait');
const F = 'cn.test.wait';
let tmp: string;
let nginx: Nginx;
/** Stopped by the test: afterAll does not wait on a stopped one. */
let nginxUp = true;
let hub: RunningHub;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-wait-'));
  const nodes: ShardNode[] = [{ id: 'l0', parent: null, kind: 'lesson', title: '分数的初步认识', order: 1 }];
  const bytes = Buffer.alloc(300 * 1024, 7);
  const resources: ShardResource[] = [
    { id: 'r0', node: 'l0', type: 'video', title: '分数的初步认识（第一课时）', files: [{ role: 'main', sha256: sha256Hex(bytes), size: bytes.length, mime: 'video/mp4', height: 720 }] },
  ];
  await writeFeed(path.join(tmp, 'www', 'feed'), { id: F, title: '中心服务', revision: 1, signingKey: key, shards: [{ path: 'shards/a.json', nodes, resources }], blobs: [{ source: bytes }] });
  ({ nginx, hub, browser, page } = await startSyncBoard({ www: path.join(tmp, 'www'), data: path.join(tmp, 'data'), key }));
});
afterAll(() => stopSyncBoard({ browser, hub, nginx: nginxUp ? nginx : undefined }, tmp));

describe('the sync page, the server away', () => {
  it('says the run waits for it and for how long, and goes on when it is back', async () => {
    await page.goto(hub.url);
    await page.getByRole('button', { name: '同步', exact: true }).click();
    await expect.poll(() => page.getByText('待下载：1 个文件，300 KB').count()).toBe(1);
    const port = Number(new URL(nginx.url).port);
    const host = new URL(nginx.url).host;
    await nginx.stop(); // the hub's PC rebooting: its port refuses
    nginxUp = false;
    await page.getByRole('button', { name: '立即同步' }).click();
    // The file's tries (~8 s with the default backoff), then the wait: by day, by hand, 2 minutes; inside the
    // night window (this test run at 23:00 school time), the night run's 10.
    const minutes = inWindow(new Date(), DEFAULT_WINDOW) ? 10 : 2;
    const waiting = page.getByText(`等待 ${host} 恢复…（最多等 ${minutes} 分钟，它一有响应就接着下载）`);
    await expect.poll(() => waiting.count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByText(`${host} 暂时没有响应`).count()).toBe(0);
    await shot(page, 'sync-waits-for-server');
    nginx = await startNginx(path.join(tmp, 'www'), '', port);
    nginxUp = true;
    // Knocked every few seconds: the run goes on and the file comes.
    await expect.poll(() => page.getByText('所选内容已全部下载').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.getByText(/下载 1 个文件（300 KB），失败 0 个/).count(), { timeout: 10_000 }).toBe(1);
    expect(await waiting.count()).toBe(0);
  }, 90_000);
});
