// 现在下载这节课: at 05:00 (or by day, with the day's downloads paused) a lesson
// timetabled before tonight is fetched now, alone: the files of its every
// resource (a resource on a unit's node: its own), at the classroom's rendition,
// at the night cap, through the same downloader, checks and cache as the night's
// sync; the library then calls them ready. With a whole
// sync running, it goes first in that run rather than in a second one. A feed
// on a real nginx on 127.0.0.1.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LessonFetch, SyncSummary } from '../../preload/contract';
import { removeBlob } from '../../main/cache/evict';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import type { ShardNode, ShardResource } from '../../main/feed/schema';
import { holdSyncLock } from '../../main/sync/pid-lock';
import { writeFeed } from '../../main/feed/write';
import { schoolWeekday } from '../../main/library/timetable';
import { createServices, type Services } from '../../main/services';
import { startNginx, type Nginx } from '../fixtures/nginx';

const F = 'cn.test.now';
const key = generateSigningKey('now-2026');
const noon = () => new Date('2026-12-01T04:00:00Z'); // 12:00 in Asia/Shanghai: by day, downloads paused
const NIGHT_RATE = 1_000_000;
/** The classroom's clock: noon unless a test moves it. */
let clock = noon();

const bytes = (n: number, seed: number) => crypto.createHash('sha256').update(String(seed)).digest().toString('hex').repeat(Math.ceil(n / 64)).slice(0, n);
const blob = (n: number, seed: number) => Buffer.from(bytes(n, seed));
// r1, the lesson asked for: two renditions and a poster. r2: the same lesson's worksheet (another resource).
const A720 = blob(1_200_000, 1);
const A1080 = blob(2_000_000, 2);
const POSTER = blob(30_000, 3);
const SHEET = blob(100_000, 4);
// A whole run's work: four 1.5 MB videos, then a small lesson it would reach last.
const BIG = [5, 6, 7, 8].map((seed) => blob(1_500_000, seed));
const LATE = blob(300_000, 9);
// A lesson left out of the selection, for the hub switched off.
const AWAY = blob(50_000, 10);
// Material hung on a unit (the protocol allows it), not on one of its lessons: fetched one resource at a time.
const UNIT_SHEET = blob(40_000, 11);
const UNIT_VIDEO = blob(60_000, 12);

let tmp: string;
let nginx: Nginx;
let nginxUp = false;
let s: Services;
const lessonEvents: LessonFetch[] = [];
const finished: unknown[] = [];

const get = async <T>(p: Promise<{ ok: boolean; value?: T; error?: unknown }>) => {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
};
const readyOf = async (node: string) =>
  Object.fromEntries((await get<{ resources: { id: string; ready: boolean }[] }>(s.router.invoke('library:tree', { parent: `${F}/${node}` }))).resources.map((r) => [r.id.slice(F.length + 1), r.ready]));
/** Blob paths nginx served since `from` (its log), as sha256s. */
const servedBlobs = async (from: number) =>
  (await nginx.settled())
    .slice(from)
    .map((l) => /\/blobs\/[0-9a-f]{2}\/([0-9a-f]{64})/.exec(l)?.[1])
    .filter((x): x is string => !!x);
/** The last event of the fetch of lesson (node) `id`, or of a resource fetched alone. */
const lastFor = (id: string) => lessonEvents.filter((e) => e.id === `${F}/${id}`).at(-1);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-lesson-now-'));
  const nodes: ShardNode[] = [
    { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
    { id: 'sx', parent: 'xx', kind: 'subject', title: '数学', order: 1 },
    { id: 'l1', parent: 'sx', kind: 'lesson', title: '分数的初步认识', order: 1 },
    { id: 'l2', parent: 'sx', kind: 'lesson', title: '长方形和正方形', order: 2 },
    { id: 'l3', parent: 'sx', kind: 'lesson', title: '秋天的雨', order: 3 },
    { id: 'l4', parent: 'sx', kind: 'lesson', title: '认识钟表', order: 4 },
    { id: 'u1', parent: 'xx', kind: 'unit', title: '第一单元', order: 2 },
  ];
  const video = (b: Buffer, height = 720) => ({ role: 'main', sha256: sha256Hex(b), size: b.length, mime: 'video/mp4', height });
  const resources: ShardResource[] = [
    {
      id: 'r1',
      node: 'l1',
      type: 'video',
      title: '分数的初步认识（第一课时）',
      files: [video(A720), video(A1080, 1080), { role: 'poster', sha256: sha256Hex(POSTER), size: POSTER.length, mime: 'image/jpeg' }],
    },
    { id: 'r2', node: 'l1', type: 'pdf', title: '分数 学习任务单', files: [{ role: 'main', sha256: sha256Hex(SHEET), size: SHEET.length, mime: 'application/pdf' }] },
    ...BIG.map((b, i) => ({ id: `big${i}`, node: 'l2', type: 'video' as const, title: `长方形和正方形 ${i + 1}`, files: [video(b)] })),
    { id: 'late', node: 'l3', type: 'video', title: '秋天的雨（第一课时）', files: [video(LATE)] },
    { id: 'away', node: 'l4', type: 'video', title: '认识钟表', files: [video(AWAY)] },
    { id: 'usheet', node: 'u1', type: 'pdf', title: '第一单元 复习单', files: [{ role: 'main', sha256: sha256Hex(UNIT_SHEET), size: UNIT_SHEET.length, mime: 'application/pdf' }] },
    { id: 'uvideo', node: 'u1', type: 'video', title: '第一单元 整理', files: [video(UNIT_VIDEO)] },
  ];
  const blobs = [A720, A1080, POSTER, SHEET, ...BIG, LATE, AWAY, UNIT_SHEET, UNIT_VIDEO].map((source) => ({ source }));
  await writeFeed(path.join(tmp, 'www', 'feed'), { id: F, title: '市教育云', revision: 1, signingKey: key, shards: [{ path: 'shards/a.json', nodes, resources }], blobs });
  nginx = await startNginx(path.join(tmp, 'www'));
  nginxUp = true;
  s = createServices({ dataDir: path.join(tmp, 'data'), host: 'hub', mediaBase: '/media/', assetsDir: path.resolve('assets'), version: 't', sync: { now: () => clock } });
  await s.importFeed(`${nginx.url}feed/`, { keys: { [key.keyId]: key.publicKey } });
  // The classroom's settings: 720p screens, a night cap, nothing by day.
  s.sync.configure({ maxHeight: 720, nightRate: NIGHT_RATE, dayRate: 0 });
  s.sync.start();
  await get(
    s.router.invoke('timetable:set', {
      entries: [{ weekday: schoolWeekday(noon()), period: 1, starts: '08:00', ends: '08:40', className: '三(1)班', resourceId: `${F}/r1` }],
    }),
  );
  s.events.subscribe((name, payload) => {
    if (name === 'sync:lesson') lessonEvents.push(payload as LessonFetch);
    if (name === 'sync:finished') finished.push(payload);
  });
});
afterAll(async () => {
  s?.close();
  if (nginxUp) await nginx.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('现在下载这节课', () => {
  it('by day, with the day paused, fetches that resource\'s whole lesson at the classroom rendition, under the night cap, verified; then it is ready', async () => {
    expect(s.sync.scheduler.bucket.bytesPerSecond).toBe(0); // by day: paused
    expect(await readyOf('l1')).toEqual({ r1: false, r2: false });
    const from = (await nginx.settled()).length;
    const rates: number[] = [];
    const off = s.events.subscribe((name, e) => name === 'sync:lesson' && (e as LessonFetch).state === 'running' && rates.push(s.sync.scheduler.bucket.bytesPerSecond));
    const t0 = performance.now();

    const started = await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/r1` }));
    // The video asked for and the lesson's worksheet (before, the worksheet stayed behind for class time).
    const lessonBytes = A720.length + POSTER.length + SHEET.length;
    expect(started).toMatchObject({ id: `${F}/l1`, resources: [`${F}/r1`, `${F}/r2`], state: 'running', joined: false, files: 0, totalFiles: 3, totalBytes: lessonBytes });
    expect(s.sync.scheduler.bucket.bytesPerSecond).toBe(NIGHT_RATE);
    expect(s.sync.scheduler.mode()).toBe('manual');
    // Asked from the worksheet meanwhile (another screen, the lesson's side list): the same fetch, not a second; screens opened meanwhile find it.
    expect(await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/r2` }))).toMatchObject({ id: `${F}/l1`, state: 'running', totalFiles: 3 });
    expect((await get<{ items: LessonFetch[] }>(s.router.invoke('sync:fetching', {}))).items).toMatchObject([{ id: `${F}/l1`, resources: [`${F}/r1`, `${F}/r2`] }]);
    await expect.poll(() => lastFor('l1')?.state, { timeout: 20_000 }).toBe('done');
    const elapsed = performance.now() - t0;
    off();

    // Progress on the way: bytes of the total, growing.
    const mine = lessonEvents.filter((e) => e.id === `${F}/l1`);
    expect(mine.some((e) => e.state === 'running' && e.bytes > 0 && e.bytes < e.totalBytes)).toBe(true);
    expect(mine.at(-1)).toMatchObject({ files: 3, totalFiles: 3, bytes: lessonBytes, failures: [] });
    // At the night cap (a quarter second's burst), not paused, not uncapped.
    expect(rates.length).toBeGreaterThan(0);
    expect(rates.every((r) => r === NIGHT_RATE)).toBe(true);
    expect(elapsed).toBeGreaterThan(((lessonBytes - NIGHT_RATE / 4) / NIGHT_RATE) * 1000 - 100);

    // Only the lesson's files went over the wire, each once: not the 1080p copy, no other lesson, no catalog check.
    const served = await servedBlobs(from);
    expect(served.sort()).toEqual([sha256Hex(A720), sha256Hex(POSTER), sha256Hex(SHEET)].sort());
    expect((await nginx.settled()).slice(from).filter((l) => l.includes('feed.json'))).toEqual([]);
    expect((await get<{ items: LessonFetch[] }>(s.router.invoke('sync:fetching', {}))).items).toEqual([]);
    // In the cache, as the night's sync leaves a file: checked, under its hash.
    for (const b of [A720, POSTER, SHEET]) {
      expect(s.blobs.has(sha256Hex(b))).toBe(true);
      expect(sha256Hex(fs.readFileSync(s.blobs.pathFor(sha256Hex(b))))).toBe(sha256Hex(b));
    }
    // The library's ready flips for the whole lesson.
    expect(await readyOf('l1')).toEqual({ r1: true, r2: true });
    expect((await get<{ files: { sha256: string; cached: boolean }[] }>(s.router.invoke('library:open', { id: `${F}/r1` }))).files.find((f) => f.sha256 === sha256Hex(A720))?.cached).toBe(true);

    // Back to the day's pause; the night's result on the sync page is not replaced by one lesson.
    await s.sync.scheduler.whenIdle();
    expect(s.sync.scheduler.bucket.bytesPerSecond).toBe(0);
    expect((await s.sync.status()).last).toBeNull();
    // Asked again, there is nothing left to fetch.
    expect(await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/r1` }))).toMatchObject({ state: 'done', totalFiles: 0 });
  });

  it('counts a file an earlier run left half fetched from what is on disk, and fetches only the rest', async () => {
    const sha = sha256Hex(SHEET);
    removeBlob(s.db, s.blobs, sha); // the worksheet gone again (eviction); the lesson's video is still here
    fs.writeFileSync(path.join(s.blobs.tmpDir, `${sha}.part`), SHEET.subarray(0, 60_000));
    const from = (await nginx.settled()).length;
    const n = lessonEvents.length;
    const last = () => lessonEvents.slice(n).filter((e) => e.id === `${F}/l1`).at(-1);
    const started = await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/r2` }));
    // Before: 0 B of 100 KB, then a jump (the bar looked wrong).
    expect(started).toMatchObject({ state: 'running', bytes: 60_000, totalBytes: SHEET.length });
    await expect.poll(() => last()?.state, { timeout: 20_000 }).toBe('done');
    expect(last()).toMatchObject({ bytes: SHEET.length, totalBytes: SHEET.length });
    expect((await nginx.settled()).slice(from).filter((l) => l.includes(sha))).toEqual([expect.stringMatching(/^206 GET .* 40000 bytes=60000-$/)]);
    await s.sync.scheduler.whenIdle();
    removeBlob(s.db, s.blobs, sha); // as it was, for the whole run below
  });

  it('of material on a unit (not a lesson), fetches that resource alone', async () => {
    const from = (await nginx.settled()).length;
    const started = await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/usheet` }));
    expect(started).toMatchObject({ id: `${F}/usheet`, resources: [`${F}/usheet`], state: 'running', totalFiles: 1, totalBytes: UNIT_SHEET.length });
    await expect.poll(() => lastFor('usheet')?.state, { timeout: 20_000 }).toBe('done');
    expect(await servedBlobs(from)).toEqual([sha256Hex(UNIT_SHEET)]);
    expect(await readyOf('u1')).toEqual({ usheet: true, uvideo: false });
    await s.sync.scheduler.whenIdle();
  });

  it('with a whole sync running, goes first in that run, not in a second one', async () => {
    // Kept out: the lesson for the next test, the unit's material (its video stays not downloaded).
    await get(s.router.invoke('sync:keep', { ids: [`${F}/l4`, `${F}/u1`], keep: false }));
    const runs = finished.length;
    const whole = s.sync.runNow();
    await expect.poll(() => s.sync.scheduler.isRunning).toBe(true);
    // Let the run plan and start on its first files.
    await expect.poll(async () => (await s.sync.status()).progress?.bytes ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);

    const joined = await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/late` }));
    expect(joined).toMatchObject({ state: 'running', joined: true, totalFiles: 1 });
    await expect.poll(() => lastFor('l3')?.state, { timeout: 20_000 }).toBe('done');
    // In before the run's last big video, while the run still goes on: it went first.
    expect(s.sync.scheduler.isRunning).toBe(true);
    expect(BIG.filter((b) => !s.blobs.has(sha256Hex(b))).length).toBeGreaterThan(0);
    expect((await readyOf('l3')).late).toBe(true);

    const summary = await whole;
    // One run: it fetched the lesson once and its own files, and finished once.
    expect(finished.length).toBe(runs + 1);
    expect(summary.downloaded.files).toBe(BIG.length + 2); // the worksheet, the four videos, the lesson
    expect(summary.failed).toEqual([]);
  });

  it('joins a night run paused by day at the night rate on its own cap: the run stays paused; its earlier failure goes', async () => {
    // The night's files gone again (eviction), and a night run that did not finish by 06:30.
    for (const b of [...BIG, LATE]) removeBlob(s.db, s.blobs, sha256Hex(b));
    // The lesson's file is not on the server that night (it fails as missing), and is there by morning.
    const lateOnServer = path.join(tmp, 'www', 'feed', 'blobs', sha256Hex(LATE).slice(0, 2), sha256Hex(LATE));
    fs.renameSync(lateOnServer, `${lateOnServer}.away`);
    clock = new Date('2026-11-30T19:00:00Z'); // 03:00 school time
    s.sync.scheduler.reconfigure(s.sync.scheduler.config);
    const whole = s.sync.scheduler.tick() as Promise<SyncSummary>;
    try {
      await expect.poll(async () => (await s.sync.status()).progress?.failed ?? 0, { timeout: 15_000 }).toBe(1);
      fs.renameSync(`${lateOnServer}.away`, lateOnServer);
      clock = new Date('2026-11-30T23:50:00Z'); // 07:50: the window's end paused it (dayRate 0)
      s.sync.scheduler.reconfigure(s.sync.scheduler.config);
      expect(s.sync.scheduler.bucket.bytesPerSecond).toBe(0);
      await new Promise((r) => setTimeout(r, 300)); // what was paid for before the pause lands
      // The run's own files as they stand on disk (progress is reported at most every 100 ms, so its count may lag a chunk).
      const partBytes = () =>
        BIG.reduce((n, b) => {
          const part = path.join(s.blobs.tmpDir, `${sha256Hex(b)}.part`);
          return n + (fs.existsSync(part) ? fs.statSync(part).size : 0);
        }, 0);
      const before = partBytes();
      const bigBefore = BIG.filter((b) => s.blobs.has(sha256Hex(b))).length;
      const rates: number[] = [];
      const off = s.events.subscribe((name) => name === 'sync:lesson' && rates.push(s.sync.scheduler.bucket.bytesPerSecond));
      const n = lessonEvents.length;

      const joined = await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/late` }));
      expect(joined).toMatchObject({ state: 'running', joined: true, totalFiles: 1 });
      await expect.poll(() => lessonEvents.slice(n).filter((e) => e.id === `${F}/l3`).at(-1)?.state, { timeout: 10_000 }).toBe('done');
      off();
      expect(s.blobs.has(sha256Hex(LATE))).toBe(true);
      // The run's own downloads did not move: its cap stayed at the day's pause throughout.
      expect(rates.every((r) => r === 0)).toBe(true);
      expect(s.sync.scheduler.bucket.bytesPerSecond).toBe(0);
      expect(BIG.filter((b) => s.blobs.has(sha256Hex(b))).length).toBe(bigBefore);
      expect(partBytes()).toBe(before);
      expect(s.sync.scheduler.isRunning).toBe(true);
    } finally {
      // Night again: the run ends, for the tests after this one.
      clock = new Date('2026-11-30T19:00:00Z');
      s.sync.scheduler.reconfigure(s.sync.scheduler.config);
      if (fs.existsSync(`${lateOnServer}.away`)) fs.renameSync(`${lateOnServer}.away`, lateOnServer);
      const summary = await whole;
      // Fetched again in the same run: the night's failure of it is gone.
      expect(summary.failed).toEqual([]);
      clock = noon();
      s.sync.scheduler.reconfigure(s.sync.scheduler.config);
    }
  }, 30_000);

  it('with a whole run waiting for another process\'s sync, comes now beside it', async () => {
    removeBlob(s.db, s.blobs, sha256Hex(LATE));
    // An admin's sync on the same data folder holds it: the app's run waits for the lock.
    const release = await holdSyncLock(path.join(tmp, 'data'), 'wait');
    const whole = s.sync.runNow();
    try {
      await expect.poll(() => s.sync.scheduler.isRunning).toBe(true);
      const n = lessonEvents.length;
      const started = await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/late` }));
      expect(started).toMatchObject({ state: 'running', joined: false, totalFiles: 1 });
      await expect.poll(() => lessonEvents.slice(n).filter((e) => e.id === `${F}/l3`).at(-1)?.state, { timeout: 10_000 }).toBe('done');
      expect(s.blobs.has(sha256Hex(LATE))).toBe(true);
      expect((await readyOf('l3')).late).toBe(true);
      expect(s.sync.scheduler.isRunning).toBe(true); // the whole run still waits
    } finally {
      release();
      await whole;
    }
  }, 30_000);

  it('a lesson already here (brought since the page loaded) says so to every screen, which reloads', async () => {
    const n = lessonEvents.length;
    expect(await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/late` }))).toMatchObject({ state: 'done', totalFiles: 0 });
    expect(lessonEvents.slice(n)).toMatchObject([{ id: `${F}/l3`, resources: [`${F}/late`], state: 'done' }]);
  });

  it('says plainly why it failed when the server is off, and what is left as it was', async () => {
    await nginx.stop();
    nginxUp = false;
    const started = await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/away` }));
    expect(started.state).toBe('running');
    await expect.poll(() => lastFor('l4')?.state, { timeout: 30_000 }).toBe('failed');
    expect(lastFor('l4')!.failures.map((f) => f.reason)).toEqual(['unreachable']);
    // The notice named the server while it retried.
    expect(lessonEvents.some((e) => e.id === `${F}/l4` && e.trouble !== null)).toBe(true);
    expect((await readyOf('l4')).away).toBe(false);
    await s.sync.scheduler.whenIdle();
    expect(s.sync.scheduler.bucket.bytesPerSecond).toBe(0);
  }, 40_000);

  it('refuses an id that is not in the library, and a malformed one', async () => {
    expect(await s.router.invoke('sync:fetch', { id: `${F}/nope` })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await s.router.invoke('sync:fetch', { id: 'no-slash' })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await s.router.invoke('sync:fetch', { id: `${F}/r1`, extra: 1 } as { id: string })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
});
