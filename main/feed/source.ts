// Where a feed's files come from. A folder (USB stick, the embedded demo, a
// file:// URL) is read here; http(s) sources plug in beside it with the same shape.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHttpUrl } from '../../preload/contract';
import { AppError } from '../api/errors';
import { isSha256 } from './schema';

export interface FeedSource {
  /** Normalised location, stored with the subscription. */
  readonly location: string;
  /** Reads a file below the base; null when it does not exist; refuses more than `limit` bytes. `signal` drops a request no longer wanted. */
  read(rel: string, limit: number, signal?: AbortSignal): Promise<Buffer | null>;
  /** A local file holding the blob under one of the feed's blob bases, or null. */
  localBlob(blobBases: string[], sha256: string): string | null;
  /** Every blob hash held locally under the bases (one directory listing, not a stat per blob). */
  listBlobs(blobBases: string[]): Set<string>;
  /** The file behind a path when the source is local (the reader verifies it), else null. */
  localFile(rel: string): string | null;
}

/** Resolves a relative path under a folder, refusing anything that escapes it. */
export function resolveInside(base: string, rel: string): string {
  const full = path.resolve(base, rel);
  const relBack = path.relative(base, full);
  if (relBack.startsWith('..') || path.isAbsolute(relBack)) throw new AppError('refused', `path ${rel} escapes its base`);
  return full;
}

export function folderSource(location: string): FeedSource {
  const dir = location.startsWith('file://') ? fileURLToPath(location) : path.resolve(location);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new AppError('not-found', `找不到资源文件夹：${dir} / feed folder not found: ${dir}`);
  }
  return {
    location: dir,
    async read(rel, limit) {
      const file = resolveInside(dir, rel);
      let handle: fs.promises.FileHandle;
      try {
        handle = await fs.promises.open(file, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      try {
        const { size } = await handle.stat();
        if (size > limit) throw new AppError('refused', `${rel} is ${size} bytes, over the ${limit}-byte limit`);
        const buf = Buffer.alloc(size);
        await handle.read(buf, 0, size, 0);
        return buf;
      } finally {
        await handle.close();
      }
    },
    localBlob(blobBases, sha256) {
      for (const root of localRoots(blobBases)) {
        const file = path.join(root, sha256.slice(0, 2), sha256);
        if (fs.existsSync(file)) return file;
      }
      return null;
    },
    listBlobs(blobBases) {
      const found = new Set<string>();
      for (const root of localRoots(blobBases)) {
        let prefixes: string[];
        try {
          prefixes = fs.readdirSync(root).filter((d) => /^[0-9a-f]{2}$/.test(d));
        } catch {
          continue;
        }
        for (const prefix of prefixes) {
          for (const name of fs.readdirSync(path.join(root, prefix))) {
            if (name.startsWith(prefix) && isSha256(name)) found.add(name);
          }
        }
      }
      return found;
    },
    localFile(rel) {
      return resolveInside(dir, rel);
    },
  };

  function localRoots(blobBases: string[]): string[] {
    // Remote bases are the sync engine's; a local base must stay inside the feed
    // folder (a USB feed cannot point at /etc).
    return blobBases.filter((b) => !isHttpUrl(b)).map((b) => resolveInside(dir, b.startsWith('file://') ? fileURLToPath(b) : b));
  }
}
