// `classboard status` (and the commands beside it) naming the real cause, as a
// school's IT admin needs it: files refused for the disk's free-space floor or a
// disk too small, not "缓存已满"; a library rebuilt after corruption, not a silent
// unsubscribe; a timetabled lesson whose feed the admin removed, not "the platform
// removed it"; rates shown with their bytes. The built bin (build lock), nginx, a tmpfs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliRunner } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { mountTmpfs, unmountTmpfs } from '../fixtures/tmpfs';

const cliIn = cliRunner({ timeout: 120_000 });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-causes-'));
const small = path.join(tmp, 'small');
const cannotMount = mountTmpfs(small, '30m');
const key = generateSigningKey('causes');
const keyArg = `${key.keyId}=${key.publicKey}`;
let nginx: Nginx;
let kept: string[];

beforeAll(async () => {
  await writeBlobFeed(path.join(tmp, 'www', 'few'), { id: 'cn.causes.few', title: '少量', key, blobs: [1, 2, 3, 4].map(() => crypto.randomBytes(1024 ** 2)), lesson: '余量课' });
  await writeBlobFeed(path.join(tmp, 'www', 'big'), { id: 'cn.causes.big', title: '大文件', key, blobs: [1, 2].map(() => crypto.randomBytes(40 * 1024 ** 2)), lesson: '大课' });
  kept = await writeBlobFeed(path.join(tmp, 'www', 'kept'), { id: 'cn.causes.kept', title: '重建', key, blobs: [1, 2, 3].map(() => crypto.randomBytes(200_000)), lesson: '重建课' });
  nginx = await startNginx(path.join(tmp, 'www'));
});
afterAll(async () => {
  await nginx?.stop();
  unmountTmpfs(small);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(cannotMount !== null)('classboard status after files were refused for space on the disk', () => {
  it('names the free-space floor, not a full cache, when no quota is set (text and --json)', async () => {
    const data = path.join(small, 'floor');
    expect((await cliIn(data, 'feeds', 'add', `${nginx.url}few/`, '--key', keyArg)).code).toBe(0);
    const sync = await cliIn(data, 'sync', '--now');
    expect(sync.code).toBe(2);
    expect(sync.stdout).toContain('须保留 2.0 GB（保留磁盘空间）');
    const status = await cliIn(data, 'status');
    expect(status.stdout).toContain('缓存上限 不限');
    // Before: 失败 4 个：缓存已满 4 个.
    expect(status.stdout).toContain('失败 4 个：磁盘余量低于保留磁盘空间 4 个');
    expect(status.stdout).not.toContain('缓存已满');
    const json = JSON.parse((await cliIn(data, '--json', 'status')).stdout);
    expect(new Set(json.lastSync.failed.map((f: { reason: string }) => f.reason))).toEqual(new Set(['floor']));
    fs.rmSync(data, { recursive: true });
  }, 120_000);

  it('names the disk when a file does not fit it at all (no floor)', async () => {
    const data = path.join(small, 'no-room');
    expect((await cliIn(data, 'feeds', 'add', `${nginx.url}big/`, '--key', keyArg)).code).toBe(0);
    const sync = await cliIn(data, 'sync', '--now', '--floor', '0');
    expect(sync.code).toBe(2);
    expect(sync.stdout).toMatch(/磁盘放不下，2 个文件没有下载：磁盘剩余 [\d.]+ MB。请清理这块磁盘。/);
    const status = await cliIn(data, 'status');
    expect(status.stdout).toContain('失败 2 个：磁盘放不下 2 个');
    expect(status.stdout).not.toContain('缓存已满');
    expect(JSON.parse((await cliIn(data, '--json', 'status')).stdout).lastSync.failed.map((f: { reason: string }) => f.reason)).toEqual(['no-room', 'no-room']);
    fs.rmSync(data, { recursive: true });
  }, 120_000);
});

describe('a library rebuilt after corruption', () => {
  it('status says so until a feed is subscribed again, sync refuses with nothing subscribed, and the files on disk are used again', async () => {
    const data = path.join(tmp, 'rebuilt');
    expect((await cliIn(data, 'feeds', 'add', `${nginx.url}kept/`, '--key', keyArg)).code).toBe(0);
    expect((await cliIn(data, 'sync', '--now', '--floor', '0')).code).toBe(0);
    // The library's file damaged (a power cut, a bad sector): not a database any more.
    fs.writeFileSync(path.join(data, 'library.db'), Buffer.alloc(8192, 'x'));
    const first = await cliIn(data, 'status');
    expect(first.stderr).toContain('资料库文件已损坏，已移至');
    const aside = /已移至 (\S+) 并新建资料库/.exec(first.stderr)![1]!;

    // Before: only that stderr line, once; then 还没有同步过 and 缓存 0 个文件.
    const status = await cliIn(data, 'status');
    expect(status.stderr).toBe('');
    expect(status.stdout).toContain(`资料库文件已损坏，已于`);
    expect(status.stdout).toContain(`移至 ${aside}，并新建了空的资料库`);
    expect(status.stdout).toContain('请重新订阅（classboard feeds add <地址>）');
    // The three videos and the catalog's shard.
    expect(status.stdout).toMatch(/缓存文件夹中还有 4 个文件（5\d\d KB）不在新建的资料库中：重新订阅后，下次同步会直接使用，不再下载/);
    const json = JSON.parse((await cliIn(data, '--json', 'status')).stdout);
    expect(json.recovered.from).toBe(aside);
    expect(json.unlisted.files).toBe(4);
    expect(json.unlisted.bytes).toBeGreaterThan(600_000);
    expect((await cliIn(data, 'feeds', 'list')).stdout).toContain('（没有订阅：资料库损坏后已新建');

    // Before: 下载 0 个文件，0 B, exit 0.
    const sync = await cliIn(data, 'sync', '--now');
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain('没有订阅任何资源库，请先用 classboard feeds add <地址> 添加');

    // Subscribed again, with the platform's copies gone: the next sync can only use what is on disk.
    for (const sha of kept) fs.rmSync(path.join(tmp, 'www', 'kept', 'blobs', sha.slice(0, 2), sha));
    expect((await cliIn(data, 'feeds', 'add', `${nginx.url}kept/`, '--key', keyArg)).code).toBe(0);
    expect((await cliIn(data, 'status')).stdout).not.toContain('资料库文件已损坏');
    const again = JSON.parse((await cliIn(data, '--json', 'sync', '--now', '--floor', '0')).stdout);
    expect(again.failed).toEqual([]);
    const after = JSON.parse((await cliIn(data, '--json', 'status')).stdout);
    expect(after.cachedBlobs).toBe(4);
    expect(after.unlisted).toEqual({ files: 0, bytes: 0 });
  }, 120_000);
});

describe('classboard feeds remove of a feed a timetabled lesson comes from', () => {
  it('says what goes with it, and status names the unsubscribed feed, not the platform', async () => {
    const data = path.join(tmp, 'remove');
    const folder = path.join(tmp, 'remove-feed');
    await writeBlobFeed(folder, { id: 'cn.causes.remove', title: '取消', key, blobs: [1, 2].map(() => crypto.randomBytes(1000)), lesson: '取消课' });
    expect((await cliIn(data, 'feeds', 'add', folder, '--key', keyArg)).code).toBe(0);
    const csv = path.join(tmp, 'remove.csv');
    fs.writeFileSync(csv, '星期,节次,开始,结束,班级,课程\n星期一,1,08:00,08:40,三（1）班,cn.causes.remove/r0\n');
    expect((await cliIn(data, 'timetable', 'import', csv)).code).toBe(0);

    const removed = await cliIn(data, 'feeds', 'remove', 'cn.causes.remove');
    expect(removed.code).toBe(0);
    // Before: 已取消订阅 cn.causes.remove, nothing more.
    expect(removed.stdout).toContain('已取消订阅 cn.causes.remove：2 个资源已移出资料库，课表中 1 节课的课程将不可用');
    const status = await cliIn(data, 'status');
    expect(status.stdout).toContain('课表中有 1 节课的课程所属资源库已取消订阅（星期一第 1 节（三（1）班） 第1课时）');
    expect(status.stdout).not.toContain('资源平台移除');
    expect(JSON.parse((await cliIn(data, '--json', 'status')).stdout).removedLessons).toMatchObject([{ resourceId: 'cn.causes.remove/r0', unsubscribed: true }]);
  }, 60_000);
});

describe('classboard settings shows each rate with its bytes', () => {
  it('so 2MB (16 Mbit/s) and 2mb (2 Mbit/s) cannot be mistaken', async () => {
    const data = path.join(tmp, 'rates');
    expect((await cliIn(data, 'settings', '--rate', '2MB', '--day-rate', '2mb')).stdout).toContain('夜间限速 16 Mbit/s（约 2 MB/s），白天 2 Mbit/s（约 250 KB/s）');
    expect((await cliIn(data, 'settings', '--rate', '2M', '--day-rate', '512kbit')).stdout).toContain('夜间限速 2 Mbit/s（约 250 KB/s），白天 512 kbit/s（约 64 KB/s）');
    expect((await cliIn(data, 'status')).stdout).toContain('夜间限速 2 Mbit/s（约 250 KB/s）');
  }, 60_000);
});
