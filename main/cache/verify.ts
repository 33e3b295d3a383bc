// Re-hashes every cached file: a file whose bytes no longer match its name (a
// failing disk, a hand edit) is moved to quarantine, out of the teacher's view.
// A file the cache index lists but the disk has lost is dropped from the index:
// the planner trusts it, so the lesson showed ready and no sync fetched it again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isSha256 } from '../feed/schema';
import type { BlobStore } from './blob-store';
import type { Db } from '../library/db';

export interface VerifyReport {
  checked: number;
  bytes: number;
  bad: string[];
  /** Listed in the cache index, gone from disk: dropped, to be fetched again. */
  missing: string[];
}

export async function verifyCache(blobs: BlobStore, db: Db, onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
  const names: string[] = [];
  for (const d of fs.readdirSync(blobs.root).filter((x) => /^[0-9a-f]{2}$/.test(x))) {
    for (const f of fs.readdirSync(path.join(blobs.root, d))) if (isSha256(f)) names.push(f);
  }
  const report: VerifyReport = { checked: 0, bytes: 0, bad: [], missing: [] };
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
  for (const sha of db.prepare('SELECT sha256 FROM blobs').pluck().all() as string[]) {
    // Asked again: a sync running beside us may have put it in place since the listing.
    if (onDisk.has(sha) || blobs.has(sha)) continue;
    forget.run(sha);
    report.missing.push(sha);
  }
  return report;
}
