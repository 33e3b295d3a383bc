// A quota lowered below what the classroom keeps: the first night trims the cache
// to it, and every night after under the same quota moves nothing. Before, eviction
// made room for every file of the night, including videos the quota refuses anyway,
// so it evicted small kept files (posters) that the next night fetched back, then
// evicted again, for ever; and nobody was told what had gone. Real library, real
// cache folder, a signed feed on a real nginx.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import type { ShardNode, ShardResource } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import type { Services } from '../../main/services';
import { syncAll } from '../../main/sync/engine';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

const key = generateSigningKey('steady-2026');
const trust = { keys: { [key.keyId]: key.publicKey } };
const F = 'cn.test.steady';
const KB = 1024;
const VIDEO = 100 * KB;
const POSTER = 2 * KB;
const blob = (name: string, size: number) => {
  const b = Buffer.alloc(size, 0x20);
  b.write(name);
  return b;
};

type Lesson = { id: string; video: Buffer; poster: Buffer };
const lesson = (id: string): Lesson => ({ id, video: blob(`${id}-video`, VIDEO), poster: blob(`${id}-poster`, POSTER) });
// T*: on the timetable (never evicted); K*: kept like everything else.
const T = ['T1', 'T2'].map(lesson);
const K = ['K1', 'K2', 'K3', 'K4'].map(lesson);
const T3 = lesson('T3');

async function publish(dir: string, revision: number, lessons: Lesson[]) {
  const nodes: ShardNode[] = [{ id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 }];
  const resources: ShardResource[] = lessons.map((l, i) => {
    nodes.push({ id: l.id, parent: 'xx', kind: 'lesson', title: `课${l.id}`, order: i });
    return {
      id: `r${l.id}`,
      node: l.id,
      type: 'video',
      title: `视频${l.id}`,
      files: [
        { role: 'main', sha256: sha256Hex(l.video), size: l.video.length, mime: 'video/mp4', height: 720 },
        { role: 'poster', sha256: sha256Hex(l.poster), size: l.poster.length, mime: 'image/jpeg' },
      ],
    };
  });
  const blobs = lessons.flatMap((l) => [{ source: l.video }, { source: l.poster }]);
  await writeFeed(dir, { id: F, title: '测试', revision, signingKey: key, shards: [{ path: 'shards/a.json', nodes, resources }], blobs });
  const t = new Date(Date.UTC(2026, 10, 20 + revision));
  fs.utimesSync(path.join(dir, 'feed.json'), t, t);
}

const has = (s: Services, b: Buffer) => s.blobs.has(sha256Hex(b));
const onDisk = (s: Services) => (s.db.prepare('SELECT sha256 FROM blobs ORDER BY sha256').pluck().all() as string[]).join();

let tmp: string;
let nginx: Nginx;
let s: Services;
let quota: number;
const sync = () => syncAll(s, { maxHeight: 720, retries: 0, backoffMs: 0, quotaBytes: quota });

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-evict-steady-'));
  fs.mkdirSync(path.join(tmp, 'www'));
  nginx = await startNginx(path.join(tmp, 'www'));
  await publish(path.join(tmp, 'www', 'f'), 1, [...T, ...K]);
  s = hubServices(path.join(tmp, 'data'), 't');
  await s.importFeed(`${nginx.url}f/`, trust);
  // No quota yet: everything comes (the classroom kept it all).
  expect((await syncAll(s, { maxHeight: 720, retries: 0 })).failed).toEqual([]);
  const set = await s.router.invoke('timetable:set', {
    entries: T.map((l, i) => ({ weekday: 1 + i, period: 1, starts: '08:00', ends: '08:40', className: '', resourceId: `${F}/r${l.id}` })),
  });
  expect(set.ok).toBe(true);
  // The posters were fetched after the videos of their lessons (used longest ago: first in line before).
  for (const l of K) s.db.prepare('UPDATE blobs SET last_used_at = 0 WHERE sha256 = ?').run(sha256Hex(l.poster));
  // The admin lowers the quota: the catalog, the timetabled lessons and every poster fit, with 60 KB over: no kept video.
  const catalog = s.db.prepare('SELECT coalesce(sum(b.size), 0) FROM blobs b WHERE EXISTS (SELECT 1 FROM shards h WHERE h.sha256 = b.sha256)').pluck().get() as number;
  quota = catalog + T.length * (VIDEO + POSTER) + K.length * POSTER + 60 * KB;
}, 60_000);
afterAll(async () => {
  s?.close();
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a quota lowered below what the classroom keeps', () => {
  it('the first night removes the videos that do not fit, keeps every small file, and says which lessons went', async () => {
    const r = await sync();
    // Before: the least recently used files went first, the posters among them, and nothing was said.
    for (const l of [...T, ...K]) expect(has(s, l.poster)).toBe(true);
    for (const l of T) expect(has(s, l.video)).toBe(true);
    expect(K.filter((l) => has(s, l.video))).toEqual([]);
    expect(s.blobs.totals().bytes).toBeLessThanOrEqual(quota);
    expect(r.evicted).toEqual({ files: 4, bytes: 4 * VIDEO, lessons: K.map((l) => `视频${l.id}`) });
  });

  it('the next nights under the same quota download nothing and evict nothing', async () => {
    for (let night = 0; night < 3; night++) {
      const before = onDisk(s);
      const r = await sync();
      // Before: the posters evicted the night before came back, and others went.
      expect(r.downloaded.files).toBe(0);
      expect(r.evicted).toBeUndefined();
      expect(onDisk(s)).toBe(before);
      // The kept videos are reported as not fitting, each night alike.
      expect(r.failed.map((f) => [f.resources.join(), f.reason]).sort()).toEqual(K.map((l) => [`视频${l.id}`, 'quota']));
    }
  });

  it('never evicts a small kept file for a more urgent file that cannot fit anyway', async () => {
    // A new timetabled lesson whose 100 KB video cannot fit beside the other timetabled lessons, whatever goes.
    await publish(path.join(tmp, 'www', 'f'), 2, [...T, ...K, T3]);
    const set = await s.router.invoke('timetable:set', {
      entries: [...T, T3].map((l, i) => ({ weekday: 1 + i, period: 1, starts: '08:00', ends: '08:40', className: '', resourceId: `${F}/r${l.id}` })),
    });
    expect(set.ok).toBe(true);
    const r = await sync();
    // Before: every kept poster was evicted for the video, which the quota then refused.
    for (const l of K) expect(has(s, l.poster)).toBe(true);
    expect(r.evicted).toBeUndefined();
    // Its poster fits, and comes; its video is refused.
    expect(has(s, T3.poster)).toBe(true);
    expect(r.failed.some((f) => f.sha256 === sha256Hex(T3.video) && f.reason === 'quota')).toBe(true);
  });
});
