// Re-hashes every cached file: a file whose bytes no longer match its name (a
// failing disk, a hand edit) is moved to quarantine, out of the teacher's view.
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
}

export async function verifyCache(blobs: BlobStore, db: Db, onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
  const names: string[] = [];
  for (const d of fs.readdirSync(blobs.root).filter((x) => /^[0-9a-f]{2}$/.test(x))) {
    for (const f of fs.readdirSync(path.join(blobs.root, d))) if (isSha256(f)) names.push(f);
  }
  const report: VerifyReport = { checked: 0, bytes: 0, bad: [] };
  const forget = db.prepare('DELETE FROM blobs WHERE sha256 = ?');
  const stamp = db.prepare('UPDATE blobs SET verified_at = ? WHERE sha256 = ?');
  for (const sha of names) {
    const file = blobs.pathFor(sha);
    const hash = crypto.createHash('sha256');
    for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      report.bytes += chunk.length;
    }
    if (hash.digest('hex') !== sha) {
      blobs.quarantine(file, sha);
      forget.run(sha);
      report.bad.push(sha);
    } else stamp.run(Date.now(), sha);
    report.checked++;
    onProgress?.(report.checked, names.length);
  }
  return report;
}
