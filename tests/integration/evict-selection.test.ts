// Eviction follows the offline selection and makes room for the night's queue.
// A classroom synced two grades, then the admin kept only one and set a quota (or
// a free-disk floor): the unkept grade and unused renditions must go first, and
// enough of them for tonight's files, so every kept file is on disk and the run
// ends without failures. Real library, real cache folder, feed on a real nginx.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskFree } from '../../main/cache/evict';
import { verifyCache } from '../../main/cache/verify';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import type { ShardNode, ShardResource } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import type { Services } from '../../main/services';
import { syncAll } from '../../main/sync/engine';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';
import { mountTmpfs, unmountTmpfs } from '../fixtures/tmpfs';

const key = generateSigningKey('evict-2026');
const trust = { keys: { [key.keyId]: key.publicKey } };
const F = 'cn.test.evict';

type Lesson = { id: string; grade: 'g3' | 'g4'; hd: Buffer; sd: Buffer };
/** Whole pages, so a tmpfs counts exactly what the test expects. */
const blob = (name: string, size: number) => {
  const b = Buffer.alloc(size, 0x20);
  b.write(name);
  return b;
};
const lesson = (id: string, grade: Lesson['grade'], unit: number): Lesson => ({ id, grade, hd: blob(`${id}-1080`, 2 * unit), sd: blob(`${id}-720`, unit) });

/** 小学 › 三年级 (A…) and 四年级 (B…), one video per lesson in 1080p and 720p. */
async function publish(dir: string, revision: number, lessons: Lesson[]) {
  const nodes: ShardNode[] = [
    { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
    { id: 'g3', parent: 'xx', kind: 'grade', title: '三年级', order: 1 },
    { id: 'g4', parent: 'xx', kind: 'grade', title: '四年级', order: 2 },
  ];
  const resources: ShardResource[] = lessons.map((l, i) => {
    nodes.push({ id: l.id, parent: l.grade, kind: 'lesson', title: `课${l.id}`, order: i });
    return {
      id: `r${l.id}`,
      node: l.id,
      type: 'video',
      title: `视频${l.id}`,
      files: [
        { role: 'main', sha256: sha256Hex(l.hd), size: l.hd.length, mime: 'video/mp4', height: 1080 },
        { role: 'main', sha256: sha256Hex(l.sd), size: l.sd.length, mime: 'video/mp4', height: 720 },
      ],
    };
  });
  const blobs = lessons.flatMap((l) => [{ source: l.hd }, { source: l.sd }]);
  await writeFeed(dir, { id: F, title: '测试', revision, signingKey: key, shards: [{ path: 'shards/a.json', nodes, resources }], blobs });
  // nginx's ETag is mtime (seconds) + size: each revision gets its own time.
  const t = new Date(Date.UTC(2026, 10, 20 + revision));
  fs.utimesSync(path.join(dir, 'feed.json'), t, t);
}

const has = (s: Services, b: Buffer) => s.blobs.has(sha256Hex(b));
/** A teacher opened these lessons, in this order: their cached files are now the most recently used. */
async function open(s: Services, ls: Lesson[]) {
  for (const l of ls) {
    // Last use is kept in milliseconds: two opens in the same one would tie.
    await new Promise((r) => setTimeout(r, 2));
    const r = await s.router.invoke('library:open', { id: `${F}/r${l.id}` });
    expect(r.ok).toBe(true);
  }
}

let tmp: string;
let nginx: Nginx;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-evict-sel-'));
  fs.mkdirSync(path.join(tmp, 'www'));
  nginx = await startNginx(path.join(tmp, 'www'));
});
afterAll(async () => {
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a quota after the admin kept one grade of two', () => {
  const U = 64 * 1024;
  const A = ['A1', 'A2', 'A3'].map((id) => lesson(id, 'g3', U));
  const B = ['B1', 'B2', 'B3'].map((id) => lesson(id, 'g4', U));
  const B4 = lesson('B4', 'g4', U);
  // Fits the kept grade (and the catalog, a few KB), not both grades.
  const quota = 4.5 * U;
  const dir = () => path.join(tmp, 'www', 'q');
  let s: Services;
  const sync = () => syncAll(s, { maxHeight: 720, retries: 0, backoffMs: 0, quotaBytes: quota });

  beforeAll(async () => {
    await publish(dir(), 1, [...A, ...B]);
    s = hubServices(path.join(tmp, 'q'), 't');
    await s.importFeed(`${nginx.url}q/`, trust);
    const all = await syncAll(s, { maxHeight: 720, retries: 0 });
    expect(all.failed).toEqual([]);
    // Since then the classes used 三年级 (so 四年级's files are the least recently used)…
    await open(s, A);
    // …and the admin kept only 四年级.
    const kept = await s.router.invoke('sync:keep', { ids: [`${F}/g4`], keep: true });
    expect(kept.ok).toBe(true);
  });
  afterAll(() => s?.close());

  it('evicts the unkept grade first: every kept file stays and the sync has no failures', async () => {
    const r = await sync();
    // Before: the least recently used files went, 四年级's, and the sync then turned each away as over the quota.
    expect(r.failed).toEqual([]);
    for (const l of B) expect(has(s, l.sd)).toBe(true);
    expect(A.filter((l) => has(s, l.sd))).toEqual([A[2]]); // least recently used first, and only as much as needed
    expect(s.blobs.totals().bytes).toBeLessThanOrEqual(quota);
  });

  it('makes room for the night’s new kept files, not just down to the quota', async () => {
    // A new 四年级 lesson: the cache is under the quota, but the lesson does not fit beside the unkept A3.
    await publish(dir(), 2, [...A, ...B, B4]);
    expect(s.blobs.totals().bytes + U).toBeGreaterThan(quota);
    const r = await sync();
    // Before: nothing was evicted (under the quota), and B4 failed every night.
    expect(r.failed).toEqual([]);
    expect(r.downloaded.files).toBe(1);
    for (const l of [...B, B4]) expect(has(s, l.sd)).toBe(true);
    expect(has(s, A[2]!.sd)).toBe(false);
    expect(await sync()).toMatchObject({ failed: [], downloaded: { files: 0 } });
  });

  it('never evicts a timetabled or favourite lesson; kept lessons make room only for more urgent ones, least recently used first', async () => {
    // 三年级's A3 goes on the timetable and A2 becomes a favourite: both wanted again, both more urgent than a kept lesson.
    await s.router.invoke('library:favourite', { id: `${F}/rA2`, favourite: true });
    const set = await s.router.invoke('timetable:set', { entries: [{ weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '', resourceId: `${F}/rA3` }] });
    expect(set.ok).toBe(true);
    await open(s, [B[2]!, B4]);
    const r = await sync();
    expect(r.failed).toEqual([]);
    expect([A[1], A[2]].map((l) => has(s, l!.sd))).toEqual([true, true]);
    expect([...B, B4].map((l) => has(s, l.sd))).toEqual([false, false, true, true]);
    // The next night: the kept lessons that no longer fit are reported, and nothing else moves (no lesson evicts another of its kind).
    const next = await sync();
    expect(next.downloaded.files).toBe(0);
    expect(next.failed.map((f) => [f.resources.join(), f.reason]).sort()).toEqual([
      ['视频B1', 'quota'],
      ['视频B2', 'quota'],
    ]);
    expect([A[1], A[2], B[2], B4].map((l) => has(s, l!.sd))).toEqual([true, true, true, true]);
  });
});

const U = 256 * 1024;
const floorDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-evict-floor-'));
const floorCache = path.join(floorDir, 'data', 'cache', 'blobs');
const cannotMount = mountTmpfs(floorCache, 24 * U);

describe.skipIf(cannotMount !== null)(`a free-disk floor after the admin kept one grade${cannotMount ? ` (skipped: cannot mount a tmpfs: ${cannotMount})` : ''}`, () => {
  const A = ['A1', 'A2', 'A3'].map((id) => lesson(id, 'g3', U));
  const B = ['B1', 'B2', 'B3'].map((id) => lesson(id, 'g4', U));
  const B4 = lesson('B4', 'g4', U);
  const dir = () => path.join(tmp, 'www', 'f');
  let s: Services;

  beforeAll(async () => {
    await publish(dir(), 1, [...A, ...B]);
    s = hubServices(path.join(floorDir, 'data'), 't');
    await s.importFeed(`${nginx.url}f/`, trust);
    // Every lesson at 720p, then at 1080p too (the classroom tried 1080p for a while).
    for (const maxHeight of [720, 1080]) expect((await syncAll(s, { maxHeight, retries: 0 })).failed).toEqual([]);
    // 四年级's 1080p copies were fetched side by side, so their order by last use is
    // whichever finished last; give them one: B1 used longest ago, B3 most recently.
    for (const l of B) {
      await new Promise((r) => setTimeout(r, 2));
      s.blobs.touch(sha256Hex(l.hd));
    }
    // Since then the classes used 三年级.
    await open(s, A);
    await s.router.invoke('sync:keep', { ids: [`${F}/g4`], keep: true });
    await publish(dir(), 2, [...A, ...B, B4]);
  });
  afterAll(() => {
    s?.close();
    unmountTmpfs(floorCache);
    fs.rmSync(floorDir, { recursive: true, force: true });
  });

  it('evicts unused renditions and the unkept grade, enough for tonight’s kept files, and never a kept 720p copy', async () => {
    // Back at 720p, and the disk already under the floor (as at the school: 30 MB disk, 5 MB floor).
    const floor = diskFree(floorCache) + 2 * U;
    const r = await syncAll(s, { maxHeight: 720, retries: 0, backoffMs: 0, floorBytes: floor });
    // Before: the least recently used files went (四年级's 720p copies) just until the floor, then every kept file was turned away.
    expect(r.failed).toEqual([]);
    for (const l of [...B, B4]) expect(has(s, l.sd)).toBe(true);
    expect(diskFree(floorCache)).toBeGreaterThanOrEqual(floor);
    // The oldest unused copies went first (四年级's 1080p), and only as many as the night needed.
    expect(B.map((l) => has(s, l.hd))).toEqual([false, false, true]);
    for (const l of A) expect(has(s, l.sd) && has(s, l.hd)).toBe(true);
  });
});
