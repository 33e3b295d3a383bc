// Re-hashes every cached file: a file whose bytes no longer match its name (a
// failing disk, a hand edit) is moved to quarantine, out of the teacher's view.
// A file the cache index lists but the disk has lost is dropped from the index:
// the planner trusts it, so the lesson showed ready and no sync fetched it again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isSha256 } from '../feed/schema';
import { isHttpUrl } from '../../preload/contract';
import type { BlobStore } from './blob-store';
import type { Db } from '../library/db';

export interface VerifyReport {
  checked: number;
  bytes: number;
  bad: string[];
  /** Listed in the cache index, gone from disk: dropped, to be fetched again. */
  missing: string[];
  /**
   * The lessons whose files those were, and what brings each back: a platform's
   * or hub's lesson is fetched again by the next sync, one imported from a stick
   * or folder only by importing it again. An admin told only "缺失 1 个" could
   * not tell which class to warn.
   */
  lessons: { title: string; feedId: string; nodeId: string; next: 'sync' | 'import' }[];
}

export async function verifyCache(blobs: BlobStore, db: Db, onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
  const names: string[] = [];
  for (const d of fs.readdirSync(blobs.root).filter((x) => /^[0-9a-f]{2}$/.test(x))) {
    for (const f of fs.readdirSync(path.join(blobs.root, d))) if (isSha256(f)) names.push(f);
  }
  const report: VerifyReport = { checked: 0, bytes: 0, bad: [], missing: [], lessons: [] };
  const forget = db.prepare('DELETE FROM blobs WHERE sha256 = ?');
  const stamp = db.prepare('UPDATE blobs SET verified_at = ? WHERE sha256 = ?');
  const onDisk = new Set<string>();
  for (const sha of names) {
    const file = blobs.pathFor(sha);
    const hash = crypto.createHash('sha256');
    try {
      for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        report.bytes += chunk.length;
      }
    } catch (err) {
      // Gone since the listing (a sync beside us evicted it): its row, if any, is checked below.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    onDisk.add(sha);
    if (hash.digest('hex') !== sha) {
      blobs.quarantine(file, sha);
      forget.run(sha);
      report.bad.push(sha);
    } else stamp.run(Date.now(), sha);
    report.checked++;
    onProgress?.(report.checked, names.length);
  }
  // Asked again (forgetMissing stats each): a sync running beside us may have put it in place since the listing.
  const listed = db.prepare('SELECT sha256 FROM blobs').pluck().all() as string[];
  report.missing = blobs.forgetMissing(listed.filter((sha) => !onDisk.has(sha)));
  report.lessons = lessonsOf(db, [...report.bad, ...report.missing]);
  return report;
}

function lessonsOf(db: Db, shas: string[]): VerifyReport['lessons'] {
  if (shas.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT DISTINCT r.title, r.feed_id AS feedId, r.node_id AS nodeId, f.source FROM resource_files rf JOIN resources r ON r.rid = rf.rid JOIN feeds f ON f.id = r.feed_id
       WHERE rf.sha256 IN (SELECT value FROM json_each(?)) ORDER BY r.feed_id, r.ord, r.rid`,
    )
    .all(JSON.stringify(shas)) as { title: string; feedId: string; nodeId: string; source: string }[];
  // The node, for the lesson's place in the textbook: four of the demo's resources are titled 学习任务单.
  return rows.map((r) => ({ title: r.title, feedId: r.feedId, nodeId: r.nodeId, next: isHttpUrl(r.source) ? 'sync' : 'import' }));
}
