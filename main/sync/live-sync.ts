// A whole sync's latest progress, in a small file beside the data folder's sync
// lock, so `classboard status` in another process (an admin's SSH at 23:30) can
// say how tonight's run is going, not only that one runs. The run holding the
// lock writes it every 2 s at most, off its download path, and removes it when it
// ends; a reader trusts it only while the lock's holder is that file's process
// (a file left by a kill -9 is where that run stopped, never a run going on).
// Beside it, written once the run has planned, the run's files (sync.plan.json):
// after a kill -9, status checks them against the cache as it is then, since the
// progress counted bytes still in flight (not verified, some never written).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { runBytes, SyncProgress } from '../../preload/contract';
import type { BlobStore } from '../cache/blob-store';
import type { Db } from '../library/db';
import { partsLeft } from './downloader';
import type { SyncLockState } from './pid-lock';

const liveFileOf = (dataDir: string) => path.join(dataDir, 'sync.live.json');
const planFileOf = (dataDir: string) => path.join(dataDir, 'sync.plan.json');
/** At most one write this often: the file is for a person's look, not a progress bar. */
export const LIVE_WRITE_MS = 2_000;
/** Bytes over this window make the rate (and the time left) steadier than the progress bar's 3 s. */
const RATE_WINDOW_MS = 10_000;

/** What a run is doing: checking a feed's catalog, planning its files, fetching them. */
const Stage = z.enum(['catalog', 'plan', 'files']);
export type LiveStage = z.infer<typeof Stage>;

/** The file as written; read with zod, as another process (perhaps another version) wrote it. */
const LiveFile = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  stage: Stage,
  /** The feed whose catalog is being checked, the `index`-th (from 1) of `of`. */
  feed: z.object({ id: z.string(), title: z.string(), index: z.number().int(), of: z.number().int() }).nullable(),
  progress: SyncProgress.nullable(),
  /** Bytes per second over the last few seconds; 0 when nothing came in that time. */
  rate: z.number(),
  /** Bytes left at that rate; null when nothing moves (or nothing is planned yet). */
  etaSeconds: z.number().int().nullable(),
  /** A server that went silent and that the run waits for (a hub rebooting), since when (ISO). */
  waitingFor: z.object({ host: z.string(), since: z.string(), upToSeconds: z.number().int() }).nullable(),
});
type LiveFile = z.infer<typeof LiveFile>;

/** The run's files, [sha256, size] each: those it planned and those a lesson asked for meanwhile. */
const PlanFile = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  files: z.array(z.tuple([z.string().regex(/^[0-9a-f]{64}$/), z.number().int().nonnegative()])),
});

/** A running sync as `status` (and `status --json`'s `running`) gives it. */
export interface RunningSync {
  pid: number;
  startedAt: string;
  /** Its transfers are paused (the hub's night run, by day): nothing moves until the window. */
  paused: boolean;
  stage: LiveStage;
  feed: LiveFile['feed'];
  files: number;
  totalFiles: number;
  failed: number;
  bytes: number;
  totalBytes: number;
  rate: number;
  etaSeconds: number | null;
  waitingFor: LiveFile['waitingFor'];
  /** A server the last try failed at (being tried again, or left for this run), until bytes flow again. */
  trouble: SyncProgress['trouble'];
  /** Lessons of the files being fetched. */
  current: string[];
}

export interface LiveSyncWriter {
  stage(stage: LiveStage, feed?: LiveFile['feed']): void;
  progress(p: SyncProgress): void;
  /** Files the run is to fetch (its plan, then any a lesson adds): kept beside for a status after a kill -9. */
  planned(jobs: { sha256: string; size: number }[]): void;
  /** Stops writing and removes the files (before the lock is given back). */
  end(): Promise<void>;
}

/** Started by a whole run once it holds the sync lock. */
export function liveSyncWriter(dataDir: string): LiveSyncWriter {
  const file = liveFileOf(dataDir);
  const state: LiveFile = { pid: process.pid, startedAt: new Date().toISOString(), stage: 'catalog', feed: null, progress: null, rate: 0, etaSeconds: null, waitingFor: null };
  const samples: [number, number][] = [];
  let written = '';
  let writing: Promise<void> | null = null;
  let ended = false;
  const planFile = planFileOf(dataDir);
  const plan = new Map<string, number>();
  let planWrite: Promise<void> = Promise.resolve();
  // A killed run's files go as this run takes its lock over: a status before this run has written
  // must not show that run's plan (or, with a pid reused after a power cut, as this one's). Half-written
  // ones too (a kill mid-write).
  try {
    for (const f of fs.readdirSync(dataDir)) {
      const mine = [file, planFile].some((x) => f === path.basename(x) || (f.startsWith(`${path.basename(x)}.`) && f.endsWith('.tmp')));
      if (mine) fs.rmSync(path.join(dataDir, f), { force: true });
    }
  } catch {}

  const tick = () => {
    if (writing || ended) return;
    const now = Date.now();
    const p = state.progress;
    if (p) {
      samples.push([now, p.bytes]);
      while (samples.length > 2 && now - samples[0]![0] > RATE_WINDOW_MS) samples.shift();
      const [t0, b0] = samples[0]!;
      // One sample yet: the engine's own few seconds.
      state.rate = now - t0 >= 1000 ? Math.round(((p.bytes - b0) * 1000) / (now - t0)) : p.speed;
      const left = runBytes(p) - p.bytes;
      state.etaSeconds = state.rate > 0 && left >= 0 ? Math.round(left / state.rate) : null;
      const wait = p.trouble?.waitingSeconds;
      state.waitingFor = wait && p.trouble ? (state.waitingFor?.host === p.trouble.host ? state.waitingFor : { host: p.trouble.host, since: new Date(now).toISOString(), upToSeconds: wait }) : null;
    }
    const text = JSON.stringify(state);
    if (text === written) return; // a run standing still (paused, waiting) writes nothing more
    // Whole or not at all for a reader: written beside, then renamed over (as the lock's own
    // rewrite). Not atomic-write's fsynced .part: a view needs no flush to disk every 2 s, and
    // a .part in the data folder reads as a download cut short.
    const tmp = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    writing = fs.promises
      .writeFile(tmp, text)
      .then(() => fs.promises.rename(tmp, file))
      .then(
        () => void (written = text),
        // A full disk or a refused folder only costs the view; the run goes on.
        () => fs.promises.rm(tmp, { force: true }),
      )
      .finally(() => (writing = null));
  };
  tick();
  const timer = setInterval(tick, LIVE_WRITE_MS).unref();
  return {
    stage(stage, feed = null) {
      state.stage = stage;
      state.feed = feed;
    },
    progress(p) {
      state.stage = 'files';
      state.feed = null;
      state.progress = p;
    },
    planned(jobs) {
      const before = plan.size;
      for (const j of jobs) plan.set(j.sha256, j.size);
      if (plan.size === before || ended) return;
      // Once for the plan (a lesson adding a file is rare), one write after another; the same
      // write-beside-then-rename, and a failed write only costs the view.
      planWrite = planWrite.then(async () => {
        if (ended) return;
        const tmp = `${planFile}.${crypto.randomBytes(4).toString('hex')}.tmp`;
        const text = JSON.stringify({ pid: state.pid, startedAt: state.startedAt, files: [...plan] });
        await fs.promises
          .writeFile(tmp, text)
          .then(() => fs.promises.rename(tmp, planFile))
          .catch(() => fs.promises.rm(tmp, { force: true }));
      });
    },
    async end() {
      ended = true;
      clearInterval(timer);
      await writing;
      await planWrite;
      fs.rmSync(file, { force: true });
      fs.rmSync(planFile, { force: true });
    },
  };
}

function readLiveFile(dataDir: string): LiveFile | null {
  try {
    const parsed = LiveFile.safeParse(JSON.parse(fs.readFileSync(liveFileOf(dataDir), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The sync running now in another process, as far as it has got; null when none
 * runs. A run that has the lock but has not written yet (its first second) shows
 * as checking catalogs with nothing counted.
 */
export function runningSync(dataDir: string, lock: SyncLockState): RunningSync | null {
  if (!lock.running || lock.pid === null) return null;
  const live = readLiveFile(dataDir);
  // A file of another pid is a killed run's: the holder now has not written yet.
  const f = live?.pid === lock.pid ? live : null;
  const p = f?.progress ?? null;
  return {
    pid: lock.pid,
    startedAt: f?.startedAt ?? new Date().toISOString(),
    paused: lock.paused,
    stage: f?.stage ?? 'catalog',
    feed: f?.feed ?? null,
    files: p?.files ?? 0,
    totalFiles: p?.totalFiles ?? 0,
    failed: p?.failed ?? 0,
    bytes: p?.bytes ?? 0,
    totalBytes: p?.totalBytes ?? 0,
    rate: f?.rate ?? 0,
    etaSeconds: lock.paused ? null : (f?.etaSeconds ?? null),
    waitingFor: f?.waitingFor ?? null,
    trouble: p?.trouble ?? null,
    current: p?.current ?? [],
  };
}

/**
 * What a run that was killed (its lock and files outlive it) leaves, as the cache is now:
 * of its files, those verified in the cache and those left, with the bytes of the
 * left ones already in .part files, which the next sync resumes. Not the run's last
 * progress: that counted bytes still in flight, unverified, some never written (up
 * to a MiB a file), and failed files as done.
 */
export interface StoppedRun {
  totalFiles: number;
  totalBytes: number;
  cachedFiles: number;
  cachedBytes: number;
  leftFiles: number;
  leftBytes: number;
  /** Left files with bytes kept in a .part, and those bytes. */
  partialFiles: number;
  partialBytes: number;
}

/** A killed run's files as the cache holds them now; null when no run was killed, or it was before it had planned. */
export function whereStopped(dataDir: string, lock: SyncLockState, cache: { db: Db; blobs: BlobStore }): StoppedRun | null {
  if (!lock.interruptedAt) return null;
  let plan: z.infer<typeof PlanFile>;
  try {
    const parsed = PlanFile.safeParse(JSON.parse(fs.readFileSync(planFileOf(dataDir), 'utf8')));
    if (!parsed.success) return null;
    plan = parsed.data;
  } catch {
    return null;
  }
  // Its writer removes a killed run's file as it starts: one of another pid is not this lock's run.
  if (plan.pid !== lock.pid) return null;
  const sizes = new Map(plan.files);
  const cached = new Set(
    cache.db
      .prepare('SELECT sha256 FROM blobs WHERE sha256 IN (SELECT value FROM json_each(?))')
      .pluck()
      .all(JSON.stringify([...sizes.keys()])) as string[],
  );
  const r: StoppedRun = { totalFiles: sizes.size, totalBytes: 0, cachedFiles: 0, cachedBytes: 0, leftFiles: 0, leftBytes: 0, partialFiles: 0, partialBytes: 0 };
  for (const [sha, size] of sizes) {
    r.totalBytes += size;
    if (cached.has(sha)) {
      r.cachedFiles++;
      r.cachedBytes += size;
    } else {
      r.leftFiles++;
      r.leftBytes += size;
    }
  }
  // The .part files there are (a few), not a stat per file left (thousands on a first night).
  for (const [sha, bytes] of partsLeft(cache.blobs)) {
    const size = sizes.get(sha);
    if (size === undefined || cached.has(sha)) continue;
    r.partialFiles++;
    r.partialBytes += Math.min(size, bytes);
  }
  return r;
}
