// Atomic file writes: content goes to a .part beside the target, is flushed, and
// is renamed over it. A reader (or a crash) sees the old file or the new one,
// never half of one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../api/errors';

function partName(file: string): string {
  return `${file}.${crypto.randomBytes(6).toString('hex')}.part`;
}

function syncDir(dir: string): void {
  // Makes the rename itself durable; not supported on Windows, where rename is enough.
  if (process.platform === 'win32') return;
  withSyncedFile(dir, 'r');
}

/** syncDir on libuv's pool: after a rename on a thread that serves a UI. */
export async function syncDirAsync(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await fs.promises.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Opens `file`, lets `use` work on the descriptor, flushes it to disk, closes it. */
function withSyncedFile(file: string, flags: string, use: (fd: number) => void = () => {}): void {
  const fd = fs.openSync(file, flags);
  try {
    use(fd);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeFileAtomic(file: string, data: string | Buffer): void {
  const part = partName(file);
  try {
    withSyncedFile(part, 'w', (fd) => fs.writeFileSync(fd, data));
    fs.renameSync(part, file);
  } catch (err) {
    fs.rmSync(part, { force: true });
    throw err;
  }
  syncDir(path.dirname(file));
}

/** The same, on libuv's pool: for many files in a row on a thread that serves a UI. */
export async function writeFileAtomicAsync(file: string, data: Buffer): Promise<void> {
  await (await stageFileAsync(file, data)).commit();
}

export interface StagedFile {
  /** Renames the flushed part over the target and makes the rename durable. */
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/**
 * The first half of an atomic write: the content flushed to disk beside the
 * target, not yet visible. Lets a caller flush while other work runs and make
 * the file appear only once that work succeeded.
 */
export async function stageFileAsync(file: string, data: Buffer): Promise<StagedFile> {
  const part = partName(file);
  const discard = () => fs.promises.rm(part, { force: true });
  try {
    const fh = await fs.promises.open(part, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    await discard();
    throw err;
  }
  return {
    discard,
    async commit() {
      try {
        await fs.promises.rename(part, file);
      } catch (err) {
        await discard();
        throw err;
      }
      await syncDirAsync(path.dirname(file));
    },
  };
}

/**
 * Streams `src` into `dest` while hashing it; the file appears under `dest` only if
 * its size and SHA-256 match `expected`.
 */
export async function copyFileVerified(src: string, dest: string, expected: { sha256: string; size: number }): Promise<void> {
  const part = partName(dest);
  const hash = crypto.createHash('sha256');
  let size = 0;
  try {
    const out = fs.createWriteStream(part, { flags: 'wx' });
    await pipeline(
      fs.createReadStream(src),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          size += chunk.length;
          if (size > expected.size) throw new AppError('refused', `${path.basename(src)} is larger than the ${expected.size} bytes expected`);
          hash.update(chunk);
          yield chunk;
        }
      },
      out,
    );
    if (size !== expected.size) throw new AppError('refused', `${path.basename(src)} is ${size} bytes; expected ${expected.size}`);
    const actual = hash.digest('hex');
    if (actual !== expected.sha256) throw new AppError('refused', `${path.basename(src)} does not match its sha256 (got ${actual.slice(0, 12)}…)`);
    withSyncedFile(part, 'r+');
    fs.renameSync(part, dest);
  } catch (err) {
    fs.rmSync(part, { force: true });
    throw err;
  }
  syncDir(path.dirname(dest));
}
