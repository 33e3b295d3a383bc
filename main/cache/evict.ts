// Making room in the cache for tonight's files, within its quota and above the
// disk's free-space floor. What goes, in order: files nothing refers to any more
// (always); then files no planned lesson uses (lessons outside the offline
// selection, renditions the classroom does not play), least recently used first;
// only then kept lessons' files, least recently used first, and only for lessons
// more urgent than theirs; never a timetabled or favourite lesson's. "Used",
// "kept" and "urgent" are the night's plan's (plan.ts), not derived again here.
import fs from 'node:fs';
import type { Db } from '../library/db';
import { createSelection, planDownloads, PRIORITY, type PlanOptions } from '../sync/plan';
import type { BlobStore } from './blob-store';

/** What the night's plan says about the cache (planDownloads with `inUse`). */
export interface Night {
  /** Files to fetch tonight, with their priority class. */
  jobs: readonly { size: number; priority: number }[];
  /** Files on disk the planned lessons use, with their priority class (a file missing here may go first). */
  inUse: ReadonlyMap<string, number>;
}

export interface Room {
  /** Most bytes the cache may hold (Infinity for no quota). */
  quotaBytes?: number;
  /** Free disk space to keep (bytes). */
  floorBytes?: number;
}

export interface EvictOptions extends Room {
  /** Free space on the cache's disk (injected by tests). */
  freeBytes?: () => number;
  /** Tonight's plan; without it one is made here, at `maxHeight`. */
  night?: Night;
  maxHeight?: number;
}

export interface EvictReport {
  unreferenced: number;
  /** Files removed for room, of which `kept` were of kept lessons. */
  evicted: number;
  kept: number;
  freedBytes: number;
  /** Tonight's files do not all fit: what is left is protected, or no less urgent than they. */
  short: boolean;
}

export function diskFree(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

const cachedBytes = (db: Db) => db.prepare('SELECT coalesce(sum(size), 0) FROM blobs').pluck().get() as number;

/** Whether `bytes` more fit in the cache now (the sync checks each file the same way). */
export function hasRoom(db: Db, bytes: number, room: Room, free: number): boolean {
  return cachedBytes(db) + bytes <= (room.quotaBytes ?? Infinity) && free - bytes >= (room.floorBytes ?? 0);
}

/** Takes a file out of the cache and its index. */
export function removeBlob(db: Db, blobs: BlobStore, sha256: string): void {
  fs.rmSync(blobs.pathFor(sha256), { force: true });
  db.prepare('DELETE FROM blobs WHERE sha256 = ?').run(sha256);
}

/** Files nothing refers to any more (a lesson left its feed): always collected. */
export function collectOrphans(db: Db, blobs: BlobStore): { files: number; bytes: number } {
  const orphans = db
    .prepare(
      `SELECT sha256, size FROM blobs b
       WHERE NOT EXISTS (SELECT 1 FROM resource_files f WHERE f.sha256 = b.sha256)
         AND NOT EXISTS (SELECT 1 FROM shards s WHERE s.sha256 = b.sha256)`,
    )
    .all() as { sha256: string; size: number }[];
  for (const o of orphans) removeBlob(db, blobs, o.sha256);
  return { files: orphans.length, bytes: orphans.reduce((a, o) => a + o.size, 0) };
}

/**
 * Chooses what goes, in order, calling `remove` for each; reads the library only,
 * so it runs in the plan worker too (with `free` counting what it chose).
 * `free` is asked again after each removal.
 */
export function chooseEvictions(db: Db, night: Night, room: Room, free: () => number, remove: (sha256: string, size: number) => void): { evicted: number; kept: number; short: boolean } {
  const quota = room.quotaBytes ?? Infinity;
  const floor = room.floorBytes ?? 0;
  const inUse = night.inUse;
  const out = { evicted: 0, kept: 0, short: false };
  let bytes = cachedBytes(db);
  let freeNow = free();
  // Room for tonight's files more urgent than a class (all of them: Infinity).
  const needBelow = (cls: number) => night.jobs.reduce((a, j) => (j.priority < cls ? a + j.size : a), 0);
  const need = needBelow(Infinity);
  const fits = (n: number) => bytes + n <= quota && freeNow - n >= floor;
  if (fits(need)) return out;
  const drop = (sha256: string, size: number) => {
    remove(sha256, size);
    bytes -= size;
    freeNow = free();
    out.evicted++;
  };

  // The catalog's shards stay while their feed is subscribed.
  const candidates = db
    .prepare(
      `SELECT b.sha256, b.size FROM blobs b
       WHERE NOT EXISTS (SELECT 1 FROM shards s WHERE s.sha256 = b.sha256)
       ORDER BY b.last_used_at, b.added_at`,
    )
    .all() as { sha256: string; size: number }[];
  // First what no planned lesson uses: lessons outside the selection, renditions not played.
  for (const c of candidates) {
    if (fits(need)) break;
    if (!inUse.has(c.sha256)) drop(c.sha256, c.size);
  }
  // Then kept lessons, but each only for more urgent ones: for one of its own class it
  // would be fetched back the next night, and another evicted, night after night.
  const needs = new Map<number, number>();
  for (const c of candidates) {
    if (fits(need)) break;
    const cls = inUse.get(c.sha256);
    if (cls === undefined || cls <= PRIORITY.favourite) continue;
    let n = needs.get(cls);
    if (n === undefined) needs.set(cls, (n = needBelow(cls)));
    if (fits(n)) continue;
    drop(c.sha256, c.size);
    out.kept++;
  }
  out.short = !fits(need);
  return out;
}

/** The night's plan with the files on disk it uses (planDownloads always lists them when asked). */
function nightPlan(db: Db, opts: PlanOptions): Night {
  const plan = planDownloads(db, createSelection(db), { ...opts, inUse: true });
  return { jobs: plan.jobs, inUse: plan.inUse! };
}

export type EvictionRequest = {
  /** As the night's plan was made (the same lessons and renditions are "in use"). */
  opts: PlanOptions;
  room: Room;
  /** Free space on the cache's disk now. */
  freeBytes: number;
  /** The files room is made for, if not the plan's own (a lesson asked for now). */
  queue?: Night['jobs'];
};
export type Evictions = { chosen: { sha256: string; size: number }[]; evicted: number; kept: number; short: boolean };

/**
 * What to remove, chosen in the plan worker: the choice reads every cached file and
 * the whole plan, which must not hold up the main thread; only the few files chosen
 * come back. Free space is counted as the chosen files' sizes come off it.
 */
export function planEvictions(db: Db, req: EvictionRequest): Evictions {
  const plan = nightPlan(db, req.opts);
  const chosen: Evictions['chosen'] = [];
  let freed = 0;
  const r = chooseEvictions(db, { jobs: req.queue ?? plan.jobs, inUse: plan.inUse }, req.room, () => req.freeBytes + freed, (sha256, size) => {
    chosen.push({ sha256, size });
    freed += size;
  });
  return { chosen, ...r };
}

/** Collects orphans, then makes room for the night's plan (made here unless given), on this thread. */
export function evictCache(db: Db, blobs: BlobStore, opts: EvictOptions = {}): EvictReport {
  const measure = opts.freeBytes ?? (() => diskFree(blobs.root));
  const orphans = collectOrphans(db, blobs);
  const report: EvictReport = { unreferenced: orphans.files, evicted: 0, kept: 0, freedBytes: orphans.bytes, short: false };
  const night = opts.night ?? nightPlan(db, { maxHeight: opts.maxHeight });
  const r = chooseEvictions(db, night, opts, measure, (sha, size) => {
    removeBlob(db, blobs, sha);
    report.freedBytes += size;
  });
  return { ...report, ...r };
}

/**
 * Parses "20GB", "500 MB", "1.5T", "20GiB", "100b" (bytes, powers of 1024). A
 * number without a unit is refused, 0 aside: "--quota 100" read as 100 bytes
 * emptied a school's cache on the next sync.
 */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$/i.exec(text);
  if (!m) throw new Error(`无法读取大小“${text}”，请写成 20GB、500MB 这样 / cannot read size "${text}" (e.g. 20GB, 500MB)`);
  const n = Number(m[1]);
  if (m[2] === undefined && n !== 0) {
    throw new Error(`大小 ${m[1]} 缺少单位，请写成 ${m[1]}GB 或 ${m[1]}MB / a size needs a unit: ${m[1]}GB or ${m[1]}MB`);
  }
  const pow = { k: 1, m: 2, g: 3, t: 4 }[(m[2]?.[0] ?? '').toLowerCase() as 'k' | 'm' | 'g' | 't'] ?? 0;
  return Math.round(n * 1024 ** pow);
}
