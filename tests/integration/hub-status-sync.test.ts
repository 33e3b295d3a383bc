// `classboard status` on a school hub's data folder: the catalog the hub took at
// its start counts as a sync (as the night's does), and the files it pulled
// through for classrooms today are counted. The built CLI's hub, a real process,
// a real platform on 127.0.0.1 and a classroom syncing through the hub. Needs
// `electron-vite build` first (run under the build lock).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliIn, hubCli } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { servePlatform } from '../fixtures/platform';

let tmp: string;
const key = generateSigningKey('smartedu-2026');
const keyArg = ['--key', `${key.keyId}=${key.publicKey}`];
const FEED = 'cn.smartedu.basic';

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-hub-status-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Status {
  lastSync: { finishedAt: string; feeds: { id: string; outcome: string; revision: number | null; checkedAt?: string }[] } | null;
  pulledToday: { files: number; bytes: number };
}

describe("a hub's status", () => {
  it('counts the catalog taken at start as a sync, and the files pulled through for classrooms', async () => {
    const www = path.join(tmp, 'www');
    const blobs = [Buffer.alloc(300_000, 1), Buffer.alloc(200_000, 2)];
    await writeBlobFeed(path.join(www, 'basic'), { id: FEED, title: '国家中小学智慧教育平台', revision: 3, key, blobs });
    const platform = await servePlatform(www);
    const data = path.join(tmp, 'hub');
    const classroom = path.join(tmp, 'classroom');
    const hub = await hubCli(data, '--upstream', platform.url('basic/'), ...keyArg);
    try {
      expect(hub.started, hub.stderr()).toBe(true);
      // Before: 上次同步 / last sync: 还没有同步过 / never, right after the hub took revision 3.
      const text = (await cliIn(data, 'status')).stdout;
      expect(text).not.toMatch(/还没有同步过/);
      expect(text).toMatch(new RegExp(`上次同步 / last sync: .+（北京时间）中心服务同步了目录：国家中小学智慧教育平台（${FEED}）第 3 版`));
      const json = JSON.parse((await cliIn(data, '--json', 'status')).stdout) as Status;
      expect(json.lastSync?.feeds).toEqual([expect.objectContaining({ id: FEED, outcome: 'applied', revision: 3, checkedAt: expect.any(String) })]);
      expect(json.pulledToday).toEqual({ files: 0, bytes: 0 });
      expect(text).not.toMatch(/为教室转取/);

      // A classroom syncs through the hub: both files are pulled through from the platform.
      expect((await cliIn(classroom, 'feeds', 'add', `${hub.url}feed/${FEED}/`, ...keyArg)).code).toBe(0);
      const synced = await cliIn(classroom, 'sync', '--now');
      expect(synced.code, synced.stderr).toBe(0);
      const after = (await cliIn(data, 'status')).stdout;
      expect(after).toMatch(/今天中心服务为教室转取 2 个文件（\d+ KB） \/ pulled through for classrooms today: 2 files/);
      expect((JSON.parse((await cliIn(data, '--json', 'status')).stdout) as Status).pulledToday).toEqual({ files: 2, bytes: 500_000 });

      // A second classroom gets them from the hub's cache: nothing more pulled.
      const other = path.join(tmp, 'classroom-2');
      expect((await cliIn(other, 'feeds', 'add', `${hub.url}feed/${FEED}/`, ...keyArg)).code).toBe(0);
      expect((await cliIn(other, 'sync', '--now')).code).toBe(0);
      expect((JSON.parse((await cliIn(data, '--json', 'status')).stdout) as Status).pulledToday.files).toBe(2);
    } finally {
      await hub.stop();
      await platform.stop();
    }

    // Restarted on a newer revision: the start's sync is the last one, dated now, not the earlier one.
    await writeBlobFeed(path.join(www, 'basic'), { id: FEED, title: '国家中小学智慧教育平台', revision: 4, key, blobs });
    const again = await servePlatform(www);
    const hub2 = await hubCli(data, '--upstream', again.url('basic/'), ...keyArg);
    try {
      expect(hub2.started, hub2.stderr()).toBe(true);
      expect((await cliIn(data, 'status')).stdout).toMatch(new RegExp(`上次同步 / last sync: .+中心服务同步了目录：国家中小学智慧教育平台（${FEED}）第 4 版`));
    } finally {
      await hub2.stop();
      await again.stop();
    }
  });
});
