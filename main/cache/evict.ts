// Keeping the cache within its quota and the disk above its floor: files no
// lesson refers to go first, then the least recently used, but never a file of a
// lesson on the timetable or a favourite (the teacher counts on those).
import fs from 'node:fs';
import type { Db } from '../library/db';
import type { BlobStore } from './blob-store';

export interface EvictOptions {
  /** Most bytes the cache may hold (Infinity for no quota). */
  quotaBytes?: number;
  /** Free disk space to keep (bytes). */
  floorBytes?: number;
  /** Free space on the cache's disk (injected by tests). */
  freeBytes?: () => number;
}

export interface EvictReport {
  unreferenced: number;
  evicted: number;
  freedBytes: number;
  /** Still over quota or under the floor because what is left is protected. */
  short: boolean;
}

export function diskFree(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

export function evictCache(db: Db, blobs: BlobStore, opts: EvictOptions = {}): EvictReport {
  const quota = opts.quotaBytes ?? Infinity;
  const floor = opts.floorBytes ?? 0;
  const free = opts.freeBytes ?? (() => diskFree(blobs.root));
  const report: EvictReport = { unreferenced: 0, evicted: 0, freedBytes: 0, short: false };
  const drop = db.prepare('DELETE FROM blobs WHERE sha256 = ?');
  const remove = (sha: string, size: number) => {
    fs.rmSync(blobs.pathFor(sha), { force: true });
    drop.run(sha);
    report.freedBytes += size;
  };

  // Files nothing refers to any more (a lesson left its feed): always collected.
  const orphans = db
    .prepare(
      `SELECT sha256, size FROM blobs b
       WHERE NOT EXISTS (SELECT 1 FROM resource_files f WHERE f.sha256 = b.sha256)
         AND NOT EXISTS (SELECT 1 FROM shards s WHERE s.sha256 = b.sha256)`,
    )
    .all() as { sha256: string; size: number }[];
  for (const o of orphans) {
    remove(o.sha256, o.size);
    report.unreferenced++;
  }

  const total = () => db.prepare('SELECT coalesce(sum(size), 0) FROM blobs').pluck().get() as number;
  if (total() <= quota && free() >= floor) return report;
  const candidates = db
    .prepare(
      `SELECT b.sha256, b.size FROM blobs b
       WHERE NOT EXISTS (SELECT 1 FROM shards s WHERE s.sha256 = b.sha256)
         AND NOT EXISTS (
           SELECT 1 FROM resource_files f JOIN resources r ON r.rid = f.rid
           WHERE f.sha256 = b.sha256
             AND (EXISTS (SELECT 1 FROM timetable t WHERE t.resource_id = r.id)
               OR EXISTS (SELECT 1 FROM favourites v WHERE v.resource_id = r.id)))
       ORDER BY b.last_used_at, b.added_at`,
    )
    .all() as { sha256: string; size: number }[];
  let bytes = total();
  for (const c of candidates) {
    if (bytes <= quota && free() >= floor) break;
    remove(c.sha256, c.size);
    bytes -= c.size;
    report.evicted++;
  }
  report.short = bytes > quota || free() < floor;
  return report;
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
