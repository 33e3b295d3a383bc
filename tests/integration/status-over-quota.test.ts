// 待下载 on the sync page and in `classboard status` is what tonight's sync brings:
// files the cache quota will refuse are counted apart, as the night's eviction
// decides (a lesson no longer kept makes room; the rest does not fit). Before, the
// two refused files were in 待下载, which a teacher reads as "here tomorrow", and
// after the night `status` would still have said them queued. A signed feed on
// nginx, a real library, the night's real sync, and the built CLI (build lock).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { writeFeed } from '../../main/feed/write';
import { syncAll } from '../../main/sync/engine';
import { formatBytes, type SyncStatus } from '../../preload/contract';
import { cliRunner } from '../fixtures/cli';
import { sha256 } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { withServices } from '../fixtures/services';

const cliIn = cliRunner({ timeout: 120_000 });
const key = generateSigningKey('oq');
const F = 'cn.oq';
const SIZE = 30_000;
/** Four kept lessons' videos, and one of a lesson no longer kept (on disk from an earlier night). */
const videos = ['春', '夏', '秋', '冬', '雪'].map((title) => ({ title, bytes: crypto.randomBytes(SIZE) }));
let tmp: string;
let data: string;
let nginx: Nginx;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-oq-'));
  data = path.join(tmp, 'data');
  await writeFeed(path.join(tmp, 'www', 'f'), {
    id: F,
    title: '配额',
    revision: 1,
    signingKey: key,
    shards: [
      {
        path: 'shards/a.json',
        nodes: videos.map((v, i) => ({ id: `l${i + 1}`, parent: null, kind: 'lesson' as const, title: v.title, order: i + 1 })),
        resources: videos.map((v, i) => ({
          id: `v${i + 1}`,
          node: `l${i + 1}`,
          type: 'video' as const,
          title: `${v.title}（第一课时）`,
          files: [{ role: 'main' as const, sha256: sha256(v.bytes), size: SIZE, mime: 'video/mp4', height: 720 }],
        })),
      },
    ],
    blobs: videos.map((v) => ({ source: v.bytes })),
  });
  nginx = await startNginx(path.join(tmp, 'www'));
  await withServices(data, async (s) => {
    await s.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } });
    // An earlier night kept 雪 alone and brought it; now 春 to 冬 are kept and 雪 is not.
    s.selection.keep([`${F}/l5`], true);
    await syncAll(s, { maxHeight: 720 });
    expect(s.blobs.has(sha256(videos[4]!.bytes))).toBe(true);
    s.selection.keep([`${F}/l5`], false);
    s.selection.keep([1, 2, 3, 4].map((n) => `${F}/l${n}`), true);
    // Room under the quota, beside the catalog, for two of the four: 雪 leaves to make room, as the night evicts it.
    const catalog = s.blobs.totals().bytes - SIZE;
    s.sync.configure({ maxHeight: 720, quotaBytes: catalog + 2 * SIZE + SIZE / 2 });
  });
}, 60_000);
afterAll(async () => {
  await nginx?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const status = (): Promise<SyncStatus> =>
  withServices(data, async (s) => {
    const r = await s.router.invoke('sync:status', {});
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  });

describe('files the cache quota will refuse tonight', () => {
  it('are not counted in 待下载, on the page or in classboard status, and the night agrees', async () => {
    const before = await status();
    expect(before.queued).toEqual({ files: 2, bytes: 2 * SIZE });
    expect(before.overQuota).toEqual({ files: 2, bytes: 2 * SIZE });

    const cli = await cliIn(data, 'status');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`待下载 2 个文件（${formatBytes(2 * SIZE)}）`);
    expect(cli.stdout).toContain(`另有 2 个文件（${formatBytes(2 * SIZE)}）超出缓存上限，今晚不会下载`);
    const json = JSON.parse((await cliIn(data, '--json', 'status')).stdout) as { queued: unknown; overQuota: unknown };
    expect(json).toMatchObject({ queued: before.queued, overQuota: before.overQuota });

    // The night: what status said would come came, and what it said would not was refused for the quota.
    const night = await withServices(data, (s) => {
      const { quotaBytes } = s.sync.settings();
      return syncAll(s, { maxHeight: 720, quotaBytes: quotaBytes! });
    });
    expect(night.downloaded).toEqual({ files: 2, bytes: 2 * SIZE });
    expect(night.failed.map((f) => f.reason)).toEqual(['quota', 'quota']);
    expect(night.evicted?.lessons).toEqual(['雪（第一课时）']);

    // Next day: nothing more comes under this quota; neither says 所选内容已全部下载.
    const after = await status();
    expect(after.queued).toEqual({ files: 0, bytes: 0 });
    expect(after.overQuota).toEqual({ files: 2, bytes: 2 * SIZE });
    const next = await cliIn(data, 'status');
    expect(next.stdout).not.toContain('待下载');
    expect(next.stdout).not.toContain('所选内容已全部下载');
    expect(next.stdout).toContain(`另有 2 个文件（${formatBytes(2 * SIZE)}）超出缓存上限，今晚不会下载`);
  }, 120_000);
});
