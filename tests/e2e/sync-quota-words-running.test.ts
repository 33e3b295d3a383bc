// The sync page while a run goes on, under a quota with room for four of six
// lessons: before, once the run had started the page's 待下载 came from its
// progress (5 files, with the two the quota refuses) and 另有 2 个文件…超出缓存上限，
// 今晚不会下载 was gone until the run ended, so an admin watching the night (or a
// 立即同步) could not see that two lessons would not come. The files come from a
// server on 127.0.0.1 that holds the answers the test names, so the run stands
// still where the page is read; the feed on nginx, the hub (the built CLI), Chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import { formatBytes } from '../../preload/contract';
import type { HoldingServer } from '../fixtures/holding-server';
import type { Nginx } from '../fixtures/nginx';
import { hubApi, shot, type RunningHub } from './harness';
import { startHeldSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-quota-running');
const KB = 1024;
const SIZE = 100 * KB;
const titles = ['甲', '乙', '丙', '丁', '戊', '己'];
// Distinct files, fetched in the lessons' order (one class, by order).
const files = titles.map((_, i) => Buffer.alloc(SIZE, i + 1));
let tmp: string;
let blobs: HoldingServer;
let nginx: Nginx;
let hub: RunningHub;
let browser: Browser;
let page: Page;

const api = (channel: string, req: unknown) => hubApi(hub, channel, req);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-quota-running-'));
  ({ nginx, hub, browser, page, blobs } = await startHeldSyncBoard({
    tmp,
    key,
    files,
    feed: {
      id: 'cn.test.quotarun',
      title: '配额',
      revision: 1,
      shards: [
        {
          path: 'shards/a.json',
          nodes: titles.map((title, i) => ({ id: `l${i + 1}`, parent: null, kind: 'lesson' as const, title, order: i + 1 })),
          resources: files.map((b, i) => ({
            id: `v${i + 1}`,
            node: `l${i + 1}`,
            type: 'video' as const,
            title: `${titles[i]}（第一课时）`,
            files: [{ role: 'main' as const, sha256: sha256Hex(b), size: SIZE, mime: 'video/mp4', height: 720 }],
          })),
        },
      ],
    },
  }));
  // Room beside the catalog for four of the six (everything is kept: nothing chosen).
  const catalog = (await api('sync:status', {})).value.disk.usedBytes as number;
  expect((await api('sync:configure', { quotaBytes: catalog + 4 * SIZE + SIZE / 2 })).ok).toBe(true);
}, 120_000);
afterAll(() => stopSyncBoard({ browser, hub, nginx, blobs }, tmp));

const refused = () => page.getByText(`另有 2 个文件（${formatBytes(2 * SIZE)}）超出缓存上限，今晚不会下载：请调高下方的缓存上限，或少选一些离线内容。`, { exact: true });
const queued = (n: number) => page.getByText(`待下载：${n} 个文件，${formatBytes(n * SIZE)}`, { exact: true });

describe('the sync page while a run goes on under the quota', () => {
  it('still says which files the quota refuses, and counts only the rest in 待下载', async () => {
    await page.goto(`${hub.url}#/sync`);
    await expect.poll(() => queued(4).count(), { timeout: 15_000 }).toBe(1);
    expect(await refused().count()).toBe(1);

    // Its three downloads at once: two held on the first two files, the third brings 丙, then is held on 丁.
    const held = [files[0]!, files[1]!, files[3]!].map((b) => blobs.hold(b));
    try {
      await page.getByRole('button', { name: '立即同步' }).click();
      await held[2]!.asked;
      // The page's next look at the status (every 5 s), during the run: 丙 here, 甲 乙 丁 on their way, 戊 and 己 refused.
      // Before: 待下载：5 个文件, and no word of the two.
      await expect.poll(() => queued(3).count(), { timeout: 15_000 }).toBe(1);
      expect(await refused().count()).toBe(1);
      // The bar's whole is what the run brings (4 files), not the 6 it planned with the two refused: it can reach 100%.
      await expect.poll(() => page.locator('.sync-progress__line').textContent()).toContain(` / ${formatBytes(4 * SIZE)}`);
      expect((await api('sync:status', {})).value.state).toBe('running');
      await shot(page, 'sync-quota-running');
    } finally {
      for (const h of held) h.release();
    }

    // The run over: nothing more comes under this quota, and the two are still said apart.
    await expect.poll(async () => (await api('sync:status', {})).value.state, { timeout: 30_000 }).toBe('idle');
    await expect.poll(() => page.getByText(/^待下载|^所选内容已全部下载/).count(), { timeout: 15_000 }).toBe(0);
    expect(await refused().count()).toBe(1);
  });
});
