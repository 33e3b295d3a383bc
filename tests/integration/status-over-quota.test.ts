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
import { planFor, syncAll } from '../../main/sync/engine';
import type { Services } from '../../main/services';
import { formatBytes, runBytes, type SyncStatus } from '../../preload/contract';
import { cliRunner } from '../fixtures/cli';
import { sha256 } from '../fixtures/feeds';
import { startHoldingServer, type HoldingServer } from '../fixtures/holding-server';
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

const statusOf = async (s: Services): Promise<SyncStatus> => {
  const r = await s.router.invoke('sync:status', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const status = (): Promise<SyncStatus> => withServices(data, statusOf);

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

// While a run goes on, 待下载 came from the run's own progress and overQuota was 0:
// the page dropped 另有 N 个文件…超出缓存上限，今晚不会下载 all night (and in a
// 立即同步), and 待下载 counted the refused files (their bytes even once refused).
// The run now carries the files its eviction found no room for (quotaRefusals, as
// the planner counts them before it) through its progress. Six kept lessons, room
// for four; the files come from a server on 127.0.0.1 that holds the answers the
// test names, so the run stands still where the test looks at it.
describe('files the cache quota refuses, while the run goes on', () => {
  const G = 'cn.oq.run';
  const six = ['甲', '乙', '丙', '丁', '戊', '己'].map((title) => ({ title, bytes: crypto.randomBytes(SIZE) }));
  let held: HoldingServer;
  let data2: string;

  beforeAll(async () => {
    held = await startHoldingServer(six.map((v) => v.bytes));
    data2 = path.join(tmp, 'data-run');
    await writeFeed(path.join(tmp, 'www', 'g'), {
      id: G,
      title: '配额（同步中）',
      revision: 1,
      signingKey: key,
      blobBases: [held.url],
      shards: [
        {
          path: 'shards/a.json',
          nodes: six.map((v, i) => ({ id: `l${i + 1}`, parent: null, kind: 'lesson' as const, title: v.title, order: i + 1 })),
          resources: six.map((v, i) => ({
            id: `v${i + 1}`,
            node: `l${i + 1}`,
            type: 'video' as const,
            title: `${v.title}（第一课时）`,
            files: [{ role: 'main' as const, sha256: sha256(v.bytes), size: SIZE, mime: 'video/mp4', height: 720 }],
          })),
        },
      ],
      blobs: six.map((v) => ({ source: v.bytes })),
    });
    await withServices(data2, async (s) => {
      await s.importFeed(`${nginx.url}g/`, { keys: { [key.keyId]: key.publicKey } });
      s.selection.keep(six.map((_, i) => `${G}/l${i + 1}`), true);
      // Room under the quota, beside the catalog, for four of the six.
      s.sync.configure({ maxHeight: 720, quotaBytes: s.blobs.totals().bytes + 4 * SIZE + SIZE / 2 });
    });
  }, 60_000);
  afterAll(async () => {
    await held?.close();
  });

  it('are said apart from 待下载 during the run, as before it and after it', async () => {
    await withServices(data2, async (s) => {
      const before = await statusOf(s);
      expect(before.queued).toEqual({ files: 4, bytes: 4 * SIZE });
      expect(before.overQuota).toEqual({ files: 2, bytes: 2 * SIZE });

      // The run's order: the first four come, the last two the quota refuses.
      const order = planFor(s, { maxHeight: 720, quotaBytes: s.sync.settings().quotaBytes! }).jobs.map((j) => six.find((v) => sha256(v.bytes) === j.sha256)!.bytes);
      expect(order).toHaveLength(6);
      // Its three downloads at once: two held on the first two files, the third brings the third, then is held on the fourth.
      const [first, second, , fourth] = order;
      const h1 = held.hold(first!);
      const h2 = held.hold(second!);
      const h4 = held.hold(fourth!);
      const night = s.sync.runNow();
      try {
        await h4.asked;
        // One file here, three under way, and the two the quota refuses not reached yet.
        const early = await statusOf(s);
        expect(early.state).toBe('running');
        expect(early.progress).toMatchObject({ files: 1, totalFiles: 6 });
        expect(early.overQuota).toEqual({ files: 2, bytes: 2 * SIZE });
        expect(early.queued).toEqual({ files: 3, bytes: 3 * SIZE });

        // The fourth comes, the run reaches the last two and refuses them for the quota, as its eviction said; then the first comes.
        h4.release();
        h1.release();
        await expect.poll(async () => (await statusOf(s)).progress?.files, { timeout: 20_000 }).toBe(5);
        const late = await statusOf(s);
        expect(late.progress).toMatchObject({ files: 5, totalFiles: 6, failed: 2, bytes: 3 * SIZE });
        expect(late.overQuota).toEqual({ files: 2, bytes: 2 * SIZE });
        // Only the held second file is still to come (before: 1 file and 3 files' bytes, the refused ones' too).
        expect(late.queued).toEqual({ files: 1, bytes: SIZE });

        // A teacher asks for a refused lesson now (立即下载): the quota refuses it once more, and the
        // run's bytes count it once (before: twice, so 待下载 said 2 files' bytes for the one held file).
        const refused = six.findIndex((v) => v.bytes === order[4]);
        const asked = await s.router.invoke('sync:fetch', { id: `${G}/v${refused + 1}` });
        expect(asked).toMatchObject({ ok: true, value: { joined: true } });
        await expect.poll(async () => (await statusOf(s)).progress?.files, { timeout: 20_000 }).toBe(6);
        const again = await statusOf(s);
        expect(again.progress).toMatchObject({ files: 6, totalFiles: 7, bytes: 3 * SIZE });
        expect(again.overQuota).toEqual({ files: 2, bytes: 2 * SIZE });
        expect(again.queued).toEqual({ files: 1, bytes: SIZE });
        expect(runBytes(again.progress!)).toBe(4 * SIZE);
      } finally {
        h1.release();
        h2.release();
        h4.release();
        // A failed check still lets the run end before its library closes.
        await night.catch(() => {});
      }
      const summary = await night;
      expect(summary.downloaded).toEqual({ files: 4, bytes: 4 * SIZE });
      expect(summary.failed.map((f) => f.reason)).toEqual(['quota', 'quota']);

      // Once it has ended: the planner's number again, with nothing more to come under this quota.
      const after = await statusOf(s);
      expect(after.progress).toBeNull();
      expect(after.queued).toEqual({ files: 0, bytes: 0 });
      expect(after.overQuota).toEqual({ files: 2, bytes: 2 * SIZE });
    });
  }, 60_000);
});
