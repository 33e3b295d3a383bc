// A board started on a full disk (its data folder on a real 30 MB tmpfs, filled by
// another program; root only, as full-disk-reads.test.ts): its library can only be
// read. The sync page's status says the disk is full, and a sync (立即同步 or the
// night's run) is refused at once with the CLI's words, not after planning its queue.
// With room made again, 立即同步 runs.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openedOnFullDisk } from '../../main/library/db';
import { createServices, type Services } from '../../main/services';
import { fullDiskFolder } from '../fixtures/full-disk-folder';

const folder = fullDiskFolder('cb-full-start-');
const { data, cannotMount } = folder;
let services: Services | null = null;

afterAll(() => {
  services?.close();
  folder.cleanup();
});

// The CLI's own words for a sync on a full disk (main/sync/engine.ts syncDiskFull).
const SAID = /数据文件夹所在的磁盘已满（剩余 0 B）：.*同步已停止，已下载的文件都保留；请清理这块磁盘后再同步/;

describe.skipIf(cannotMount !== null)(`a sync on a library opened on a full disk${cannotMount ? ` (skipped: cannot mount a tmpfs: ${cannotMount})` : ''}`, () => {
  it('is said on the status and refused at once, and runs once there is room', async () => {
    // The demo library made in another process, which exits: nothing of it holds the tmpfs or leaves a -wal.
    folder.inOtherProcess('await s.ensureDemoLibrary();');
    expect(folder.fill()).toBe(0);
    const s = (services = createServices({ dataDir: data, host: 'hub', mediaBase: '/media/', assetsDir: path.resolve('assets'), version: 'test' }));
    expect(openedOnFullDisk(s.db)).toBe(true);

    const status = await s.router.invoke('sync:status', {});
    expect(status.ok && status.value.disk).toMatchObject({ full: true, freeBytes: 0 });

    // 立即同步: an answer the page shows, not "started" and a failure later.
    const started = performance.now();
    const now = await s.router.invoke('sync:now', {});
    expect(performance.now() - started).toBeLessThan(200);
    expect(now.ok).toBe(false);
    if (!now.ok) expect(now.error.message).toMatch(SAID);
    expect(s.sync.scheduler.isRunning).toBe(false);

    // The night's run: ended at once with the full disk as its cause, for the page's result.
    const night = performance.now();
    const summary = (await s.sync.scheduler.tick()) as { failed: { reason: string; error: string }[]; downloaded: { files: number } };
    expect(performance.now() - night).toBeLessThan(200);
    expect(summary.failed[0]).toMatchObject({ reason: 'disk-full', error: expect.stringMatching(SAID) });
    expect(summary.downloaded.files).toBe(0);

    // Someone made room while the board ran: the page and 立即同步 work again without a restart.
    folder.makeRoom();
    const roomy = await s.router.invoke('sync:status', {});
    expect(roomy.ok && roomy.value.disk.full).toBe(false);
    const again = await s.router.invoke('sync:now', {});
    expect(again).toEqual({ ok: true, value: { started: true } });
    await s.sync.scheduler.whenIdle();
  }, 90_000);
});
