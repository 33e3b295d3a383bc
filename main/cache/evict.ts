// Making room in the cache for tonight's files, within its quota and above the
// disk's free-space floor. What goes, in order: files nothing refers to any more
// (always); then files no planned lesson uses (lessons outside the offline
// selection, renditions the classroom does not play), least recently used first;
// only then kept lessons' files, least recently used first, and only for lessons
// more urgent than theirs; never a timetabled or favourite lesson's. "Used",
// "kept" and "urgent" are the night's plan's (plan.ts), not derived again here.
import fs from 'node:fs';
import type { Db } from '../library/db';
import { createSelection, planDownloads, PRIORITY, type PlannedJob, type PlanOptions } from '../sync/plan';
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
 * Chooses what goes, calling `remove` for each; reads the library only, so it runs
 * in the plan worker too (with `free` counting what it chose). `free` is asked
 * again after each removal.
 *
 * First it settles what the cache holds tonight, most urgent first: the catalog and
 * the timetabled and favourite lessons' files always; then, class by class, the
 * files on disk (most recently used first), then tonight's files of that class in
 * the order they are fetched, each taken if it fits beside what is taken already.
 * Only files taken are made room for: a 25 MB video the quota refuses anyway must
 * not cost the small kept files that the next night would fetch back (they were,
 * and evicted again, night after night). A file on disk not taken goes (it does not
 * fit beside more urgent ones, or beside its own class's more recently used ones);
 * a file on disk never goes for one of its own class or a less urgent one, so the
 * next night under the same quota moves nothing. Files no planned lesson uses go
 * first, least recently used first, and only as far as the files taken need.
 */
export function chooseEvictions(
  db: Db,
  night: Night,
  room: Room,
  free: () => number,
  remove: (sha256: string, size: number) => void,
): { evicted: number; kept: number; short: boolean; refused: Refusals } {
  const quota = room.quotaBytes ?? Infinity;
  const floor = room.floorBytes ?? 0;
  const inUse = night.inUse;
  const out = { evicted: 0, kept: 0, short: false, refused: { files: 0, bytes: 0, jobs: [] as number[] } };
  let bytes = cachedBytes(db);
  let freeNow = free();
  const need = night.jobs.reduce((a, j) => a + j.size, 0);
  const fits = (n: number) => bytes + n <= quota && freeNow - n >= floor;
  if (fits(need)) return out;
  const drop = (sha256: string, size: number) => {
    remove(sha256, size);
    bytes -= size;
    freeNow = free();
    out.evicted++;
  };

  // The catalog's shards stay while their feed is subscribed. Least recently used first.
  const candidates = db
    .prepare(
      `SELECT b.sha256, b.size FROM blobs b
       WHERE NOT EXISTS (SELECT 1 FROM shards s WHERE s.sha256 = b.sha256)
       ORDER BY b.last_used_at, b.added_at`,
    )
    .all() as { sha256: string; size: number }[];
  const unused = candidates.filter((c) => !inUse.has(c.sha256));
  const unusedBytes = unused.reduce((a, c) => a + c.size, 0);
  // The most the cache may hold tonight, by the quota and by the disk's floor.
  const limit = Math.min(quota, bytes + freeNow - floor);

  // What stays for certain: the catalog and the pinned lessons' files (all but the unused and the evictable).
  type Item = { cls: number; size: number; onDisk: boolean; rank: number; sha256?: string };
  const items: Item[] = [];
  let held = bytes - unusedBytes;
  candidates.forEach((c, i) => {
    const cls = inUse.get(c.sha256);
    if (cls === undefined || cls <= PRIORITY.favourite) return;
    held -= c.size;
    items.push({ cls, size: c.size, onDisk: true, rank: -i, sha256: c.sha256 });
  });
  night.jobs.forEach((j, i) => items.push({ cls: j.priority, size: j.size, onDisk: false, rank: i }));
  // Per class: what is on disk (most recently used first), then tonight's files in their order.
  items.sort((a, b) => a.cls - b.cls || Number(a.onDisk ? 0 : 1) - Number(b.onDisk ? 0 : 1) || a.rank - b.rank);
  let coming = 0;
  const leaving: { sha256: string; size: number }[] = [];
  for (const it of items) {
    if (held + it.size <= limit) {
      held += it.size;
      if (!it.onDisk) coming += it.size;
    } else if (it.onDisk) leaving.push({ sha256: it.sha256!, size: it.size });
    else {
      // Tonight's file no room is made for: the run refuses it when its turn comes.
      out.short = true;
      out.refused.files++;
      out.refused.bytes += it.size;
      out.refused.jobs.push(it.rank);
    }
  }

  // Files no planned lesson uses, least recently used first, as far as tonight needs.
  const leavingBytes = leaving.reduce((a, l) => a + l.size, 0);
  for (const c of unused) {
    if (fits(coming - leavingBytes)) break;
    drop(c.sha256, c.size);
  }
  // Kept files that do not fit beside more urgent ones, least recently used first.
  for (const l of leaving.reverse()) {
    drop(l.sha256, l.size);
    out.kept++;
  }
  if (!fits(coming)) out.short = true;
  return out;
}

/** Tonight's files no room is made for: how many, their bytes, and their places in the night's jobs. */
export interface Refusals {
  files: number;
  bytes: number;
  jobs: number[];
}

/**
 * Of tonight's files, those the quota will refuse: the choice the night's eviction
 * makes (chooseEvictions, the quota alone, nothing removed), so the sync page's and
 * `classboard status`'s 待下载 count only files that will come. A teacher read
 * 待下载 as "here tomorrow" while the quota refused half of it every night. The
 * planner says it before a run; a run is told its own at its start (planEvictions).
 */
export function quotaRefusals(db: Db, night: Night, quotaBytes: number | undefined): Refusals {
  if (quotaBytes === undefined || !Number.isFinite(quotaBytes)) return { files: 0, bytes: 0, jobs: [] };
  return chooseEvictions(db, night, { quotaBytes }, () => Infinity, () => {}).refused;
}

/** The night's plan with the files on disk it uses (planDownloads always lists them when asked). */
function nightPlan(db: Db, opts: PlanOptions): Night & { jobs: PlannedJob[] } {
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
  queue?: (Night['jobs'][number] & { sha256: string })[];
};
export type Evictions = {
  chosen: { sha256: string; size: number }[];
  evicted: number;
  kept: number;
  short: boolean;
  /** Of the files room is made for, those the quota alone refuses (quotaRefusals: sync:status.overQuota's), named so the run can say them apart as it goes. */
  overQuota: { sha256: string; size: number }[];
};

/**
 * What to remove, chosen in the plan worker: the choice reads every cached file and
 * the whole plan, which must not hold up the main thread; only the few files chosen
 * come back. Free space is counted as the chosen files' sizes come off it.
 */
export function planEvictions(db: Db, req: EvictionRequest): Evictions {
  const plan = nightPlan(db, req.opts);
  const night = { jobs: req.queue ?? plan.jobs, inUse: plan.inUse };
  const chosen: Evictions['chosen'] = [];
  let freed = 0;
  const r = chooseEvictions(db, night, req.room, () => req.freeBytes + freed, (sha256, size) => {
    chosen.push({ sha256, size });
    freed += size;
  });
  // The quota alone, as the planner counts it before the run (the floor and the disk aside): nothing is removed yet, so both see one cache.
  const refused = quotaRefusals(db, night, req.room.quotaBytes).jobs.map((i) => ({ sha256: night.jobs[i]!.sha256, size: night.jobs[i]!.size }));
  return { chosen, evicted: r.evicted, kept: r.kept, short: r.short, overQuota: refused };
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
