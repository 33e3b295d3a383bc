// A lock file between Classboard processes on one data folder (a hub, the
// desktop app, an admin's `classboard sync`): it holds the owner's pid and is
// touched while the owner works. One whose process is gone (kill -9, a crash) or
// untouched for a minute (a reboot may have given the pid to another process) is
// taken over.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../api/errors';

/** A lock its owner has not touched for this long is stale. */
const LOCK_FRESH_MS = 60_000;

/** The pid of the live process holding `lock`, or null when nobody holds it (or it is stale). */
export function lockHolder(lock: string): number | null {
  let pid: number;
  try {
    if (Date.now() - fs.statSync(lock).mtimeMs > LOCK_FRESH_MS) return null;
    pid = Number(fs.readFileSync(lock, 'utf8'));
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0); // asks only whether the process exists
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/**
 * Takes `lock` for this process (`release` gives it back), or names the live
 * process holding it. Errors other than a lock already there (a full disk, a
 * folder refusing the write) are thrown.
 */
export function takeLock(lock: string): { release: () => void } | { holder: number } {
  for (let tries = 0; ; tries++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(lock);
      // A second EEXIST: another process took the stale lock over first.
      if (holder !== null || tries > 0) return { holder: holder ?? lockHolder(lock) ?? 0 };
      fs.rmSync(lock, { force: true });
    }
  }
  const touch = setInterval(() => {
    const now = new Date();
    fs.utimes(lock, now, now, () => {});
  }, LOCK_FRESH_MS / 6).unref();
  return {
    release: () => {
      clearInterval(touch);
      fs.rmSync(lock, { force: true });
    },
  };
}

/** Another whole sync holds the data folder (a hub's night run, the desktop app, an admin's `classboard sync`). */
export class SyncRunning extends AppError {
  constructor(readonly pid: number) {
    super('conflict', `另一个同步正在进行（进程 ${pid}），这次不再同步 / another sync is running on this data folder (process ${pid}): not starting a second one`);
  }
}

/** How often a run waiting for another process's sync looks whether it has ended. */
const RUN_POLL_MS = 1000;

/**
 * The data folder's sync lock, for one whole run: two at once would fetch the
 * same files side by side, each failing the other's as busy. `refuse` (an
 * admin's command) says who holds it; `wait` (a scheduled run) starts once that
 * run has ended, or ends with `stopped` when `signal` aborts first.
 */
export async function holdSyncLock(dataDir: string, mode: 'wait' | 'refuse', signal?: AbortSignal): Promise<() => void> {
  const lock = path.join(dataDir, 'sync.lock');
  for (;;) {
    const got = takeLock(lock);
    if ('release' in got) return got.release;
    if (mode === 'refuse') throw new SyncRunning(got.holder);
    try {
      await sleep(RUN_POLL_MS, undefined, { signal });
    } catch {
      throw new AppError('unavailable', '同步已停止 / sync stopped');
    }
  }
}
