// The sync page's tree follows the rendition the admin saves, without a reload,
// and reads as the disk does: two lessons of 数学, each a 720p and a 480p video
// and one 学习任务单 PDF the two share, on a real nginx and a real hub process.
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
import { admin, startSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-rendition');
const F = 'cn.test.rendition';
const KB = 1024;
let tmp: string;
let nginx: Nginx;
let hub: RunningHub;
let browser: Browser;
let page: Page;

const api = (channel: string, req: unknown) => hubApi(hub, channel, req);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-rendition-'));
  const nodes: ShardNode[] = [
    { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
    { id: 'sx', parent: 'xx', kind: 'subject', title: '数学', order: 1 },
  ];
  const pdf = Buffer.alloc(100 * KB, 9);
  const blobs: { source: Buffer }[] = [{ source: pdf }];
  const resources: ShardResource[] = [];
  for (const [i, title] of ['分数的初步认识', '长方形和正方形'].entries()) {
    nodes.push({ id: `l${i}`, parent: 'sx', kind: 'lesson', title, order: i });
    const [hd, sd] = [Buffer.alloc(400 * KB, 2 * i + 1), Buffer.alloc(150 * KB, 2 * i + 2)];
    blobs.push({ source: hd }, { source: sd });
    resources.push(
      {
        id: `v${i}`,
        node: `l${i}`,
        type: 'video',
        title: `${title}（第一课时）`,
        files: [
          { role: 'main', sha256: sha256Hex(hd), size: hd.length, mime: 'video/mp4', height: 720 },
          { role: 'main', sha256: sha256Hex(sd), size: sd.length, mime: 'video/mp4', height: 480 },
        ],
      },
      { id: `p${i}`, node: `l${i}`, type: 'pdf', title: `${title} 学习任务单`, files: [{ role: 'main', sha256: sha256Hex(pdf), size: pdf.length, mime: 'application/pdf' }] },
    );
  }
  await writeFeed(path.join(tmp, 'www', 'feed'), { id: F, title: '市教育云', revision: 1, signingKey: key, shards: [{ path: 'shards/a.json', nodes, resources }], blobs });
  ({ nginx, hub, browser, page } = await startSyncBoard({ www: path.join(tmp, 'www'), data: path.join(tmp, 'data'), key, prepare: (data) => admin(data, 'settings', '--max-height', '720') }));
});
afterAll(() => stopSyncBoard({ browser, hub, nginx }, tmp));

const save = async (height: string) => {
  await page.getByRole('radiogroup', { name: '视频清晰度' }).getByRole('radio', { name: `${height}p` }).click();
  await page.getByRole('button', { name: '保存设置' }).click();
  await expect.poll(() => page.getByText('设置已保存').count()).toBe(1);
};
const row = () => page.getByRole('button', { name: '打开 小学' });

describe('the offline-selection tree and the rendition', () => {
  it('counts the shared worksheet once, and shows the saved rendition at once', async () => {
    await page.goto(`${hub.url}#/sync`);
    // Two 720p videos and the one worksheet (before: the worksheet twice, 1000 KB).
    // The first tree of a fresh hub waits for its planner thread to start.
    await expect.poll(() => page.getByText('没有单独勾选：全部内容都离线保存（900 KB）').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => row().textContent()).toContain('900 KB，已下载 0 B');
    await expect.poll(() => page.getByText('待下载：3 个文件，900 KB').count()).toBe(1);
    await save('480');
    // Before: the queue followed the new setting but the tree kept 720p sizes until a reload.
    await expect.poll(() => page.getByText('待下载：3 个文件，400 KB').count()).toBe(1);
    await expect.poll(() => row().textContent()).toContain('400 KB，已下载 0 B');
    await expect.poll(() => page.getByText('没有单独勾选：全部内容都离线保存（400 KB）').count()).toBe(1);
  });

  it('after going down to 480p with the 720p files on disk, says they are here and fetches nothing', async () => {
    await save('720');
    await expect.poll(() => row().textContent()).toContain('900 KB，已下载 0 B');
    await page.getByRole('button', { name: '立即同步' }).click();
    await expect.poll(() => page.getByText('下载 3 个文件（900 KB），失败 0 个').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => row().textContent()).toContain('900 KB，已下载 900 KB');
    await save('480');
    // The 720p copies play and the lessons are ready: the tree, the queue and the disk say the same.
    await expect.poll(() => page.getByText('所选内容已全部下载').count()).toBe(1);
    await expect.poll(() => row().textContent()).toContain('900 KB，已下载 900 KB');
    expect(await page.getByText('没有单独勾选：全部内容都离线保存（900 KB）').count()).toBe(1);
    const used = (await api('sync:status', {})).value.disk.usedBytes - 900 * KB;
    expect(used).toBeGreaterThanOrEqual(0);
    expect(used).toBeLessThan(16 * KB); // the catalog's shard
    await shot(page, 'sync-rendition-lowered');
  });
});
