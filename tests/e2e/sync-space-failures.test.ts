// A night whose files the free-disk floor or the disk itself refused: the sync
// page's line for each cause says it once. It read '磁盘放不下，1 个文件没有下载：
// 请清理这块磁盘。 比大小 — 磁盘放不下', the engine's detail repeating the headline.
import { describe, expect, it } from 'vitest';
import { saveLastSync } from '../../main/sync/last-sync';
import { hubServices } from '../fixtures/services';
import { shot, useBoardSession } from './harness';

const session = useBoardSession({
  hubArgs: ['--no-schedule'],
  prepare: async (data) => {
    // As the engine records them (main/sync/engine.ts NO_ROOM), kept as a sync keeps its night.
    const services = hubServices(data, 't');
    const failure = (n: number, reason: 'floor' | 'no-room', error: string, lesson: string) => ({ sha256: String(n).repeat(64).slice(0, 64), resources: [lesson], reason, error });
    saveLastSync(services.db, {
      feeds: [],
      downloaded: { files: 1, bytes: 4096 },
      failed: [
        failure(1, 'floor', '磁盘余量低于保留磁盘空间 / the disk would fall below the free space to keep', '比大小'),
        failure(2, 'floor', '磁盘余量低于保留磁盘空间 / the disk would fall below the free space to keep', '分与合'),
        failure(3, 'no-room', '磁盘放不下 / no room on the disk', '找春天'),
      ],
      skipped: 0,
      downgraded: 0,
      // Two lessons whose chosen video was bigger than the quota took a lower rendition.
      downsized: 2,
      durationMs: 1000,
    });
    services.close();
  },
});

describe("the sync page's lines for files refused for space", () => {
  it('say each cause once, in Chinese', async () => {
    const { page } = session;
    await page.goto(`${session.hub.url}#/sync`);
    const list = page.getByRole('list', { name: '下载失败' });
    await expect.poll(() => list.getByRole('listitem').count(), { timeout: 15_000 }).toBe(2);
    const [floor, noRoom] = await list.getByRole('listitem').allTextContents();
    expect(floor).toBe('磁盘余量不足，2 个文件没有下载：下载后磁盘剩余会低于须保留的空间。请清理这块磁盘，或请管理员调低保留空间。 比大小、分与合');
    expect(noRoom).toBe('磁盘放不下，1 个文件没有下载：请清理这块磁盘。 找春天');
    expect(await page.getByText('2 节课的视频比缓存上限还大，改用了较低清晰度；调高下方的缓存上限可换回原来的清晰度', { exact: true }).count()).toBe(1);
    await shot(page, 'sync-space-failures-zh');
  });

  it('and in English', async () => {
    const { page } = session;
    await page.evaluate(() => localStorage.setItem('classboard.lang', 'en'));
    await page.reload();
    const list = page.getByRole('list', { name: 'Failed downloads' });
    await expect.poll(() => list.getByRole('listitem').count(), { timeout: 15_000 }).toBe(2);
    const [floor, noRoom] = await list.getByRole('listitem').allTextContents();
    expect(floor).toBe(
      'Too little free disk space: 2 files were not downloaded, as the disk would fall below the space to keep free. Free some space, or ask the admin to lower it. 比大小、分与合',
    );
    expect(noRoom).toBe('No room on the disk: 1 file was not downloaded. Free some space on it. 找春天');
    expect(await page.getByText("2 lessons' videos are bigger than the cache limit, so a lower rendition was kept; raise the cache limit below to bring theirs back", { exact: true }).count()).toBe(1);
    await shot(page, 'sync-space-failures-en');
  });
});
