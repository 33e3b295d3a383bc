// Where a feed's files come from. A folder (USB stick, the embedded demo, a
// file:// URL) is read here; http(s) sources plug in beside it with the same shape.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../api/errors';

export interface FeedSource {
  /** Normalised location, stored with the subscription. */
  readonly location: string;
  /** Reads a file below the base; null when it does not exist; refuses more than `limit` bytes. */
  read(rel: string, limit: number): Promise<Buffer | null>;
  /** A local file holding the blob under one of the feed's blob bases, or null. */
  localBlob(blobBases: string[], sha256: string): string | null;
}

export function isRemote(location: string): boolean {
  return /^https?:\/\//i.test(location);
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
      for (const base of blobBases) {
        if (isRemote(base)) continue; // fetched by the sync engine, not by a folder import
        // A blob base must stay inside the feed folder: a USB feed cannot point at /etc.
        const root = resolveInside(dir, base.startsWith('file://') ? fileURLToPath(base) : base);
        const file = path.join(root, sha256.slice(0, 2), sha256);
        if (fs.existsSync(file)) return file;
      }
      return null;
    },
  };
}
