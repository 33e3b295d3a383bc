// The content-addressed cache: <root>/<aa>/<sha256>. A file appears under its
// final name only after its bytes were verified (a .part in <root>/.tmp, then an
// atomic rename), so presence means verified. The `blobs` table indexes what is
// present for sizes and LRU.
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../api/errors';
import { sha256Hex } from '../feed/keys';
import { isSha256 } from '../feed/schema';
import { copyFileVerified, writeFileAtomicAsync } from '../util/atomic-write';
import type { Db } from '../library/db';

export interface Expected {
  sha256: string;
  size: number;
}

/** Lists verified blobs in the cache index (their files are in place already). */
export function recordBlobs(db: Db, blobs: Expected[], now = Date.now()): void {
  const insert = db.prepare(
    `INSERT INTO blobs(sha256, size, added_at, last_used_at, verified_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(sha256) DO NOTHING`,
  );
  for (const b of blobs) insert.run(b.sha256, b.size, now, now, now);
}

const QUARANTINE_MS = 7 * 24 * 3600_000;

/** Where a blob lives under a cache root (BlobStore.pathFor, for a worker that has the root but no store). */
export function blobPath(root: string, sha256: string): string {
  return path.join(root, folderOf(sha256), sha256);
}

/** The <aa> folder a blob's file is in (its hash's first two hex digits); anything but 64 hex digits is refused. */
function folderOf(sha256: string): string {
  if (!isSha256(sha256)) throw new AppError('bad-request', `not a sha256: ${sha256.slice(0, 80)}`);
  return sha256.slice(0, 2);
}

/**
 * Past this many files, missingBlobs reads each <aa> folder once instead of a
 * stat per file: at a hub's 150,000 cached files about a third of the time with
 * the folders in the kernel's cache and a sixth after a reboot (npm run
 * bench:missing-files). A few files (a lesson's) are quicker stat'ed.
 */
const LIST_FOLDERS_FROM = 4096;

/** Those of `shas` whose file is not under `root`, for files the index says are there. */
export function missingBlobs(root: string, shas: Iterable<string>): string[] {
  const all = [...shas];
  if (all.length < LIST_FOLDERS_FROM) return all.filter((sha) => !fs.existsSync(blobPath(root, sha)));
  /** A folder's names; null when it could not be read (an antivirus holding it): its files are stat'ed one by one. */
  const listed = new Map<string, Set<string> | null>();
  return all.filter((sha) => {
    const folder = folderOf(sha);
    let names = listed.get(folder);
    if (names === undefined) {
      try {
        names = new Set(fs.readdirSync(path.join(root, folder)));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // No such folder: none of its files are there. Any other failure proves nothing gone.
        names = code === 'ENOENT' || code === 'ENOTDIR' ? new Set() : null;
      }
      listed.set(folder, names);
    }
    return names ? !names.has(sha) : !fs.existsSync(blobPath(root, sha));
  });
}

export class BlobStore {
  readonly tmpDir: string;
  /** The <aa> folders known to exist: 600 shards need not ask 600 times. */
  private readonly dirs = new Set<string>();

  constructor(
    readonly root: string,
    private readonly db: Db,
  ) {
    this.tmpDir = path.join(root, '.tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  /** The only way to turn a hash into a path: anything but 64 hex digits is refused. */
  pathFor(sha256: string): string {
    return blobPath(this.root, sha256);
  }

  has(sha256: string): boolean {
    return fs.existsSync(this.pathFor(sha256));
  }

  /** Copies a local file in, verifying size and hash on the way. */
  async putFile(src: string, expected: Expected): Promise<'copied' | 'present'> {
    if (this.has(expected.sha256)) {
      this.record(expected);
      return 'present';
    }
    const dest = this.pathFor(expected.sha256);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    await copyFileVerified(src, dest, expected);
    this.record(expected);
    return 'copied';
  }

  /**
   * Stores small verified content held in memory (catalog shards). The caller
   * records it (recordBlobs), in the same transaction as what refers to it.
   */
  async putBuffer(bytes: Buffer, expected: Expected, opts: { hashed?: boolean } = {}): Promise<void> {
    // `hashed`: the caller has just checked these very bytes (a catalog shard, ~48 MB at first import).
    if (bytes.length !== expected.size || (!opts.hashed && sha256Hex(bytes) !== expected.sha256)) {
      throw new AppError('refused', `content does not match its sha256 ${expected.sha256}`);
    }
    const dest = this.pathFor(expected.sha256);
    const dir = path.dirname(dest);
    if (!this.dirs.has(dir)) {
      await fs.promises.mkdir(dir, { recursive: true });
      this.dirs.add(dir);
    }
    await writeFileAtomicAsync(dest, bytes);
  }

  /**
   * Moves bytes that do not match their hash out of view, for an admin to look
   * at. Bounded: only the newest copy per hash is kept, none older than a week,
   * so a source that keeps sending bad bytes cannot fill the disk night by night.
   */
  quarantine(file: string, sha256: string, now = Date.now()): void {
    const dir = path.join(this.root, '.quarantine');
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(dir)) {
      const m = /^([0-9a-f]{64})\.(\d+)$/.exec(name); // only what this method put there
      if (!m || (m[1] !== sha256 && now - Number(m[2]) <= QUARANTINE_MS)) continue;
      try {
        fs.rmSync(path.join(dir, name), { force: true });
      } catch {
        // Tidying only: the bad bytes still have to go out of view below.
      }
    }
    fs.renameSync(file, path.join(dir, `${sha256}.${now}`));
  }

  /** Registers a blob that a downloader verified and renamed into place. */
  record(expected: Expected): void {
    recordBlobs(this.db, [expected]);
  }

  /**
   * Drops from the index those of `shas` whose file is gone from disk (an admin's
   * clean-up, an antivirus, a failing disk), and returns those it dropped. The
   * planner trusts the index: a row left behind kept a lesson's file counted as
   * here, and no sync fetched it again. Each is looked at again here, so one a
   * download put in place since the caller looked keeps its row. The one place a
   * row is forgotten for a missing file.
   */
  forgetMissing(shas: Iterable<string>): string[] {
    const forget = this.db.prepare('DELETE FROM blobs WHERE sha256 = ?');
    const gone = missingBlobs(this.root, shas);
    if (gone.length === 0) return [];
    return this.db.transaction(() => gone.filter((sha) => forget.run(sha).changes > 0))();
  }

  /**
   * Whether a blob asked for (a player, a classroom) is on disk. One the index lists
   * but the disk lost is forgotten at once, not at the next night or verify; where
   * the library cannot write (opened on a full disk) it stays, and the answer is the same.
   */
  held(sha256: string): boolean {
    if (this.has(sha256)) return true;
    try {
      this.forgetMissing([sha256]);
    } catch {
      // Only bookkeeping: the caller answers "not here" either way.
    }
    return false;
  }

  touch(sha256: string): void {
    this.db.prepare('UPDATE blobs SET last_used_at = ? WHERE sha256 = ?').run(Date.now(), sha256);
  }

  read(sha256: string): Buffer {
    return fs.readFileSync(this.pathFor(sha256));
  }

  totals(): { blobs: number; bytes: number } {
    const row = this.db.prepare('SELECT count(*) AS blobs, coalesce(sum(size), 0) AS bytes FROM blobs').get() as {
      blobs: number;
      bytes: number;
    };
    return row;
  }
}
