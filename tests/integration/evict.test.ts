// Quota and LRU eviction on a real library with the demo feed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evictCache, parseSize } from '../../main/cache/evict';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';
import { syncAll } from '../../main/sync/engine';

let data: string;
let s: Services;

beforeEach(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-evict-'));
  s = hubServices(data, 't');
  await s.ensureDemoLibrary();
});
afterEach(() => {
  s.close();
  fs.rmSync(data, { recursive: true, force: true });
});

const idOf = async (q: string, type = 'video') => {
  const r = await s.router.invoke('library:search', { query: q });
  return r.ok ? r.value.results.find((x) => x.type === type)!.id : '';
};
const mainSha = async (id: string) => {
  const r = await s.router.invoke('library:resource', { id });
  return r.ok ? r.value.files.find((f) => f.role === 'main')!.sha256 : '';
};

describe('cache eviction', () => {
  it('evicts least recently used files down to the quota, never a timetable lesson or a favourite', async () => {
    const timetabled = await idOf('花的学校');
    const favourite = await idOf('长度和时间');
    await s.router.invoke('timetable:set', { entries: [{ weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '', resourceId: timetabled }] });
    await s.router.invoke('library:favourite', { id: favourite, favourite: true });
    const used = await idOf('三角形的内角和');
    await s.router.invoke('library:open', { id: used }); // recently used
    const before = s.blobs.totals();
    const r = evictCache(s.db, s.blobs, { quotaBytes: 600_000, freeBytes: () => Infinity });
    expect(r.short).toBe(false);
    expect(r.evicted).toBeGreaterThan(0);
    expect(s.blobs.totals().bytes).toBeLessThanOrEqual(600_000);
    expect(s.blobs.totals().bytes).toBeLessThan(before.bytes);
    expect(s.blobs.has(await mainSha(timetabled))).toBe(true);
    expect(s.blobs.has(await mainSha(favourite))).toBe(true);
    // Gone from view: the resource now says "not downloaded".
    const evictedSome = (await Promise.all(['找春天', '花的学校', '大青树'].map(async (q) => s.blobs.has(await mainSha(await idOf(q)))))).includes(false);
    expect(evictedSome).toBe(true);
  });

  it("keeps a timetabled period's whole lesson, not only the resource the timetable names", async () => {
    const timetabled = await idOf('大青树下的小学');
    await s.router.invoke('timetable:set', { entries: [{ weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '', resourceId: timetabled }] });
    const node = s.db.prepare('SELECT node_id FROM resources WHERE id = ?').pluck().get(timetabled);
    expect(s.db.prepare('SELECT count(*) FROM resources WHERE node_id = ?').pluck().get(node)).toBeGreaterThan(1);
    // Room for the catalog and the named video as it plays here (its 720p and poster; not the 360p copy) alone.
    const catalog = s.db.prepare('SELECT coalesce(sum(b.size), 0) FROM blobs b WHERE EXISTS (SELECT 1 FROM shards h WHERE h.sha256 = b.sha256)').pluck().get() as number;
    const sizes = s.db.prepare('SELECT f.size FROM resource_files f JOIN resources r ON r.rid = f.rid WHERE r.id = ? AND NOT (f.role = ? AND f.height < 720)').pluck();
    const own = (sizes.all(timetabled, 'main') as number[]).reduce((a, b) => a + b, 0);
    evictCache(s.db, s.blobs, { quotaBytes: catalog + own, freeBytes: () => Infinity });
    // As 今日课表 counts it: before, its other resources (the 学习任务单) were evicted and the period was red in the morning.
    const today = await s.router.invoke('timetable:today', { weekday: 1 });
    expect(today).toMatchObject({ ok: true, value: { lessons: [{ waiting: [] }] } });
  });

  it('says so when protected lessons alone exceed the quota', async () => {
    // The catalog's own shards stay while the feed is subscribed: a quota of just them.
    const catalog = s.db.prepare('SELECT coalesce(sum(b.size), 0) FROM blobs b WHERE EXISTS (SELECT 1 FROM shards h WHERE h.sha256 = b.sha256)').pluck().get() as number;
    expect(catalog).toBeGreaterThan(0);
    const r = evictCache(s.db, s.blobs, { quotaBytes: catalog, freeBytes: () => Infinity });
    expect(r.short).toBe(false); // nothing is protected yet: every file could go
    await s.ensureDemoLibrary();
    const fav = await idOf('花的学校');
    await s.router.invoke('library:favourite', { id: fav, favourite: true });
    // Re-import copies the files back, then the favourite is protected.
    await s.importFeed(path.resolve('assets/demo-feed'));
    const again = evictCache(s.db, s.blobs, { quotaBytes: catalog, freeBytes: () => Infinity });
    expect(again.short).toBe(true);
    expect(s.blobs.has(await mainSha(fav))).toBe(true);
  });

  it('collects files no lesson refers to any more, whatever the quota', async () => {
    const orphan = Buffer.from('left over from a removed lesson');
    const sha = (await import('../../main/feed/keys')).sha256Hex(orphan);
    await s.blobs.putBuffer(orphan, { sha256: sha, size: orphan.length });
    s.blobs.record({ sha256: sha, size: orphan.length });
    const r = evictCache(s.db, s.blobs);
    expect(r.unreferenced).toBe(1);
    expect(s.blobs.has(sha)).toBe(false);
  });

  it('frees space to keep the disk above its floor', () => {
    let free = 1_000_000;
    const r = evictCache(s.db, s.blobs, {
      floorBytes: 1_500_000,
      freeBytes: () => free,
    });
    // Removing files does not change this fake disk: eviction goes as far as it may, then reports short.
    expect(r.evicted).toBeGreaterThan(0);
    expect(r.short).toBe(true);
    free = 2_000_000;
    expect(evictCache(s.db, s.blobs, { floorBytes: 1_500_000, freeBytes: () => free }).evicted).toBe(0);
  });
});

describe('sizes', () => {
  it('reads sizes the way admins write them', () => {
    expect(parseSize('20GB')).toBe(20 * 1024 ** 3);
    expect(parseSize('500 MB')).toBe(500 * 1024 ** 2);
    expect(parseSize('1.5t')).toBe(1.5 * 1024 ** 4);
    expect(() => parseSize('lots')).toThrow(/20GB/);
    expect(parseSize('20GiB')).toBe(20 * 1024 ** 3);
    expect(parseSize('100b')).toBe(100);
    expect(parseSize('0')).toBe(0);
  });

  it('refuses a number without a unit, in Chinese (before: --quota 100 was 100 bytes, and the next sync emptied the cache)', () => {
    expect(() => parseSize('100')).toThrow(/缺少单位.*100GB/);
    expect(() => parseSize(' 1.5 ')).toThrow(/缺少单位/);
  });
});

describe('the nightly sync on a library imported from a folder (the demo, a USB stick)', () => {
  it('runs, and names the files gone from the cache as only on that folder, asking nothing of the network', async () => {
    const evicted = evictCache(s.db, s.blobs, { quotaBytes: 0, freeBytes: () => Infinity });
    expect(evicted.evicted).toBeGreaterThan(0);
    // Before: the folder's path taken as a URL base threw, and no file of any feed was fetched;
    // then the files were left out of the plan, and the page said everything was downloaded.
    const r = await syncAll(s, { retries: 0 });
    expect(r.downloaded).toEqual({ files: 0, bytes: 0 });
    expect(r.failed.length).toBeGreaterThan(0);
    expect(r.failed.every((f) => /重新导入/.test(f.error))).toBe(true);
    // The lesson page says the same, not "ready after tonight's sync".
    const lesson = await s.router.invoke('library:resource', { id: r.failed[0]!.resources[0]! });
    expect(lesson.ok && lesson.value.syncable).toBe(false);
  });
});
