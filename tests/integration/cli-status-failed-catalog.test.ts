// `classboard status` after a sync whose catalog check failed (the platform, or the
// school's hub, stopped): the run is said to have failed, and why, first; a script
// reading --json sees the revision still held and the failed catalog counted. The
// built bin, real processes, the platform on 127.0.0.1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliIn } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { servePlatform } from '../fixtures/platform';
import { withServices } from '../fixtures/services';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-failed-catalog-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SCHOOL_TIME = '\\d{4}/\\d{1,2}/\\d{1,2} \\d{2}:\\d{2}:\\d{2}';

describe('status after a failed catalog check', () => {
  it('starts with the failure and why; --json keeps the held revision and counts the failed catalog', async () => {
    const key = generateSigningKey('k');
    const www = path.join(tmp, 'www');
    await writeBlobFeed(path.join(www, 'f'), { id: 'cn.failed.catalog', title: '中心服务', key, revision: 4, blobs: [Buffer.from('lesson')] });
    const platform = await servePlatform(www);
    const dir = path.join(tmp, 'classroom');
    try {
      await withServices(dir, (s) => s.importFeed(platform.url('f/'), { keys: { [key.keyId]: key.publicKey } }));
      // The classroom holds revision 4 and its file.
      expect((await cliIn(dir, 'sync')).code).toBe(0);
    } finally {
      // The hub stopped: nothing listens there any more.
      await platform.stop();
    }

    const sync = await cliIn(dir, '--json', 'sync', '--now');
    expect(sync.code).toBe(2);
    // Before: revision null, as if no catalog were held.
    expect(JSON.parse(sync.stdout).feeds).toEqual([expect.objectContaining({ id: 'cn.failed.catalog', outcome: 'failed', revision: 4 })]);

    const status = await cliIn(dir, 'status');
    const line = status.stdout.split('\n').find((l) => l.startsWith('上次同步'));
    // Before: 上次同步 …（北京时间）下载 0 个文件（0 B），失败 0 个, the failure only on the next line.
    expect(line).toMatch(new RegExp(`^上次同步 / last sync: ${SCHOOL_TIME}（北京时间）同步失败，目录没有更新：中心服务（cn\\.failed\\.catalog）— 无法连接 127\\.0\\.0\\.1:\\d+.*；下载 0 个文件（0 B）$`));
    expect(status.stdout).not.toMatch(/失败 0 个/);
    // Said once, in that line.
    expect(status.stdout.match(/目录没有更新/g)).toHaveLength(1);
    expect(status.stdout).toMatch(/中心服务（cn\.failed\.catalog）第 4 版/);

    const json = JSON.parse((await cliIn(dir, '--json', 'status')).stdout);
    expect(json.feeds).toEqual([expect.objectContaining({ id: 'cn.failed.catalog', revision: 4 })]);
    // Before: revision null and nothing counted (lastSync.failed is the files).
    expect(json.lastSync).toMatchObject({ feeds: [{ id: 'cn.failed.catalog', outcome: 'failed', revision: 4, error: expect.stringMatching(/无法连接/) }], failed: [], failedCatalogs: 1 });
  }, 120_000);
});
