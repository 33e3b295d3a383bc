// A lock file between Classboard processes on one data folder (a hub, the
// desktop app, an admin's `classboard sync`): it holds the owner's pid and a
// token of its own, and is touched while the owner works. One whose process is
// gone (kill -9, a crash) or untouched for a minute (a reboot may have given the
// pid to another process) is taken over.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../api/errors';

/** A lock its owner has not touched for this long is stale. */
const LOCK_FRESH_MS = 60_000;
/** A lock file just created may be empty for a moment before its owner writes it. */
const LOCK_WRITING_MS = 2_000;
/** When this process started: a lock with our pid written before it is a dead predecessor's (a container restarted). */
const STARTED_MS = Date.now() - process.uptime() * 1000;

interface LockInfo {
  pid: number;
  token?: string;
  /** The holder's transfers are paused (the hub's night run by day). */
  paused?: boolean;
}

function readLock(lock: string): { info: LockInfo | null; mtimeMs: number; ino: number } | null {
  try {
    const st = fs.statSync(lock);
    const text = fs.readFileSync(lock, 'utf8').trim();
    let info: LockInfo | null = null;
    // Older Classboards wrote the pid alone.
    if (/^\d+$/.test(text)) info = { pid: Number(text) };
    else {
      try {
        const j = JSON.parse(text) as LockInfo;
        if (Number.isInteger(j.pid) && j.pid > 0) info = j;
      } catch {}
    }
    return { info, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch {
    return null;
  }
}

/** Who holds `lock`, judged from what it holds; null when nobody (or it is stale). */
function liveHolder(read: NonNullable<ReturnType<typeof readLock>>, ours?: string): LockInfo | null {
  const { info, mtimeMs } = read;
  const age = Date.now() - mtimeMs;
  if (age > LOCK_FRESH_MS) return null;
  if (!info) return age < LOCK_WRITING_MS ? { pid: 0 } : null;
  if (info.pid === process.pid) {
    // Our pid but not our token: this process's own other holder, unless written before we started.
    return info.token !== ours && mtimeMs >= STARTED_MS ? info : null;
  }
  return processExists(info.pid) ? info : null;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0); // asks only whether the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live process holding `lock`, or null when nobody holds it (or it is stale). */
export function lockHolder(lock: string): LockInfo | null {
  const read = readLock(lock);
  return read && liveHolder(read);
}

/**
 * Moves a lock judged stale out of the way. Only one of several processes that
 * judged it so can rename it; and one that renamed a lock another had just put
 * there (after judging the old one) puts it back.
 */
function takeOver(lock: string, judged: NonNullable<ReturnType<typeof readLock>>): void {
  const aside = `${lock}.stale-${crypto.randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(lock, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // another took it over first
    throw err;
  }
  const moved = readLock(aside);
  const same = moved && moved.ino === judged.ino && moved.mtimeMs === judged.mtimeMs && moved.info?.token === judged.info?.token;
  if (moved && !same && liveHolder(moved)) {
    try {
      fs.writeFileSync(lock, fs.readFileSync(aside), { flag: 'wx' });
    } catch {}
  }
  fs.rmSync(aside, { force: true });
}

export interface HeldLock {
  release: () => void;
}

/**
 * Takes `lock` for this process (`release` gives it back), or names the live
 * process holding it. `paused` is asked at each touch and kept in the lock, so
 * another process can say why nothing moves. Errors other than a lock already
 * there (a full disk, a folder refusing the write) are thrown.
 */
export function takeLock(lock: string, paused?: () => boolean): HeldLock | { holder: number; paused: boolean } {
  const token = crypto.randomBytes(8).toString('hex');
  const content = (p: boolean) => JSON.stringify({ pid: process.pid, token, ...(p ? { paused: true } : {}) });
  let wasPaused = paused?.() ?? false;
  for (let tries = 0; ; tries++) {
    try {
      fs.writeFileSync(lock, content(wasPaused), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const read = readLock(lock);
      const holder = read && liveHolder(read, token);
      if (holder || tries > 2) return { holder: holder?.pid ?? 0, paused: holder?.paused === true };
      if (read) takeOver(lock, read);
    }
  }
  const mine = () => readLock(lock)?.info?.token === token;
  const touch = setInterval(() => {
    if (!mine()) return; // taken over (this process slept past a minute): not ours to touch
    const now = paused?.() ?? false;
    if (now !== wasPaused) {
      // Replaced whole (rename), never half-written for a reader.
      const tmp = `${lock}.${token}`;
      try {
        fs.writeFileSync(tmp, content(now));
        fs.renameSync(tmp, lock);
        wasPaused = now;
        return;
      } catch {
        fs.rmSync(tmp, { force: true });
      }
    }
    const t = new Date();
    fs.utimes(lock, t, t, () => {});
  }, LOCK_FRESH_MS / 6).unref();
  return {
    release: () => {
      clearInterval(touch);
      if (mine()) fs.rmSync(lock, { force: true });
    },
  };
}

/** Another whole sync holds the data folder (a hub's night run, the desktop app, an admin's `classboard sync`). */
export class SyncRunning extends AppError {
  constructor(
    readonly pid: number,
    readonly paused = false,
  ) {
    super(
      'conflict',
      paused
        ? `另一个同步正在进行（进程 ${pid}）但白天暂停，可在中心服务的同步页点“立即同步” / another sync (process ${pid}) holds this data folder but is paused for the day: use 立即同步 (sync now) on the hub's sync page`
        : `另一个同步正在进行（进程 ${pid}），这次不再同步 / another sync is running on this data folder (process ${pid}): not starting a second one`,
    );
  }
}

/** What the data folder's sync lock says to an admin (`classboard status`). */
export interface SyncLockState {
  /** A live process holds it: a whole sync is under way. */
  running: boolean;
  /** The process holding it, or the one that left it; null when there is none or the file names none. */
  pid: number | null;
  /** The running sync's transfers are paused (the hub's night run, by day). */
  paused: boolean;
  /** A run that ended without giving the lock back (kill -9, a crash, a power cut): when it last touched it (ISO). */
  interruptedAt: string | null;
  /** That run's process is gone (else its pid is another process's now, or it hung for a minute). */
  exited: boolean;
}

const syncLockOf = (dataDir: string) => path.join(dataDir, 'sync.lock');

/**
 * Reads the sync lock without taking it. A run gives it back when it ends; one left
 * by a process no longer syncing (killed, crashed, the power cut) is an interrupted
 * run, which the next sync takes over, resuming its .part files.
 */
export function syncLockState(dataDir: string): SyncLockState {
  const read = readLock(syncLockOf(dataDir));
  const none: SyncLockState = { running: false, pid: null, paused: false, interruptedAt: null, exited: false };
  if (!read) return none;
  const holder = liveHolder(read);
  if (holder) return { ...none, running: true, pid: holder.pid || null, paused: holder.paused === true };
  const pid = read.info?.pid ?? null;
  // The owner touches it every 10 s while it works: its mtime is within seconds of the end.
  return { ...none, pid, interruptedAt: new Date(read.mtimeMs).toISOString(), exited: pid !== null && !processExists(pid) };
}

/** How often a run waiting for another process's sync looks whether it has ended. */
const RUN_POLL_MS = 1000;

/**
 * The data folder's sync lock, for one whole run: two at once would fetch the
 * same files side by side, each failing the other's as busy. `refuse` (an
 * admin's command) says who holds it; `wait` (a scheduled run) starts once that
 * run has ended, or ends with `stopped` when `signal` aborts first. `paused`
 * tells others when this run's transfers are paused (by day).
 */
export async function holdSyncLock(dataDir: string, mode: 'wait' | 'refuse', signal?: AbortSignal, paused?: () => boolean): Promise<() => void> {
  const lock = syncLockOf(dataDir);
  for (;;) {
    const got = takeLock(lock, paused);
    if ('release' in got) return got.release;
    if (mode === 'refuse') throw new SyncRunning(got.holder, got.paused);
    try {
      await sleep(RUN_POLL_MS, undefined, { signal });
    } catch {
      throw new AppError('unavailable', '同步已停止 / sync stopped');
    }
  }
}
