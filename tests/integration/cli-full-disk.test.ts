// `classboard` on a full disk, as an IT admin meets it: the data folder on a real
// 30 MB tmpfs (root only, as sync-full-disk.test.ts; CI runs as root), filled by
// another program before a command or during a sync. And a night's failures
// printed one line per cause, not one per file. Runs the built bin (build lock).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, type SigningKey } from '../../main/feed/keys';
import { writeFeed } from '../../main/feed/write';
import { cliIn } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { fillDisk, mountTmpfs, unmountTmpfs } from '../fixtures/tmpfs';


const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-full-'));
const small = path.join(tmp, 'small');
const filler = path.join(small, 'filler');
const cannotMount = mountTmpfs(small, '30m');

/** Another program takes every free byte, as `dd if=/dev/zero of=small/filler` did. */
function fillSmall(): void {
  fillDisk(filler);
  expect(fs.statfsSync(small).bavail).toBe(0);
}

/** A catalog of `lessons` lessons with `perLesson` videos each of `size` bytes, none of them on the server. */
async function writeBigFeed(dir: string, key: SigningKey, id: string, lessons: number, perLesson: number, size: number) {
  const nodes = Array.from({ length: lessons }, (_, i) => ({ id: `l${i}`, parent: null, kind: 'lesson' as const, title: `第${i + 1}课`, order: i + 1 }));
  const resources = nodes.flatMap((n, i) =>
    Array.from({ length: perLesson }, (_, j) => ({
      id: `r${i}-${j}`,
      node: n.id,
      type: 'video' as const,
      title: `${n.title}（第${j + 1}课时）`,
      files: [{ role: 'main', sha256: crypto.randomBytes(32).toString('hex'), size, mime: 'video/mp4', height: 720 }],
    })),
  );
  await writeFeed(dir, { id, title: id, revision: 1, signingKey: key, shards: [{ path: 'shards/a.json', nodes, resources }] });
}

const key = generateSigningKey('full-cli');
const keyArg = `${key.keyId}=${key.publicKey}`;
let nginx: Nginx;
let videos: string[];

beforeAll(async () => {
  // Three 3 MiB videos: under a 2 MB/s cap a file takes 1.5 s, time for the disk to fill between two.
  videos = await writeBlobFeed(path.join(tmp, 'www', 'videos'), { id: 'cn.full.videos', title: '满盘视频', key, blobs: [0, 1, 2].map(() => crypto.randomBytes(3 * 1024 ** 2)), lesson: '满盘测试课' });
  await writeBigFeed(path.join(tmp, 'www', 'many'), key, 'cn.full.many', 8, 5, 1024 ** 2);
  await writeBigFeed(path.join(tmp, 'www', 'big'), key, 'cn.full.big', 2, 3, 150 * 1024 ** 2);
  nginx = await startNginx(path.join(tmp, 'www'));
});
afterAll(async () => {
  await nginx?.stop();
  unmountTmpfs(small);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(cannotMount !== null)(`classboard on a full disk${cannotMount ? ` (skipped: cannot mount a tmpfs: ${cannotMount})` : ''}`, () => {
  it('status still reads the library; verify, sync and settings say the disk is full, with its free space and the folder', async () => {
    const data = path.join(small, 'c1');
    expect((await cliIn(data, 'feeds', 'add', `${nginx.url}videos/`, '--key', keyArg)).code).toBe(0);
    fillSmall();
    try {
      // Before: every command printed "classboard: disk I/O error" with exit 70 (the WAL index could not be sized).
      const status = await cliIn(data, 'status');
      expect(status.stderr).toBe('');
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/满盘视频（cn\.full\.videos）第 1 版：3 个资源/);
      expect(status.stdout).toContain(`数据文件夹所在的磁盘已满（剩余 0 B）：${data}。资料库只能读取`);
      expect(JSON.parse((await cliIn(data, '--json', 'status')).stdout).feeds).toEqual([expect.objectContaining({ id: 'cn.full.videos' })]);

      const full = `classboard: 数据文件夹所在的磁盘已满（剩余 0 B）：${data}。`;
      const verify = await cliIn(data, 'verify');
      expect(verify.stderr).toContain(full);
      expect(verify.code).toBe(1);
      // A sync that could not run is a failed night (2), as cron reads it.
      const sync = await cliIn(data, 'sync', '--now');
      expect(sync.stderr).toContain(`${full}同步已停止`);
      expect(sync.code).toBe(2);
      const settings = await cliIn(data, 'settings', '--floor', '1GB');
      expect(settings.stderr).toContain(full);
      expect(settings.code).toBe(1);
      // Showing the settings only reads.
      expect(await cliIn(data, 'settings')).toMatchObject({ code: 0, stdout: expect.stringContaining('保留磁盘空间 2.0 GB') });
      const json = await cliIn(data, '--json', 'verify');
      expect(JSON.parse(json.stderr)).toEqual({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('数据文件夹所在的磁盘已满') } });
    } finally {
      fs.rmSync(filler);
    }
    // Space again: the library is whole and writable, and says nothing of a full disk.
    expect((await cliIn(data, 'settings', '--floor', '0MB')).code).toBe(0);
    const after = await cliIn(data, 'status');
    expect(after.stdout).not.toContain('磁盘已满');
    fs.rmSync(data, { recursive: true });
  }, 120_000);

  /** A sync at 2 MB/s; once its first file is in the cache, another program fills the disk. */
  async function syncFillingDisk(data: string, ...flags: string[]) {
    expect((await cliIn(data, 'feeds', 'add', `${nginx.url}videos/`, '--key', keyArg)).code).toBe(0);
    const child = spawn(process.execPath, ['bin/classboard.js', '--data', data, ...flags, 'sync', '--now', '--rate', '2MB', '--concurrency', '1', '--floor', '0MB']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const blobs = path.join(data, 'cache', 'blobs');
    // The videos only: the catalog's shard is in the cache already.
    const cached = () => videos.filter((sha) => fs.existsSync(path.join(blobs, sha.slice(0, 2), sha)));
    for (let i = 0; i < 400 && cached().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(cached().length).toBe(1);
    await new Promise((r) => setTimeout(r, 300)); // its row in the library, then the next file is on its way
    fillSmall();
    try {
      return { code: await exited, stdout, stderr };
    } finally {
      fs.rmSync(filler);
      fs.rmSync(data, { recursive: true });
    }
  }

  it('a disk that fills during sync: the full disk first, then what did come; exit 2', async () => {
    const data = path.join(small, 'c2');
    const r = await syncFillingDisk(data);
    // Before: only "classboard: 磁盘已满，同步已停止" on stderr, exit 1, and no word of the file that came.
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^数据文件夹所在的磁盘已满（剩余 [\\d.]+ [KM]?B）：${data}。同步已停止，已下载的文件都保留`));
    expect(r.stdout).toMatch(/cn\.full\.videos：目录没有变化/);
    expect(r.stdout).toMatch(/下载 1 个文件，3\.0 MB/);
  }, 120_000);

  it('the same with --json: the summary, the full disk as its first failure', async () => {
    const data = path.join(small, 'c3');
    const r = await syncFillingDisk(data, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    const summary = JSON.parse(r.stdout);
    expect(summary.downloaded).toEqual({ files: 1, bytes: 3 * 1024 ** 2 });
    expect(summary.feeds).toEqual([expect.objectContaining({ id: 'cn.full.videos', outcome: 'unchanged' })]);
    expect(summary.failed[0]).toMatchObject({ reason: 'disk-full', error: expect.stringContaining(`数据文件夹所在的磁盘已满`) });
  }, 120_000);

  it('a fresh classroom on a 30 MB disk under the 2 GB floor: one line for the cause, with both numbers and the command', async () => {
    const data = path.join(small, 'c4');
    expect((await cliIn(data, 'feeds', 'add', `${nginx.url}many/`, '--key', keyArg)).code).toBe(0);
    const r = await cliIn(data, 'sync', '--now');
    expect(r.code).toBe(2);
    // Before: 40 lines "失败：… — 超出缓存配额或磁盘余量 / over the cache quota or the free-disk floor".
    expect(r.stdout).not.toContain('超出缓存配额或磁盘余量');
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(lines).toContain('失败 40 个文件，按原因：');
    const floor = lines.find((l) => l.includes('磁盘余量不足'));
    expect(floor).toMatch(/40 个文件没有下载：磁盘剩余 2\d(\.\d)? MB，须保留 2\.0 GB（保留磁盘空间）/);
    expect(floor).toContain('classboard settings --floor');
    expect(floor).toMatch(/ 涉及：(第\d课（第\d课时）、){4}第\d课（第\d课时） 等 40 节课$/);
    expect(floor).not.toContain('--quota');
    // --json keeps every failure.
    const json = JSON.parse((await cliIn(data, '--json', 'sync', '--now')).stdout);
    expect(json.failed).toHaveLength(40);
    // The floor, as the engine found it in the way: `status` reads the reason later, without this run's limits.
    expect(new Set(json.failed.map((f: { reason: string }) => f.reason))).toEqual(new Set(['floor']));
    fs.rmSync(data, { recursive: true });
  }, 120_000);
});

describe('classboard sync over its cache quota', () => {
  it('says files bigger than the whole quota are, with the quota and the command, once, naming the lessons', async () => {
    const data = path.join(tmp, 'quota');
    expect((await cliIn(data, 'feeds', 'add', `${nginx.url}big/`, '--key', keyArg)).code).toBe(0);
    // Files of 150 MB against a 100 MB quota, on a disk with room (a floor of 1 MB): no
    // lower rendition, and not a full cache (it said 缓存已满 of an empty one).
    const r = await cliIn(data, 'sync', '--now', '--quota', '100MB', '--floor', '1MB');
    expect(r.code).toBe(2);
    const line = r.stdout.split('\n').find((l) => l.includes('比缓存上限'));
    expect(line).toMatch(/^ {2}6 个文件比缓存上限（100\.0 MB）还大，课里也没有放得下的较低清晰度，没有下载：.*请把缓存上限调高到比文件大（classboard settings --quota /);
    expect(line).toMatch(/ 涉及：(第\d课（第\d课时）、){4}第\d课（第\d课时） 等 6 节课/);
    expect(r.stdout).not.toMatch(/缓存已满|磁盘|unkeep/);
    expect(r.stdout.match(/比缓存上限（/g)).toHaveLength(1);
  }, 120_000);
});
