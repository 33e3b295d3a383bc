// The classroom's (or the hub's) sync as one object both hosts drive: settings
// kept in the library, the nightly schedule, "sync now", live progress events,
// the status page and the offline selection with sizes.
import {
  DEFAULT_SYNC_SETTINGS,
  formatSchoolTime,
  runBytes,
  SyncSettings,
  type LessonFetch,
  type Res,
  type SyncFailure,
  type SyncProgress,
  type SyncStatus,
  type SyncSummary,
} from '../../preload/contract';
import { isDiskFull } from '../api/errors';
import { diskFree } from '../cache/evict';
import { otherCommits } from '../library/data-version';
import type { Services } from '../services';
import { FirstQueue, fullDiskRefusal, keptBytesInWorker, planForChecked, planInWorker, selectionInWorker, syncAll } from './engine';
import { createLessonFetches, fetchTarget } from './lesson-fetch';
import type { PlannedJob } from './plan';
import { failureBreakdown, lastSyncStamp, readLastSync, saveLastSync } from './last-sync';
import { PickedBucket, TokenBucket } from './token-bucket';
import { DEFAULT_WINDOW, inWindow, parseWindow, SyncScheduler, windowSeconds, type WindowConfig } from './scheduler';
import { NIGHT_HOST_WAIT_MS } from './dead-hosts';

export interface SyncControllerOptions {
  log?: (msg: string) => void;
  /** The Electron host keeps the PC awake while a run goes on. */
  onRunning?: (running: boolean) => void;
  onSettings?: (s: SyncSettings) => void;
  now?: () => Date;
  /** How often to look for settings another process wrote (`classboard settings` on a hub's data folder). */
  settingsPollMs?: number;
}

/** How often a running sync reads the settings row: a cap lowered from another shell is in force within seconds, not at the next run. */
const RUNNING_POLL_MS = 2_000;
/** What `classboard settings` promises: the poll, and the quarter second a transfer waiting on its cap takes to see the new rate. */
export const FOLLOWS_WITHIN_S = 3;

/** A finished run in the hub's log: files, why some failed, and any catalog not taken (an admin reads the service journal). */
function doneLine(summary: SyncSummary): string {
  const why = failureBreakdown(summary.failed);
  const catalogs = summary.feeds.filter((f) => f.outcome === 'failed').map((f) => `${f.title}（${f.error ?? ''}）`);
  return `下载 ${summary.downloaded.files} 个文件，失败 ${summary.failed.length} 个${why ? `（${why}）` : ''}${catalogs.length ? `；目录没有更新：${catalogs.join('；')}` : ''}`;
}

/** Why a run stopped, for the lessons it had not reached and the night's result. */
const stoppedBy = (err: unknown): { reason: SyncFailure['reason']; error: string } => ({
  reason: isDiskFull(err) ? 'disk-full' : 'other',
  error: (err as Error).message,
});

export function createSyncController(services: Services, opts: SyncControllerOptions = {}) {
  const { db } = services;
  const log = opts.log ?? (() => {});
  const st = {
    get: db.prepare("SELECT value FROM settings WHERE key = 'sync.settings'").pluck(),
    put: db.prepare("INSERT OR REPLACE INTO settings(key, value) VALUES ('sync.settings', ?)"),
  };

  /** The row's settings; null for a damaged row (not JSON, or not settings). */
  const read = (raw: string | undefined): Partial<SyncSettings> | null => {
    if (!raw) return {};
    try {
      const parsed = SyncSettings.partial().safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };
  // A damaged row falls back to the defaults rather than stopping the night's sync.
  const settings = (): SyncSettings => ({ ...DEFAULT_SYNC_SETTINGS, ...(read(st.get.get() as string | undefined) ?? {}) });
  const windowOf = (s: SyncSettings): WindowConfig => ({
    ...DEFAULT_WINDOW,
    ...parseWindow(s.window),
    nightRate: s.nightRate ?? Infinity,
    dayRate: s.dayRate,
  });

  // The row as this controller last applied it. Another process may write it
  // (`classboard settings` on a running hub's data folder): reading one small row
  // now and then, and before each run, is enough to notice and apply it.
  let appliedRaw = st.get.get() as string | undefined;
  let applied = settings();
  // Runs on a timer: whatever another process wrote, it must not take the hub down.
  const follow = () => {
    try {
      const raw = st.get.get() as string | undefined;
      if (raw === appliedRaw) return;
      const row = read(raw);
      appliedRaw = raw;
      // A row damaged by another process: the hub keeps what it runs on (its quota, its cap), says so once.
      if (row === null) return log('同步设置已损坏，沿用当前设置；请重新保存设置 / the saved sync settings are damaged: keeping the ones in force');
      use({ ...DEFAULT_SYNC_SETTINGS, ...row }, true);
    } catch (err) {
      log(`同步设置读取失败，沿用当前设置 / could not read the sync settings: ${(err as Error).message}`);
    }
  };
  const use = (next: SyncSettings, fromElsewhere: boolean) => {
    scheduler.reconfigure(windowOf(next));
    lessonBucket.setRate(next.nightRate ?? Infinity);
    // A run's own --rate holds until the saved cap changes while it runs: then the admin's latest word counts.
    if (next.nightRate !== applied.nightRate) for (const b of ownCaps) b.setRate(next.nightRate ?? Infinity);
    if (next.maxHeight !== applied.maxHeight || next.quotaBytes !== applied.quotaBytes) queued = null;
    applied = next;
    opts.onSettings?.(next);
    if (fromElsewhere) log(`已采用另一进程保存的同步设置（夜间时段 ${next.window}）/ sync settings saved by another process are now in force`);
  };
  // The row is read every 30 s while the schedule is on (a new window), every 2 s
  // while a run goes on (a new cap), and not at all otherwise (a command's services).
  const idlePollMs = opts.settingsPollMs ?? 30_000;
  let scheduled = false;
  let closed = false;
  let runs = 0;
  let polling: NodeJS.Timeout | null = null;
  let pollingEvery = 0;
  const repoll = () => {
    const every = closed ? 0 : runs > 0 ? Math.min(RUNNING_POLL_MS, idlePollMs) : scheduled ? idlePollMs : 0;
    if (every === pollingEvery) return;
    if (polling) clearInterval(polling);
    polling = every > 0 ? setInterval(follow, every) : null;
    polling?.unref();
    pollingEvery = every;
  };
  const following = (on: boolean) => {
    runs += on ? 1 : -1;
    repoll();
  };
  /** The caps of whole runs this process drives itself (the command line's `sync`). */
  const ownCaps = new Set<TokenBucket>();

  let progress: SyncProgress | null = null;
  let last: SyncStatus['last'] = readLastSync(db);
  // The kept row as this controller last saw it: a run kept by another process changes it.
  let seen = lastSyncStamp(db);
  const keep = (summary: SyncSummary, finishedAt?: string) => {
    last = saveLastSync(db, summary, finishedAt);
    seen = lastSyncStamp(db);
  };
  let lastEmit = 0;
  // The queue, planned once per state of the library: any change to what it is
  // planned from (catalog, selection, rendition, timetable, favourites) clears
  // it, so a plan that was under way then (seconds at 150,000) answers its own
  // caller but is never kept for the next. Another process's change (an admin's
  // `feeds add` or `keep` on a running hub's folder) clears it too.
  let queued: Promise<SyncStatus['queued'] & Pick<SyncStatus, 'overQuota'>> | null = null;
  const changedElsewhere = otherCommits(db);
  // While another process keeps writing (an admin's CLI sync records every file it
  // brings), a plan under way is awaited, not started again beside itself: the page
  // asks every 5 s and a plan takes seconds.
  let planning = false;
  let changedSince = false;
  const plannedQueue = (maxHeight: number, quotaBytes: number | undefined) => {
    if (changedElsewhere()) changedSince = true;
    if (changedSince && !planning) {
      queued = null;
      changedSince = false;
    }
    if (queued) return queued;
    planning = true;
    // With the quota: a lesson whose file could never fit is queued at the rendition the night brings.
    const plan = planInWorker(services, { maxHeight, quotaBytes }, true).then(({ files, bytes, overQuota }) => ({ files, bytes, overQuota }));
    queued = plan;
    plan.then(
      () => void (planning = false),
      () => {
        planning = false;
        if (queued === plan) queued = null;
      },
    );
    return plan;
  };

  // Lessons a teacher asked for now, and the running run's queue for files that go first.
  const lessons = createLessonFetches(services, (on) => scheduler.setUrgent(on));
  // A lesson joining a whole run goes at the night rate on a cap of its own: the run stays at the clock's rate (paused by day).
  const lessonBucket = new TokenBucket(applied.nightRate ?? Infinity);
  /** The running run's queue for files that go first, and every lesson file given to it. */
  let current: { first: FirstQueue; given: Set<string>; part: boolean } | null = null;

  /**
   * A lesson asked for while a whole run has not reached its downloads (it waits for
   * another process's sync, or imports a catalog): its files now, on the lesson's cap,
   * beside that run (a run of some files takes no lock); the two share a file both fetch.
   */
  const runBeside = async (jobs: PlannedJob[]) => {
    const s = applied;
    let stopped: { reason: SyncFailure['reason']; error: string } = { reason: 'other', error: '同步已停止 / the sync stopped' };
    try {
      const summary = await syncAll(services, {
        bucket: lessonBucket,
        jobs,
        onFile: lessons.onFile,
        maxHeight: s.maxHeight,
        quotaBytes: s.quotaBytes ?? undefined,
        floorBytes: s.floorBytes,
        onProgress: (p) => lessons.onTrouble(p.trouble),
      });
      log(`单节课下载完成：${doneLine(summary)} / lesson fetched`);
    } catch (err) {
      stopped = stoppedBy(err);
      log(`单节课下载停止：${stopped.error}`);
    } finally {
      lessons.endUnreached(jobs.map((j) => j.sha256), stopped.reason, stopped.error);
    }
  };

  /** A run of the whole plan, or (`part`) of one lesson's files only, which leaves the night's result as it was. */
  const run = async (bucket: SyncScheduler['bucket'], part?: PlannedJob[]): Promise<SyncSummary> => {
    follow();
    following(true);
    const s = applied;
    const mine = (current = { first: new FirstQueue(part ? undefined : lessonBucket), given: new Set(part?.map((j) => j.sha256)), part: part !== undefined });
    let stopped: { reason: SyncFailure['reason']; error: string } = { reason: 'other', error: '同步已停止 / the sync stopped' };
    opts.onRunning?.(true);
    try {
      const summary = await syncAll(services, {
        bucket,
        jobs: part,
        first: mine.first,
        onFile: lessons.onFile,
        maxHeight: s.maxHeight,
        quotaBytes: s.quotaBytes ?? undefined,
        floorBytes: s.floorBytes,
        budgetBytes: s.nightRate === null ? undefined : s.nightRate * windowSeconds(parseWindow(s.window)),
        // A whole run in the window waits for a hub rebooting (Windows Update) up to 10 minutes, never past the window's end; by day, the engine's 2.
        hostWait: !part && inWindow(clock(), scheduler.config) ? { ms: NIGHT_HOST_WAIT_MS, while: () => inWindow(clock(), scheduler.config) } : undefined,
        onProgress: (p) => {
          progress = p;
          const now = performance.now();
          // Four updates a second is live enough for a progress bar and cheap over SSE.
          if (now - lastEmit >= 250 || p.files === p.totalFiles) {
            lastEmit = now;
            services.events.emit('sync:progress', p);
          }
          lessons.onTrouble(p.trouble);
        },
      });
      // One lesson fetched by day is not the night's result: the sync page keeps showing that.
      if (!part) keep(summary);
      services.events.emit('sync:finished', summary);
      log(`${part ? '单节课下载完成' : '同步完成'}：${doneLine(summary)} / ${part ? 'lesson fetched' : 'sync done'}`);
      return summary;
    } catch (err) {
      stopped = stoppedBy(err);
      // A full disk stops a run part-way: what came before it is kept with the cause first, as the CLI prints it.
      const partial = (err as { summary?: SyncSummary }).summary;
      const summary: SyncSummary = {
        feeds: partial?.feeds ?? [],
        downloaded: partial?.downloaded ?? { files: 0, bytes: 0 },
        failed: [{ sha256: '', ...stopped, resources: [] }, ...(partial?.failed ?? [])],
        skipped: partial?.skipped ?? 0,
        downgraded: partial?.downgraded ?? 0,
        durationMs: partial?.durationMs ?? 0,
      };
      if (!part) keep(summary);
      services.events.emit('sync:finished', summary);
      log(`同步停止：${stopped.error}`);
      return summary;
    } finally {
      // A lesson whose files the run never reached (a full disk stopped it) hears so.
      lessons.endUnreached(mine.given, stopped.reason, stopped.error);
      current = null;
      progress = null;
      queued = null;
      following(false);
      opts.onRunning?.(false);
    }
  };

  const clock = opts.now ?? (() => new Date());
  const scheduler = new SyncScheduler<PlannedJob[]>(run, windowOf(settings()), opts.now);
  // A file a classroom asks the hub for (its pull-through) comes over the school's
  // one link: from the night run's own cap whenever that runs at the night rate (the
  // window, a run asked for now), so both together stay within it; otherwise (paused
  // or trickling by day) at the night rate on the lesson cap, as a lesson asked for now.
  const demandBucket = new PickedBucket(() => (scheduler.bucket.bytesPerSecond >= lessonBucket.bytesPerSecond ? scheduler.bucket : lessonBucket));
  services.presenting.listeners.add((on) => scheduler.setPresenting(on));

  return {
    scheduler,
    /** The cap for downloads others ask for (the hub's mirror pulling a file through for a classroom). */
    demandBucket,
    settings,
    configure(patch: Partial<SyncSettings>): SyncSettings {
      const next = SyncSettings.parse({ ...settings(), ...patch });
      const raw = JSON.stringify(next);
      // Nothing to change, nothing written: a hub started without settings flags on a full disk still starts (read-only).
      // A damaged row is still written over, as before.
      const stored = read(st.get.get() as string | undefined);
      if (stored !== null && raw === JSON.stringify(SyncSettings.parse({ ...DEFAULT_SYNC_SETTINGS, ...stored }))) {
        follow();
        return next;
      }
      appliedRaw = raw;
      st.put.run(appliedRaw);
      use(next, false);
      return next;
    },
    /** The daily schedule, with a catch-up run when started inside the window (after `catchUpDelayMs`). */
    start(catchUpDelayMs = 0) {
      follow();
      scheduler.start(catchUpDelayMs);
      scheduled = true;
      repoll();
      const next = scheduler.nextWindow();
      log(`下次夜间同步 / next night window: ${next ? `${formatSchoolTime(next)}（北京时间）/ ${next.toISOString()}` : '—'}`);
    },
    stop() {
      closed = true;
      repoll();
      scheduler.stop();
    },
    /**
     * The cap of a whole run this process drives itself (the command line's `sync`):
     * `rate` (its --rate), else the saved night rate. A night rate saved while it runs
     * (`classboard settings --rate` from another shell) is in force within seconds,
     * as for the hub's runs. `done` once the run has ended.
     */
    ownCap(rate?: number): { bucket: TokenBucket; done: () => void } {
      follow();
      const bucket = new TokenBucket(rate ?? applied.nightRate ?? Infinity);
      ownCaps.add(bucket);
      following(true);
      return {
        bucket,
        done: () => {
          if (ownCaps.delete(bucket)) following(false);
        },
      };
    },
    /** "Sync now": at the night rate, by day too. Resolves when the run ends; on a full disk, throws at once (nothing planned). */
    runNow: (): Promise<SyncSummary> => {
      const full = fullDiskRefusal(services);
      if (full) throw full;
      return scheduler.tick(true) as Promise<SyncSummary>;
    },
    /**
     * The files of resource `id`'s whole lesson now (fetchTarget), at the classroom's
     * rendition, whatever the selection says: in a run of their own, or first in the
     * one already running (never a second run at once). Asked again from any of the
     * lesson's resources, the same fetch answers. Progress and the end come as
     * `sync:lesson` events.
     */
    async fetchNow(id: string): Promise<LessonFetch> {
      follow();
      const target = fetchTarget(services, id);
      const known = lessons.get(target.id);
      if (known) return known;
      // The rendition a night run would bring (a lower one when the chosen file is bigger than the quota leaves room for).
      const { jobs } = planForChecked(services, { maxHeight: applied.maxHeight, quotaBytes: applied.quotaBytes ?? undefined, only: target.resources });
      // A whole run still short of its downloads would hold the lesson behind its lock and catalogs.
      const beside = current !== null && !current.part && !current.first.taking;
      const started = lessons.start(target, jobs, current !== null && !beside);
      if (started.state !== 'running') return started;
      if (beside) {
        void runBeside(jobs);
        return started;
      }
      const enqueue = (): void => {
        if (current?.first.add(jobs)) return void jobs.forEach((j) => current!.given.add(j.sha256));
        // The running run takes no more files (it is ending): this lesson's run follows it.
        if (scheduler.isRunning) void scheduler.whenIdle().then(enqueue);
        else void scheduler.tick(false, jobs);
      };
      enqueue();
      return started;
    },
    /**
     * The hub's check of its upstream at start, outside a run. A refused catalog is
     * what the status shows (the hub keeps serving the one it holds), so an admin's
     * wrong --key is not only in a log; a check that works again clears that feed's
     * refusal and leaves the night's files as they were.
     */
    /** `replaces`: the id a failure was noted under before the feed's own was known (a hub's upstream address). */
    noteCatalogCheck(feed: SyncSummary['feeds'][number], replaces = feed.id): void {
      if (feed.outcome === 'failed') {
        feed = { ...feed, checkedAt: feed.checkedAt ?? new Date().toISOString() };
        // Beside the night's result, not over it: its files and failures still show after a restart.
        if (last) {
          const { finishedAt, ...summary } = last;
          keep({ ...summary, feeds: [...summary.feeds.filter((f) => f.id !== feed.id), feed] }, finishedAt);
        } else keep({ feeds: [feed], downloaded: { files: 0, bytes: 0 }, failed: [], skipped: 0, downgraded: 0, durationMs: 0 });
      } else if (last?.feeds.some((f) => (f.id === feed.id || f.id === replaces) && f.outcome === 'failed')) {
        const { finishedAt, ...summary } = last;
        const others = summary.feeds.filter((f) => f.id !== feed.id && f.id !== replaces);
        keep({ ...summary, feeds: [...others, feed] }, finishedAt);
      } else return;
      const { finishedAt: _, ...summary } = last!;
      services.events.emit('sync:finished', summary);
    },
    /** The lessons being fetched now (现在下载这节课), as their last `sync:lesson` said. */
    fetching: (): LessonFetch[] => lessons.all(),
    /** The catalog, the timetable or the favourites changed: they decide what is kept and in which order. */
    forgetQueue: () => void (queued = null),
    /** Async: the queue is planned off the main thread (seconds at 150,000 lessons), then cached until something changes. */
    async status(): Promise<SyncStatus> {
      follow();
      // A run the command line (or another host) kept since; an unreadable row keeps what this host knows.
      const stamp = lastSyncStamp(db);
      if (stamp !== seen) {
        seen = stamp;
        last = readLastSync(db) ?? last;
      }
      const s = applied;
      const planned = progress ? null : await plannedQueue(s.maxHeight, s.quotaBytes ?? undefined);
      let freeBytes: number | null = null;
      try {
        freeBytes = diskFree(services.blobs.root);
      } catch {
        // the cache folder is not there yet
      }
      const rate = scheduler.bucket.bytesPerSecond;
      return {
        state: scheduler.isRunning ? 'running' : 'idle',
        mode: scheduler.mode(),
        rate: Number.isFinite(rate) ? rate : null,
        nextWindow: scheduler.nextWindow()?.toISOString() ?? null,
        progress,
        last,
        // During a run, its own: what is left of it but the files the quota refuses, which are said apart as before the run.
        queued: progress
          ? {
              files: Math.max(0, progress.totalFiles - progress.files - (progress.overQuota?.ahead ?? 0)),
              bytes: Math.max(0, runBytes(progress) - progress.bytes),
            }
          : { files: planned?.files ?? 0, bytes: planned?.bytes ?? 0 },
        overQuota: progress ? { files: progress.overQuota?.files ?? 0, bytes: progress.overQuota?.bytes ?? 0 } : (planned?.overQuota ?? { files: 0, bytes: 0 }),
        disk: { usedBytes: services.blobs.totals().bytes, quotaBytes: s.quotaBytes, freeBytes, full: fullDiskRefusal(services) !== null },
      };
    },
    /** The offline-selection tree below `parent`, with sizes (computed off the main thread). */
    selection: (parent: string | null): Promise<Res<'sync:selection'>> => selectionInWorker(services, parent, settings().maxHeight),
    async keep(ids: string[], keep: boolean): Promise<Res<'sync:keep'>> {
      services.selection.keep(ids, keep);
      queued = null;
      return { keptBytes: await keptBytesInWorker(services, settings().maxHeight), everything: services.selection.everything() };
    },
  };
}
export type SyncController = ReturnType<typeof createSyncController>;
