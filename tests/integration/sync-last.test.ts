// The last sync's summary outlives the process that ran it: a board switched off
// and on, or a hub restarted, still says what the night fetched and what failed;
// a run the command line made on the same data folder shows on the running page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../main/services';
import { saveLastSync } from '../../main/sync/last-sync';
import { hubServices } from '../fixtures/services';

let data: string;
let hub: Services;

beforeEach(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-sync-last-'));
  hub = hubServices(data, 't');
});
afterEach(() => {
  hub.close();
  fs.rmSync(data, { recursive: true, force: true });
});

/** A night whose platform was down: its feed failed, as the page shows it. */
function subscribeToADeadPlatform() {
  const db = new Database(path.join(data, 'library.db'));
  db.prepare("INSERT INTO feeds(id, title, source, keys_json) VALUES ('cn.test.down', '平台', 'http://127.0.0.1:9/feed/', '{}')").run();
  db.close();
}

describe('the last sync', () => {
  it('is still shown after a restart', async () => {
    subscribeToADeadPlatform();
    const night = await hub.sync.runNow();
    expect(night.feeds).toEqual([expect.objectContaining({ id: 'cn.test.down', outcome: 'failed' })]);
    const before = (await hub.sync.status()).last;
    expect(before?.feeds[0]?.outcome).toBe('failed');

    hub.close();
    hub = hubServices(data, 't');
    // Before: null, and the morning's page had nothing to say about the night.
    expect((await hub.sync.status()).last).toEqual(before);
  });

  it('made by another process on the same folder (classboard sync) is what the running page shows', async () => {
    expect((await hub.sync.status()).last).toBeNull();
    const cli = hubServices(data, 't');
    try {
      saveLastSync(cli.db, { feeds: [], downloaded: { files: 3, bytes: 3000 }, failed: [], skipped: 0, downgraded: 0, durationMs: 12 });
    } finally {
      cli.close();
    }
    expect((await hub.sync.status()).last).toMatchObject({ downloaded: { files: 3, bytes: 3000 } });
  });

  it('a row that does not read as a summary shows nothing rather than failing the page', async () => {
    hub.db.prepare("INSERT OR REPLACE INTO settings(key, value) VALUES ('sync.last', '{\"feeds\": 3')").run();
    expect((await hub.sync.status()).last).toBeNull();
    hub.close();
    hub = hubServices(data, 't');
    expect((await hub.sync.status()).last).toBeNull();
    await hub.sync.runNow();
    expect((await hub.sync.status()).last?.durationMs).toEqual(expect.any(Number));
  });

  it("is logged with its causes and the catalogs not taken; the next window in school time", async () => {
    subscribeToADeadPlatform();
    hub.close();
    const lines: string[] = [];
    hub = createServices({ dataDir: data, host: 'hub', mediaBase: '/media/', assetsDir: path.resolve('assets'), version: 't', log: (m) => lines.push(m) });
    hub.sync.start(60_000);
    hub.sync.stop();
    // Before: "…/ next night window: 2026-12-01T14:00:00.000Z", read as 14:00.
    expect(lines.join('\n')).toMatch(/下次夜间同步 \/ next night window: \d{4}\/\d{1,2}\/\d{1,2} 22:00:00（北京时间）/);
    await hub.sync.runNow();
    // Before: "同步完成：下载 0 个文件，失败 0 个", though the platform's catalog was not taken.
    expect(lines.join('\n')).toMatch(/同步完成：下载 0 个文件，失败 0 个；目录没有更新：平台（.*127\.0\.0\.1:9.*）/);
  });

  it("a hub's failed start-up check shows beside the night's result, not instead of it", async () => {
    saveLastSync(hub.db, { feeds: [], downloaded: { files: 300, bytes: 3e9 }, failed: [], skipped: 0, downgraded: 0, durationMs: 1000 }, '2026-11-30T20:00:00.000Z');
    hub.close();
    hub = hubServices(data, 't');
    hub.sync.noteCatalogCheck({ id: 'cn.test.up', title: '平台', outcome: 'failed', revision: 5, error: '签名无效' });
    // Before: the night's 300 files were replaced by "下载 0 个文件" at the restart's time.
    expect((await hub.sync.status()).last).toMatchObject({
      downloaded: { files: 300 },
      finishedAt: '2026-11-30T20:00:00.000Z',
      feeds: [{ id: 'cn.test.up', outcome: 'failed' }],
    });
    // Dated on its own: not the night's time, as if the night's run had failed.
    const checkedAt = (await hub.sync.status()).last?.feeds[0]?.checkedAt;
    expect(Date.now() - Date.parse(checkedAt ?? '')).toBeLessThan(60_000);
    hub.sync.noteCatalogCheck({ id: 'cn.test.up', title: '平台', outcome: 'unchanged', revision: 5 });
    expect((await hub.sync.status()).last?.feeds).toEqual([expect.objectContaining({ id: 'cn.test.up', outcome: 'unchanged' })]);
  });
});
