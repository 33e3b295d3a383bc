// `classboard sync --quota 100MB` under a lesson whose 720p file is bigger than
// that (the admin's 120 MB video): the sync takes its 360p and says why, and
// status repeats it; a lesson with no rendition that fits is said to be bigger
// than the quota, with both sizes and --quota, not "缓存已满 … unkeep". The built
// bin (build lock) and nginx.
import crypto from 'node:crypto';
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-qr-'));
const key = generateSigningKey('qr');
const keyArg = `${key.keyId}=${key.publicKey}`;
const MB = 1024 ** 2;
let nginx: Nginx;

beforeAll(async () => {
  const hd = crypto.randomBytes(120 * MB);
  const sd = crypto.randomBytes(200_000);
  const lone = crypto.randomBytes(110 * MB);
  const main = (b: Buffer, height: number) => ({ role: 'main', sha256: sha256(b), size: b.length, mime: 'video/mp4', height });
  await writeFeed(path.join(tmp, 'www', 'f'), {
    id: 'cn.qr',
    title: '清晰度',
    revision: 1,
    signingKey: key,
    shards: [
      {
        path: 'shards/a.json',
        nodes: [
          { id: 'l1', parent: null, kind: 'lesson', title: '分数的初步认识', order: 1 },
          { id: 'l2', parent: null, kind: 'lesson', title: '春', order: 2 },
        ],
        resources: [
          { id: 'v1', node: 'l1', type: 'video', title: '分数的初步认识（第一课时）', files: [main(hd, 720), main(sd, 360)] },
          { id: 'v2', node: 'l2', type: 'video', title: '春（第一课时）', files: [main(lone, 720)] },
        ],
      },
    ],
    blobs: [hd, sd, lone].map((source) => ({ source })),
  });
  nginx = await startNginx(path.join(tmp, 'www'));
}, 120_000);
afterAll(async () => {
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('classboard sync with a quota smaller than a lesson’s video', () => {
  it('takes the 360p the quota holds, says so, and status repeats it', async () => {
    const data = path.join(tmp, 'c1');
    expect((await cliIn(data, 'feeds', 'add', `${nginx.url}f/`, '--key', keyArg)).code).toBe(0);
    expect((await cliIn(data, 'keep', 'cn.qr/l1')).code).toBe(0);
    const sync = await cliIn(data, 'sync', '--now', '--quota', '100MB');
    expect(sync.stdout).not.toContain('缓存已满');
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain('下载 1 个文件，195 KB');
    expect(sync.stdout).toContain('1 节课的视频比缓存上限大，改用了较低清晰度');
    const status = await cliIn(data, 'status');
    expect(status.stdout).toContain('1 节课的视频比缓存上限大，改用了较低清晰度');
    const json = JSON.parse((await cliIn(data, '--json', 'status')).stdout);
    expect(json.lastSync).toMatchObject({ failed: [], downsized: 1 });
  }, 120_000);

  it('a lesson with no rendition under the quota: bigger than the quota, both sizes, raise --quota', async () => {
    const data = path.join(tmp, 'c2');
    expect((await cliIn(data, 'feeds', 'add', `${nginx.url}f/`, '--key', keyArg)).code).toBe(0);
    expect((await cliIn(data, 'keep', 'cn.qr/l2')).code).toBe(0);
    const sync = await cliIn(data, 'sync', '--now', '--quota', '100MB');
    expect(sync.code).toBe(2);
    // Before: 缓存已满，1 个文件没有下载：缓存已用 1.3 MB，上限 100.0 MB。…或少选一些离线内容（classboard unkeep）。
    expect(sync.stdout).toContain('1 个文件比缓存上限（100.0 MB）还大');
    expect(sync.stdout).toContain('文件 110.0 MB，比缓存上限 100.0 MB 还大');
    expect(sync.stdout).toContain('classboard settings --quota');
    expect(sync.stdout).not.toMatch(/缓存已满|unkeep/);
    const status = await cliIn(data, 'status');
    expect(status.stdout).toContain('失败 1 个：文件比缓存上限还大 1 个');
  }, 120_000);
});
