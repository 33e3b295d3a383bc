// `classboard` under a quota lowered below what the classroom keeps (100 MB, the
// least the CLI takes): the sync names what it removed for room; the next night
// says the room left is smaller than the files waiting, not "缓存已满" at 70%;
// `selection` says the selection is bigger than the quota; `unkeep` of a lesson
// never kept on its own changes nothing and says so. The built bin (build lock) and nginx.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { writeFeed } from '../../main/feed/write';
import { cliRunner } from '../fixtures/cli';
import { sha256 } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';

const cliIn = cliRunner({ timeout: 120_000 });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-qs-'));
const key = generateSigningKey('qs');
const keyArg = `${key.keyId}=${key.publicKey}`;
const MB = 1024 ** 2;
const data = path.join(tmp, 'c');
let nginx: Nginx;

const blob = (name: string, size: number) => {
  const b = Buffer.alloc(size, 0x20);
  b.write(name);
  return b;
};

beforeAll(async () => {
  // 声音 is on the timetable (70 MB); 春 and 雨 are kept (40 MB each, and a small poster each).
  const files = { t: blob('t', 70 * MB), k1: blob('k1', 40 * MB), k2: blob('k2', 40 * MB), p1: blob('p1', 2048), p2: blob('p2', 2048) };
  const f = (b: Buffer, role: string, mime: string) => ({ role, sha256: sha256(b), size: b.length, mime, ...(role === 'main' ? { height: 720 } : {}) });
  await writeFeed(path.join(tmp, 'www', 'f'), {
    id: 'cn.qs',
    title: '配额',
    revision: 1,
    signingKey: key,
    shards: [
      {
        path: 'shards/a.json',
        nodes: [
          { id: 'l1', parent: null, kind: 'lesson', title: '声音', order: 1 },
          { id: 'l2', parent: null, kind: 'lesson', title: '春', order: 2 },
          { id: 'l3', parent: null, kind: 'lesson', title: '雨', order: 3 },
        ],
        resources: [
          { id: 'v1', node: 'l1', type: 'video', title: '声音（第一课时）', files: [f(files.t, 'main', 'video/mp4')] },
          { id: 'v2', node: 'l2', type: 'video', title: '春（第一课时）', files: [f(files.k1, 'main', 'video/mp4'), f(files.p1, 'poster', 'image/jpeg')] },
          { id: 'v3', node: 'l3', type: 'video', title: '雨（第一课时）', files: [f(files.k2, 'main', 'video/mp4'), f(files.p2, 'poster', 'image/jpeg')] },
        ],
      },
    ],
    blobs: Object.values(files).map((source) => ({ source })),
  });
  nginx = await startNginx(path.join(tmp, 'www'));
  expect((await cliIn(data, 'feeds', 'add', `${nginx.url}f/`, '--key', keyArg)).code).toBe(0);
  const csv = path.join(tmp, 'tt.csv');
  fs.writeFileSync(csv, '星期,节次,开始,结束,班级,课程\r\n星期三,1,8:00,8:40,三年级(2)班,cn.qs/v1\r\n');
  expect((await cliIn(data, 'timetable', 'import', csv)).code).toBe(0);
  expect((await cliIn(data, 'keep', 'cn.qs/l2', 'cn.qs/l3')).code).toBe(0);
  expect((await cliIn(data, 'sync', '--now')).code).toBe(0);
}, 180_000);
afterAll(async () => {
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a quota lowered below what the classroom keeps', () => {
  it('says which lessons were removed for room, then that the room left is too small for the files waiting', async () => {
    const first = await cliIn(data, 'sync', '--now', '--quota', '100MB');
    // Before: 下载 0 个文件, and nothing about the 80 MB removed.
    expect(first.stdout).toContain('为腾出缓存空间，清理了 2 个文件（80.0 MB），涉及：春（第一课时）、雨（第一课时）');
    const second = await cliIn(data, '--json', 'sync', '--now', '--quota', '100MB');
    const summary = JSON.parse(second.stdout) as { downloaded: { files: number }; evicted?: unknown; failed: { reason: string }[] };
    // Before: the posters removed the night before came back, and went again.
    expect(summary.downloaded.files).toBe(0);
    expect(summary.evicted).toBeUndefined();
    expect(summary.failed.map((f) => f.reason)).toEqual(['quota', 'quota']);
    const third = await cliIn(data, 'sync', '--now', '--quota', '100MB');
    // Before: 缓存已满，2 个文件没有下载：缓存已用 70.0 MB，上限 100.0 MB。
    expect(third.stdout).not.toContain('缓存已满');
    expect(third.stdout).toMatch(/缓存剩余空间不够，2 个文件没有下载：缓存上限 100\.0 MB，已用 70\.\d MB，剩余 \d+\.\d MB，放不下这些文件（每个约 40\.0 MB）/);
    expect(third.stdout).toContain('下载 0 个文件');
  }, 180_000);

  it('selection says the selection is bigger than the quota', async () => {
    expect((await cliIn(data, 'settings', '--quota', '100MB')).code).toBe(0);
    const r = await cliIn(data, 'selection');
    // Before: 离线保存 150.0 MB / 共 150.0 MB, beside a 100 MB quota, and nothing else.
    expect(r.stdout).toMatch(/所选 150\.0 MB 超过缓存上限 100\.0 MB，约 50\.0 MB 不会下载/);
  });

  it('unkeep of a lesson never kept on its own changes nothing and says so', async () => {
    const r = await cliIn(data, 'unkeep', 'cn.qs/l1');
    // Before: 离线保存所选内容：… and 已下载的 70.0 MB 仍留在本机…缓存空间不够时会先清理这些文件.
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cn.qs/l1（声音）没有单独勾选离线保存，没有改动：它在课表中，始终保存');
    expect(r.stdout).not.toContain('仍留在本机');
    const kept = await cliIn(data, '--json', 'selection');
    expect((JSON.parse(kept.stdout) as { keptBytes: number }).keptBytes).toBeGreaterThan(150 * MB - MB);
  });
});
