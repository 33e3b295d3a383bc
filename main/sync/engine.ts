// One sync run: each subscribed http(s) feed's catalog (conditional, only
// changed shards), then the files the classroom needs, most urgent first, within
// one global rate cap. A failed file is reported with the lessons it belongs to;
// the rest carry on, and one its server did not answer is tried once more after them.
import { isHttpUrl, type Res, type SyncFailure, type SyncProgress, type SyncSummary } from '../../preload/contract';
import { diskFullError, freeBytesAt, NEARLY_FULL, type DiskFullError } from '../api/errors';
import { collectOrphans, diskFree, hasRoom, removeBlob, type EvictionRequest, type Evictions } from '../cache/evict';
import { openedOnFullDisk } from '../library/db';
import type { Services } from '../services';
import { downloadBlob, failureOf, partBytes } from './downloader';
import { DeadHosts, gaveUpMessage, HOST_WAIT_MS, HostGivenUp, notBackMessage, waitForHosts, waitingMessage } from './dead-hosts';
import { holdSyncLock } from './pid-lock';
import { liveSyncWriter, type LiveSyncWriter } from './live-sync';
import { biggerThanQuota, planDownloads, type Plan, type PlannedJob, type PlanOptions } from './plan';
import type { PlanReply, PlanRequest, PlanSummary } from './plan-worker';
import { workerService } from '../util/worker';
import { TokenBucket } from './token-bucket';

export interface SyncOptions {
  /** Bytes per second; Infinity (default) for no cap. */
  rate?: number;
  /** A shared cap whose rate a scheduler changes while the run goes on (overrides `rate`). */
  bucket?: TokenBucket;
  concurrency?: number;
  /** The classroom's highest rendition (720 or 1080). */
  maxHeight?: number;
  /** Bytes tonight can move (rate × window): the least urgent lessons get a lower rendition beyond it. */
  budgetBytes?: number;
  retries?: number;
  backoffMs?: number;
  /** A server silent this long is dropped and tried again (default 30 s). */
  stallMs?: number;
  /** Cache quota and free-disk floor in bytes: eviction makes room for the plan's files first; what still does not fit is reported. */
  quotaBytes?: number;
  floorBytes?: number;
  onProgress?: (p: SyncProgress) => void;
  signal?: AbortSignal;
  /**
   * Another process's whole sync on this data folder: `wait` for it to end (the
   * default: a scheduled run), or `refuse` at once with SyncRunning (an admin's
   * command). A run of only some files (`jobs`) takes no lock.
   */
  ifRunning?: 'wait' | 'refuse';
  /** Only these files, planned by the caller: no catalog check, no plan of its own (a lesson asked for now). */
  jobs?: PlannedJob[];
  /** Files added while the run goes on, taken before its plan's next one. */
  first?: FirstQueue;
  /** One file's bytes as they come, and its end (null: in the cache), so a lesson asked for now can follow its own files. */
  onFile?: (sha256: string, e: { bytes: number } | { end: SyncFailure | null }) => void;
  /**
   * How long the run waits, knocking, for a server that stopped answering when files
   * left have no other source (a hub rebooting) before they fail: `ms` (default
   * HOST_WAIT_MS, 2 minutes, for a whole run; none for `jobs`; the night run 10);
   * `while`: the wait ends sooner once it says no (the window closed).
   */
  hostWait?: { ms: number; while?: () => boolean };
}

/**
 * Files a running sync takes before its plan's next one: a lesson a teacher asked
 * for now. Each addition starts a download of its own at once (a run's slots may
 * all be on long videos). Once the run has stopped taking files, `add` says so
 * and the caller starts another run.
 */
export class FirstQueue {
  readonly jobs: PlannedJob[] = [];
  /**
   * `bucket`: the lesson's own cap (the night rate), so a run paused by day (0) or
   * trickling does not hold the lesson, and the run's own files stay as slow as the clock says.
   */
  constructor(readonly bucket?: TokenBucket) {}
  private closed = false;
  /** Set by the run taking them. */
  wake: (() => void) | null = null;
  /** The run has reached its downloads (past the lock, the catalogs and the plan): an addition starts at once. */
  get taking(): boolean {
    return this.wake !== null;
  }
  add(jobs: PlannedJob[]): boolean {
    if (this.closed) return false;
    this.jobs.push(...jobs);
    this.wake?.();
    return true;
  }
  close(): void {
    this.closed = true;
    this.wake = null;
  }
}

// Importing again mends a file that left the cache, not a stick whose copy of it is incomplete: that one is copied again at its source.
const FOLDER_ONLY =
  '此文件来自 U 盘或文件夹导入的资源，无法联网下载：请重新导入该文件夹；如果导入时提示 U 盘上的文件不完整，请先在原来的电脑上重新导出或重新复制该文件夹，再导入 / this file came with a feed imported from a folder: import that folder again; if the import said files on the stick were incomplete, export or copy the folder again on the computer it came from first';

type FeedRow = { id: string; source: string; bases: string; mirrors: string };

/**
 * Where a feed's blobs can be fetched over HTTP: its blob bases (relative to the
 * feed), then its mirrors; resolved once per feed. A feed imported from a folder
 * (the demo library, a USB stick) has its files copied in by the import; only
 * http(s) mirrors of it can bring one back that left the cache.
 */
function urlsFor(services: Services): (feedId: string, sha: string) => string[] {
  const rows = services.db.prepare('SELECT id, source, blob_bases_json AS bases, mirrors_json AS mirrors FROM feeds').all() as FeedRow[];
  const bases = new Map(
    rows.map((f) => {
      const all = [...(JSON.parse(f.bases) as string[]), ...(JSON.parse(f.mirrors) as string[])].map((b) => (b.endsWith('/') ? b : `${b}/`));
      const remote = isHttpUrl(f.source) ? all.map((b) => new URL(b, f.source).href) : all.filter(isHttpUrl);
      // Once each, first place kept: a base also given as --mirror is one source (a file every source lacks is then 'missing').
      return [f.id, [...new Set(remote)]];
    }),
  );
  return (feedId, sha) => (bases.get(feedId) ?? []).map((b) => `${b}${sha.slice(0, 2)}/${sha}`);
}

/** The lessons (resource titles) that use these files, each once. */
function lessonsOf(services: Services, shas: string[]): string[] {
  return services.db
    .prepare('SELECT DISTINCT r.title FROM resource_files f JOIN resources r ON r.rid = f.rid WHERE f.sha256 IN (SELECT value FROM json_each(?)) ORDER BY r.title')
    .pluck()
    .all(JSON.stringify(shas)) as string[];
}

export const planUrls = (services: Services, feedId: string, sha: string): string[] => urlsFor(services)(feedId, sha);

export function planFor(services: Services, opts: PlanOptions = {}) {
  return planDownloads(services.db, services.selection, opts);
}

/**
 * planFor for a few lessons (`only`), on this thread, with the index made true of the
 * disk first for the files it counts as present (a stat each): a file gone from disk
 * whose row stayed would be left out, and 现在下载这节课 on a red lesson brought nothing.
 */
export function planForChecked(services: Services, opts: PlanOptions): Plan {
  const plan = planFor(services, { ...opts, inUse: true });
  return services.blobs.forgetMissing(plan.inUse!.keys()).length === 0 ? plan : planFor(services, opts);
}

/** One warm planner per process, on its own read-only connection. */
const planner = workerService<PlanRequest, PlanReply>('plan-worker', import.meta.url);

/**
 * The night's plan, with the index made true of the disk first for the files it
 * counts as present (stat in the worker): one gone from disk (an admin's clean-up,
 * an antivirus, a failing disk) kept its lesson counted as here, and no sync fetched
 * it again. Its row is forgotten and the plan made again, so this run brings it.
 */
async function planChecked(services: Services, opts: PlanOptions): Promise<Plan> {
  const plan = (await planner.call({ kind: 'plan', dbFile: services.db.name, opts, summaryOnly: false, cacheRoot: services.blobs.root })) as Plan;
  const gone = plan.missing?.length ? services.blobs.forgetMissing(plan.missing) : [];
  return gone.length === 0 ? plan : planInWorker(services, opts);
}

/** planFor off the main thread: the jobs, or with `summaryOnly` just their count and bytes. */
export function planInWorker(services: Services, opts: PlanOptions, summaryOnly: true): Promise<PlanSummary>;
export function planInWorker(services: Services, opts: PlanOptions, summaryOnly?: false): Promise<Plan>;
export function planInWorker(services: Services, opts: PlanOptions, summaryOnly = false): Promise<PlanReply> {
  return planner.call({ kind: 'plan', dbFile: services.db.name, opts, summaryOnly });
}

/** The offline-selection tree below `parent`, with sizes, computed by the planner. */
export function selectionInWorker(services: Services, parent: string | null, maxHeight: number) {
  return planner.call({ kind: 'selection', dbFile: services.db.name, parent, maxHeight }) as Promise<Res<'sync:selection'>>;
}

export function keptBytesInWorker(services: Services, maxHeight: number) {
  return planner.call({ kind: 'kept', dbFile: services.db.name, maxHeight }) as Promise<number>;
}

/** A sync the disk stopped, or could not start: what the admin does next (the CLI, the hub's log and the page's 立即同步 say it alike). */
export const syncDiskFull = (dataDir: string) =>
  diskFullError(dataDir, ['同步已停止，已下载的文件都保留；请清理这块磁盘后再同步', 'the sync stopped, keeping what came: free some space on it and sync again']);

/**
 * The library was opened on a full disk (read only, db.ts) and the disk is still
 * full: a sync would plan its queue (seconds at 150,000 lessons), then fail at its
 * first write, so it is refused before. Room made since (a board runs for days) lets it run.
 */
export function fullDiskRefusal(services: Services): DiskFullError | null {
  if (!openedOnFullDisk(services.db)) return null;
  const free = freeBytesAt(services.dataDir);
  return free !== null && free >= NEARLY_FULL ? null : syncDiskFull(services.dataDir);
}

/** Files by sha256, their bytes summed as they come and go: read at every progress report, so nothing is counted there. */
class Tally {
  private readonly sizes = new Map<string, number>();
  bytes = 0;
  get files(): number {
    return this.sizes.size;
  }
  add(sha256: string, size: number): void {
    if (this.sizes.has(sha256)) return;
    this.sizes.set(sha256, size);
    this.bytes += size;
  }
  has(sha256: string): boolean {
    return this.sizes.has(sha256);
  }
  delete(sha256: string): void {
    const size = this.sizes.get(sha256);
    if (size === undefined) return;
    this.sizes.delete(sha256);
    this.bytes -= size;
  }
}

/** Rounds of waiting for a host and trying its files again: a host that keeps going away does not hold the run all night. */
const MAX_PASSES = 10;

/** A file refused for space, by the limit that refused it (the CLI and the page say what to do about each). */
const NO_ROOM = {
  quota: '超出缓存上限 / over the cache quota',
  floor: '磁盘余量低于保留磁盘空间 / the disk would fall below the free space to keep',
  'no-room': '磁盘放不下 / no room on the disk',
} as const;

export async function syncAll(services: Services, opts: SyncOptions = {}): Promise<SyncSummary> {
  const full = fullDiskRefusal(services);
  if (full) throw full;
  if (opts.jobs) return syncRun(services, opts);
  // Paused (the hub's night run by day, rate 0): kept in the lock so an admin's command can say why nothing moves.
  const release = await holdSyncLock(services.dataDir, opts.ifRunning ?? 'wait', opts.signal, () => opts.bucket?.bytesPerSecond === 0);
  // How far it has got, for `classboard status` in another process (an admin's SSH at night).
  const live = liveSyncWriter(services.dataDir);
  try {
    return await syncRun(services, { ...opts, onProgress: (p) => { live.progress(p); opts.onProgress?.(p); } }, live);
  } finally {
    await live.end();
    release();
  }
}

async function syncRun(services: Services, opts: SyncOptions, live?: LiveSyncWriter): Promise<SyncSummary> {
  const started = performance.now();
  const summary: SyncSummary = { feeds: [], downloaded: { files: 0, bytes: 0 }, failed: [], skipped: 0, downgraded: 0, durationMs: 0 };
  const bucket = opts.bucket ?? new TokenBucket(opts.rate ?? Infinity);
  // Catalogs come within the files' cap: one fetched by day must not take the school's link.
  const cap = { bucket, retries: opts.retries, backoffMs: opts.backoffMs, stallMs: opts.stallMs, signal: opts.signal };
  const sources = opts.jobs ? [] : (services.db.prepare('SELECT id, title, source, revision FROM feeds ORDER BY id').all() as { id: string; title: string; source: string; revision: number }[]);
  const remote = sources.filter((s) => isHttpUrl(s.source));
  for (const [i, f] of remote.entries()) {
    live?.stage('catalog', { id: f.id, title: f.title, index: i + 1, of: remote.length });
    try {
      const r = await services.importFeed(f.source, { cap });
      summary.feeds.push({ id: f.id, title: r.title, outcome: r.outcome, revision: r.revision });
    } catch (err) {
      // An unreachable platform tonight: keep the catalog we have, still fetch files.
      // The revision still held and served (null: none yet), as the hub's check at its start keeps it: a script reading null took it for none.
      summary.feeds.push({ id: f.id, title: f.title, outcome: 'failed', revision: f.revision > 0 ? f.revision : null, error: (err as Error).message });
    }
  }

  live?.stage('plan');
  const limited = opts.quotaBytes !== undefined || opts.floorBytes !== undefined;
  // The files the quota refuses tonight, said apart from what is still to come (sync:status.overQuota during the
  // run): those the eviction below made no room for, until the run reaches each, and those the run refused for it.
  const ahead = new Tally();
  const overQuota = new Tally();
  const urls = urlsFor(services);
  const { jobs, skipped, downgraded, downsized } = opts.jobs
    ? { jobs: opts.jobs, skipped: 0, downgraded: 0, downsized: 0 }
    : await planChecked(services, { maxHeight: opts.maxHeight, budgetBytes: opts.budgetBytes, quotaBytes: opts.quotaBytes });
  if (limited) {
    collectOrphans(services.db, services.blobs);
    const room = { quotaBytes: opts.quotaBytes, floorBytes: opts.floorBytes };
    const freeBytes = diskFree(services.blobs.root);
    if (!hasRoom(services.db, jobs.reduce((a, j) => a + j.size, 0), room, freeBytes)) {
      // Room for the queue, as the plan sees the cache (kept, pinned, in use): chosen off this thread.
      const req: EvictionRequest = {
        opts: { maxHeight: opts.maxHeight, budgetBytes: opts.budgetBytes, quotaBytes: opts.quotaBytes },
        room,
        freeBytes,
        queue: opts.jobs?.map((j) => ({ sha256: j.sha256, size: j.size, priority: j.priority })),
      };
      const { chosen, overQuota: refused } = (await planner.call({ kind: 'evict', dbFile: services.db.name, req })) as Evictions;
      for (const r of refused) ahead.add(r.sha256, r.size);
      // Named before they go: an admin who lowered the quota is told which lessons left the cache.
      if (chosen.length > 0) summary.evicted = { files: chosen.length, bytes: chosen.reduce((a, c) => a + c.size, 0), lessons: lessonsOf(services, chosen.map((c) => c.sha256)) };
      for (const c of chosen) removeBlob(services.db, services.blobs, c.sha256);
    }
  }
  // Its files, so a status after a kill -9 can say which are in the cache and which are left.
  live?.planned(jobs);
  summary.skipped = skipped;
  summary.downgraded = downgraded;
  if (downsized > 0) summary.downsized = downsized;
  let totalFiles = jobs.length;
  let totalBytes = jobs.reduce((a, j) => a + j.size, 0);
  let bytes = 0;
  let files = 0;
  const inFlight = new Set<string[]>();
  // Speed over the last ~3 s from a sample every 100 ms (not one per network chunk).
  const samples: [number, number][] = [];
  let lastReport = 0;
  /** The last source that failed a try, until bytes flow again: an unreachable platform is named, not a bar stuck at 0 B. */
  let trouble: SyncProgress['trouble'] = null;
  // A host that answered nothing for a while is left for the rest of the run, and named.
  const hosts = new DeadHosts((host) => {
    trouble = { host, error: gaveUpMessage(host), gaveUp: true };
    report(true);
  });
  /** Files failed as the host they had only was left, and that host. */
  const untried = new Map<string, string>();
  /** Files this run asked a server for (a try failed, or bytes came): the others were not tried. */
  const asked = new Set<string>();
  const report = (force = false) => {
    if (!opts.onProgress) return;
    const now = performance.now();
    if (!force && now - lastReport < 100) return;
    lastReport = now;
    samples.push([now, bytes]);
    while (samples.length > 2 && now - samples[0]![0] > 3000) samples.shift();
    const [t0, b0] = samples[0]!;
    const speed = now - t0 > 200 ? ((bytes - b0) * 1000) / (now - t0) : 0;
    // Every file under way, in the order they started (the queue's, most urgent first): naming only the
    // last one started told a teacher at 8:20 that today's lesson was not among them.
    const current = [...new Set([...inFlight].flat())];
    opts.onProgress({
      files,
      totalFiles,
      failed: summary.failed.length,
      bytes,
      totalBytes,
      speed: Math.round(speed),
      current,
      trouble,
      overQuota: { files: overQuota.files + ahead.files, bytes: overQuota.bytes + ahead.bytes, ahead: ahead.files },
    });
  };
  let next = 0;
  let reserved = 0;
  let fatal: unknown = null;
  // Each file once a run, from whichever list reaches it first; one that failed may be asked for again.
  const taken = new Map<string, 'flight' | 'ok' | 'failed'>();
  const planned = opts.first ? new Set(jobs.map((j) => j.sha256)) : null;
  const end = (sha256: string, failure: SyncFailure | null) => {
    taken.set(sha256, failure ? 'failed' : 'ok');
    opts.onFile?.(sha256, { end: failure });
  };
  /** Files that failed in this run and were asked for again. */
  const again = new Set<string>();
  /** Files failed for want of an answer, for the run's second pass (a hub back from a restart brings them). */
  const unreached = new Map<string, PlannedJob>();
  /** The second pass's files, and whether it is under way. */
  let lastPass: PlannedJob[] = [];
  let inLastPass = false;
  /** Files taken by the second pass: already counted in `files`, and their first failure is in the summary. */
  const secondTry = new Set<string>();
  /** A file's earlier failure in this run is replaced by its latest end: no file is in `failed` twice. */
  const forget = (sha256: string) => {
    summary.failed = summary.failed.filter((f) => f.sha256 !== sha256);
  };
  const fail = (f: SyncFailure, tried: boolean) => {
    if (again.delete(f.sha256) || tried) forget(f.sha256);
    summary.failed.push(f);
    end(f.sha256, f);
  };
  /**
   * A lesson's file also asked for at the lesson's cap: the download (one per file in
   * this process) goes at whichever of its callers' caps allows more, slice by slice.
   */
  const hurry = (job: PlannedJob) => {
    const lane = opts.first?.bucket;
    if (!lane || lane === bucket) return;
    void downloadBlob({ ...job, urls: urls(job.feedId, job.sha256) }, { blobs: services.blobs, bucket: lane, signal: opts.signal, waitElsewhere: true }).catch(() => {});
  };
  /** Files from the first queue, started once at the lesson's cap too. */
  const firstShas = new Set<string>();
  const take = (firstOnly: boolean): PlannedJob | undefined => {
    for (let job = opts.first?.jobs.shift(); job; job = opts.first?.jobs.shift()) {
      const was = taken.get(job.sha256);
      if (was === 'flight') {
        hurry(job); // its end is reported when it comes
        continue;
      }
      if (was === 'ok') {
        opts.onFile?.(job.sha256, { end: null });
        continue;
      }
      if (was === 'failed') {
        again.add(job.sha256);
        unreached.delete(job.sha256); // tried again now: not once more at the end
      }
      if (!planned!.has(job.sha256) || was === 'failed') {
        planned!.add(job.sha256);
        totalFiles++;
        // One the quota refused is still in the run's bytes, set apart by overQuota: counted once (runBytes).
        if (!overQuota.has(job.sha256)) totalBytes += job.size;
        live?.planned([job]);
      }
      firstShas.add(job.sha256);
      return job;
    }
    while (!firstOnly && next < jobs.length) {
      const job = jobs[next++]!;
      if (!taken.has(job.sha256)) return job;
    }
    while (!firstOnly && inLastPass && lastPass.length > 0) {
      const job = lastPass.shift()!;
      if (!unreached.delete(job.sha256)) continue; // asked for again by a lesson meanwhile
      secondTry.add(job.sha256);
      return job;
    }
    return undefined;
  };
  const worker = async (firstOnly: boolean) => {
    for (let job: PlannedJob | undefined; !opts.signal?.aborted && !fatal && (job = take(firstOnly)); ) {
      taken.set(job.sha256, 'flight');
      // Reached: how this try ends says whether the quota refuses it (a lesson asking again for one it refused tries once more).
      ahead.delete(job.sha256);
      overQuota.delete(job.sha256);
      // A second try's file was counted in `files` when it first failed.
      const tried = secondTry.delete(job.sha256);
      const counted = () => {
        if (!tried) files++;
      };
      // Space is reserved when a file starts: three downloads at once must not each see room for one.
      // Which limit refused it is told here, where it is known: `status` reads it later, with no run's limits at hand.
      const noRoom = !limited
        ? null
        : job.size > (opts.quotaBytes ?? Infinity)
          ? 'too-big'
          : services.blobs.totals().bytes + reserved + job.size > (opts.quotaBytes ?? Infinity)
          ? 'quota'
          : diskFree(services.blobs.root) - reserved - job.size < (opts.floorBytes ?? 0)
            ? (opts.floorBytes ?? 0) > 0 ? 'floor' : 'no-room'
            : null;
      if (noRoom) {
        if (noRoom === 'quota' || noRoom === 'too-big') overQuota.add(job.sha256, job.size);
        // With its size: the page says what the room left was too small for.
        fail({ sha256: job.sha256, resources: job.resources, reason: noRoom, error: noRoom === 'too-big' ? biggerThanQuota(job.size, opts.quotaBytes!) : NO_ROOM[noRoom], bytes: job.size }, tried);
        counted();
        // Said now: a refusal brings no bytes, and a lesson refused while the run waits on a slow file was not in the progress until that one moved.
        report(true);
        continue;
      }
      const from = urls(job.feedId, job.sha256);
      if (from.length === 0) {
        // A file of a feed imported from a folder, gone from the cache (verify, eviction): only that folder has it.
        fail({ sha256: job.sha256, resources: job.resources, reason: 'folder', error: FOLDER_ONLY }, tried);
        counted();
        report(true);
        continue;
      }
      reserved += job.size;
      inFlight.add(job.resources);
      const sha256 = job.sha256;
      try {
        const download = downloadBlob({ ...job, urls: from }, {
          blobs: services.blobs,
          bucket,
          // A second try is one more knock and one retry, not another full round of backoffs.
          retries: tried ? Math.min(opts.retries ?? 4, 1) : opts.retries,
          backoffMs: opts.backoffMs,
          stallMs: opts.stallMs,
          signal: opts.signal,
          hosts,
          waitElsewhere: true,
          onBytes: (n) => {
            asked.add(sha256);
            bytes += n;
            trouble = null;
            opts.onFile?.(sha256, { bytes: n });
            report();
          },
          onTrouble: (host, error) => {
            asked.add(sha256);
            // A try still under way when its host was left ends after: the host stays left.
            trouble = hosts.dead(host) ? { host, error: gaveUpMessage(host), gaveUp: true } : { host, error, gaveUp: false };
            report(true);
          },
        });
        if (firstShas.delete(sha256)) hurry(job);
        const r = await download;
        // Brought by another process (or run) meanwhile: neither a failure nor this run's download.
        if (!r.elsewhere) summary.downloaded.files++;
        // Asked for again (a lesson now, or the second pass) and in this time: its earlier failure in this run is gone.
        if (again.delete(sha256) || tried) forget(sha256);
        untried.delete(sha256);
        summary.downloaded.bytes += r.fetched;
        end(sha256, null);
      } catch (err) {
        const failure: SyncFailure = { sha256, resources: job.resources, reason: failureOf(err), error: (err as Error).message };
        if (err instanceof HostGivenUp) untried.set(job.sha256, err.host);
        else untried.delete(job.sha256);
        if (failure.reason === 'unreachable') unreached.set(sha256, job);
        // A full disk stops the run: no new files start; those in flight end first.
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
          fatal ??= err;
          end(sha256, { ...failure, reason: 'disk-full' });
        } else fail(failure, tried);
      } finally {
        reserved -= job.size;
        inFlight.delete(job.resources);
      }
      counted();
      report(true);
    }
  };
  const pool = new Set<Promise<void>>();
  const spawn = (firstOnly: boolean) => {
    const p = worker(firstOnly).finally(() => pool.delete(p));
    pool.add(p);
  };
  const drain = async () => {
    while (pool.size > 0) await Promise.all(pool);
  };
  const concurrency = Math.max(1, opts.concurrency ?? 3);
  for (let i = 0; i < concurrency; i++) spawn(false);
  if (opts.first) opts.first.wake = () => spawn(true);
  await drain();
  // Files that failed only for want of an answer (a hub rebooting, a link down a
  // while) are tried again once the rest are done, as soon as a server of theirs
  // answers: the run waits for it, knocking, up to `hostWait` (the progress says so),
  // so a hub back from a reboot brings them tonight. A server that goes silent again
  // during that pass is waited for again; one that answers with errors is not. Not
  // in a run stopped or paused (by day: rate 0).
  // A lesson asked for now is not held: it knocks once, and the teacher can ask again (重新下载).
  const waitMs = opts.hostWait?.ms ?? (opts.jobs ? 0 : HOST_WAIT_MS);
  const going = () => !opts.signal?.aborted && !fatal && bucket.bytesPerSecond > 0 && (opts.hostWait?.while?.() ?? true);
  const hostsOf = (j: PlannedJob) => urls(j.feedId, j.sha256).map((u) => new URL(u).host);
  /** The host most of the files left need (the one waited for, by name). */
  const mostNeeded = () => {
    const need = new Map<string, number>();
    for (const j of unreached.values()) for (const h of new Set(hostsOf(j))) need.set(h, (need.get(h) ?? 0) + 1);
    return [...need].sort((a, b) => b[1] - a[1])[0]![0];
  };
  // Read through a call: `trouble` changes in callbacks the compiler does not follow.
  const waiting = () => (trouble as SyncProgress['trouble'])?.waitingSeconds !== undefined;
  /** When this wait began; null once a host served again (its next absence is waited for afresh). */
  let waitingSince: number | null = null;
  /** Hosts waited for in vain, and how long. */
  const notBack = new Map<string, number>();
  for (let pass = 0; pass < MAX_PASSES && unreached.size > 0 && going(); pass++) {
    const knock = new Map<string, string>();
    for (const j of unreached.values()) for (const u of urls(j.feedId, j.sha256)) if (!knock.has(new URL(u).host)) knock.set(new URL(u).host, u);
    const since = (waitingSince ??= Date.now());
    const back = await waitForHosts(knock, since + waitMs, {
      signal: opts.signal,
      going,
      knockMs: Math.min(opts.stallMs ?? 30_000, 5000),
      onMiss: () => {
        // Named, with how long the run waits for it (once: the bar does not flicker at each knock).
        if (waiting()) return;
        const host = mostNeeded();
        trouble = { host, error: waitingMessage(host, waitMs), gaveUp: false, waitingSeconds: Math.max(1, Math.round(waitMs / 1000)) };
        report(true);
      },
    });
    if (back.size === 0) {
      for (const h of knock.keys()) notBack.set(h, Math.min(Date.now() - since, waitMs));
      const host = mostNeeded();
      trouble = { host, error: gaveUpMessage(host), gaveUp: true };
      report(true);
      break;
    }
    lastPass = [...unreached.values()].filter((j) => hostsOf(j).some((h) => back.has(h)));
    const passed = new Set(lastPass.map((j) => j.sha256));
    const before = bytes;
    inLastPass = true;
    hosts.askOnceMore();
    if (waiting()) trouble = null;
    report(true);
    for (let i = 0; i < concurrency; i++) spawn(false);
    await drain();
    if (bytes > before) waitingSince = null;
    // Of this pass's files, only those whose every host went silent again are waited for again.
    for (const sha of passed) {
      const j = unreached.get(sha);
      if (j && !hostsOf(j).every((h) => hosts.dead(h))) unreached.delete(sha);
    }
  }
  await drain();
  // In the same turn as the last download's end: nothing can be added unseen.
  opts.first?.close();
  // How many files each host left took with them untried, now that the run knows: a file tried (11 MB came) is not one.
  const perHost = new Map<string, number>();
  for (const [sha, host] of untried) if (!asked.has(sha)) perHost.set(host, (perHost.get(host) ?? 0) + 1);
  for (const f of summary.failed) {
    const host = untried.get(f.sha256);
    if (host) {
      f.error = asked.has(f.sha256) ? notBackMessage(host, notBack.get(host) ?? 0) : gaveUpMessage(host, perHost.get(host), notBack.get(host));
      continue;
    }
    // Tried, then its host was waited for in vain: said so, the last error kept for the admin.
    const j = f.reason === 'unreachable' ? unreached.get(f.sha256) : undefined;
    const gone = j && hostsOf(j).find((h) => notBack.has(h));
    if (gone) f.error = notBackMessage(gone, notBack.get(gone)!, f.error.split(' / ').slice(1).join(' / ') || f.error);
  }
  // A hub gone mid-file leaves what came in the .part: a run that showed 12 MB coming
  // and ends with "0 files" says those bytes are kept, not lost.
  const partial = { files: 0, bytes: 0 };
  for (const sha of new Set(summary.failed.map((f) => f.sha256))) {
    const n = sha ? partBytes(services.blobs, sha) : 0;
    if (n > 0) {
      partial.files++;
      partial.bytes += n;
    }
  }
  if (partial.files > 0) summary.partial = partial;
  // Kept with the run: a quota raised since must not make the page say 剩余 200 MB beside files that did not fit in 25.
  if (opts.quotaBytes !== undefined && summary.failed.some((f) => f.reason === 'quota')) {
    summary.quota = { quotaBytes: opts.quotaBytes, usedBytes: services.blobs.totals().bytes };
  }
  services.queries.invalidate();
  summary.durationMs = Math.round(performance.now() - started);
  // What did come before the disk filled goes with the error: the CLI prints it.
  if (fatal) throw Object.assign(fatal as Error, { summary });
  return summary;
}
