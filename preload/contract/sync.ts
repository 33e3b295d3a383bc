// Nightly sync as the classroom and the school's IT admin see it: settings, what
// is kept offline (with sizes), the status page and live progress.
import { z } from 'zod';
import { GlobalId, NodeKind } from './schemas';

/** Bytes as the page and the CLI print them: 1.50 TB, 1.5 GB, 24.6 MB, 300 KB. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 4) return `${(n / 1024 ** 4).toFixed(2)} TB`;
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/**
 * A moment in school time (Asia/Shanghai), as the CLI and the hub's log print it: 2026/12/1 22:00:00.
 * The page passes its language and the parts it shows (12/1 22:00): a board's own clock may be on another zone.
 */
export function formatSchoolTime(at: Date | string, parts: Intl.DateTimeFormatOptions = {}, locale = 'zh-CN'): string {
  return new Date(at).toLocaleString(locale, { hourCycle: 'h23', ...parts, timeZone: 'Asia/Shanghai' });
}

/** An http(s) address (the platform, a CDN, the school hub), as opposed to a folder or a file:// path. */
export function isHttpUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/**
 * A rate (bytes per second) as the sync page and the CLI show it, in whole kbit/s below
 * 1 Mbit/s: 250 kbit/s is 31,250 B/s and reads 250 kbit/s, not a rounded 0.3 (or 0.00) Mbit/s.
 */
export function rateLabel(bytesPerSecond: number): string {
  const k = Math.round((bytesPerSecond * 8) / 1000);
  if (k === 0 && bytesPerSecond > 0) return `${Math.round(bytesPerSecond * 8)} bit/s`;
  return k >= 1000 ? `${k / 1000} Mbit/s` : `${k} kbit/s`;
}

/** What the room left was too small for, by the sizes known: one file, files of about one size, or the smallest of several. */
export type QuotaFiles = { kind: 'unknown' } | { kind: 'one' | 'each' | 'smallest'; bytes: number };

/**
 * Files the cache quota refused, as `classboard sync` and the sync page both say it:
 * full only at (or over) its quota; below it, the room left, too small for the files
 * waiting. "缓存已满" at 75 of 100 MB read as a bug. No quota (null) is said as full, with 不限.
 */
export type QuotaShortfall =
  | { full: true; usedBytes: number; quotaBytes: number | null }
  | { full: false; usedBytes: number; quotaBytes: number; leftBytes: number; files: QuotaFiles };

export function quotaShortfall(usedBytes: number, quotaBytes: number | null, sizes: number[]): QuotaShortfall {
  if (quotaBytes === null || usedBytes >= quotaBytes) return { full: true, usedBytes, quotaBytes };
  return { full: false, usedBytes, quotaBytes, leftBytes: quotaBytes - usedBytes, files: quotaFiles(sizes) };
}

function quotaFiles(sizes: number[]): QuotaFiles {
  if (sizes.length === 0) return { kind: 'unknown' };
  const min = Math.min(...sizes);
  if (sizes.length === 1) return { kind: 'one', bytes: min };
  // Within a fifth of each other they read as one size ("每个约 25.0 MB"); otherwise the smallest says enough.
  return Math.max(...sizes) <= min * 1.2 ? { kind: 'each', bytes: min } : { kind: 'smallest', bytes: min };
}

/** Bytes of a selection (with the timetabled and favourite lessons always kept) the quota leaves out; 0 when it fits or there is none. */
export function selectionOverQuota(keptBytes: number, quotaBytes: number | null): number {
  return quotaBytes === null ? 0 : Math.max(0, keptBytes - quotaBytes);
}

const channel = <Req extends z.ZodType, Res extends z.ZodType>(req: Req, res: Res) => ({ req, res });

const HHMM = '([01]\\d|2[0-3]):[0-5]\\d';
/** Bytes per second; 2 Mbit/s = 250,000. */
const Rate = z.number().int().min(0).max(10 * 1024 ** 3);

export const SyncSettings = z
  .object({
    /** The night window in school time (Asia/Shanghai), e.g. "22:00-06:30"; may cross midnight. */
    window: z
      .string()
      .regex(new RegExp(`^${HHMM}-${HHMM}$`), 'window as HH:MM-HH:MM')
      .refine((w) => w.slice(0, 5) !== w.slice(6), '同步时段的开始和结束不能相同 / the window must not start and end at the same time'),
    /** The night cap; null for none. */
    nightRate: Rate.nullable(),
    /** By day: 0 pauses downloads, anything else is a trickle that never slows teaching. */
    dayRate: Rate,
    /** The classroom's highest video rendition (its screen or its link). */
    maxHeight: z.number().int().min(144).max(4320),
    /** Most the cache may hold; null for no quota (the free-disk floor still applies). */
    quotaBytes: z.number().int().positive().nullable(),
    /** Free disk space the sync always leaves. */
    floorBytes: z.number().int().min(0),
    /** Start Classboard when the PC starts (Electron only), so the night's sync runs. */
    startAtLogin: z.boolean(),
  })
  .strict();
export type SyncSettings = z.infer<typeof SyncSettings>;

/** A quota below this is surely a slip (a unit left out, a decimal point in the wrong place): the CLI and the page refuse it. */
export const MIN_QUOTA_BYTES = 100 * 1024 ** 2;

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  window: '22:00-06:30',
  nightRate: null,
  dayRate: 0,
  maxHeight: 1080,
  quotaBytes: null,
  floorBytes: 2 * 1024 ** 3,
  startAtLogin: true,
};

/**
 * Why a file did not come, so the page can group 395 files under one cause a
 * teacher can act on: the cache quota, the free space to keep on the disk
 * (`floor`), a disk too small for the file with no floor (`no-room`), a folder to
 * import again, a server that cannot be reached, a file no source has, bytes that
 * failed their check, another Classboard process on the same file, a disk that
 * filled mid-write (`disk-full`, the run stopped), a file bigger than the whole
 * quota (`too-big`: none of its lesson's renditions fits); `error` keeps the detail.
 */
export const FailureReason = z.enum(['quota', 'too-big', 'floor', 'no-room', 'folder', 'unreachable', 'missing', 'damaged', 'busy', 'disk-full', 'other']);
export type FailureReason = z.infer<typeof FailureReason>;
export const SyncFailure = z.object({
  sha256: z.string(),
  resources: z.array(z.string()),
  reason: FailureReason,
  error: z.string(),
  /** The file's size, for a file refused for space: the page says what the room left was too small for (absent: other causes, or a run before it was kept). */
  bytes: z.number().optional(),
});
export type SyncFailure = z.infer<typeof SyncFailure>;

export const SyncSummary = z.object({
  feeds: z.array(
    z.object({
      id: z.string(),
      /** The feed's own title (e.g. 国家中小学智慧教育平台), for the page. */
      title: z.string(),
      outcome: z.enum(['applied', 'unchanged', 'failed']),
      /** The revision held after the check: for a failed one, the revision still served (null: none held). */
      revision: z.number().int().nullable(),
      error: z.string().optional(),
      /** When a check outside a run (the hub's at its start) failed: it is dated on its own, not as the night's. */
      checkedAt: z.string().optional(),
    }),
  ),
  downloaded: z.object({ files: z.number().int(), bytes: z.number() }),
  failed: z.array(SyncFailure),
  /** Renditions above the classroom's height, and files outside the offline selection. */
  skipped: z.number().int(),
  /** Lessons given a lower rendition so the night's byte budget (rate × window) holds. */
  downgraded: z.number().int(),
  /** Lessons given a lower rendition because theirs is bigger than the cache quota leaves room for (absent: none, or a run before it was counted). */
  downsized: z.number().int().optional(),
  /** Files taken out of the cache to make room under the quota or the disk's floor, and the lessons they belonged to (absent: none). */
  evicted: z.object({ files: z.number().int(), bytes: z.number(), lessons: z.array(z.string()) }).optional(),
  /**
   * When the quota refused files: the quota the run went by and what the cache held at its end, so the page
   * says, as the CLI does, whether it was full or the room left too small (absent: none refused, or a run before it was kept).
   */
  quota: z.object({ quotaBytes: z.number(), usedBytes: z.number() }).optional(),
  /** Of the failed files, those partly downloaded: kept on disk, the next sync goes on from there. */
  partial: z.object({ files: z.number().int(), bytes: z.number() }).optional(),
  durationMs: z.number(),
});
export type SyncSummary = z.infer<typeof SyncSummary>;

export const SyncProgress = z.object({
  /** Files done with, those that failed among them. */
  files: z.number().int(),
  totalFiles: z.number().int(),
  /** Of `files`, those that failed (a bar counting them as done hid a dead server). */
  failed: z.number().int(),
  bytes: z.number(),
  totalBytes: z.number(),
  /** Bytes per second over the last few seconds. */
  speed: z.number(),
  /** Lessons of the files being fetched, the most urgent first. */
  current: z.array(z.string()),
  /**
   * A server that failed the last try and is being tried again (or passed over), until bytes flow again;
   * `gaveUp`: it answered nothing for a while and this run tries it no more (the next one does);
   * `waitingSeconds`: files left need it, and the run waits for it, at most this long, going on as soon as it answers.
   */
  trouble: z.object({ host: z.string(), error: z.string(), gaveUp: z.boolean(), waitingSeconds: z.number().int().positive().optional() }).nullable(),
  /**
   * Of totalFiles, those the cache quota refuses tonight: the ones the run has refused for it, and those its
   * eviction made no room for at its start (quotaRefusals, sync:status.overQuota's before the run) that it has
   * not reached yet (`ahead`, still among totalFiles − files). The sync page says them apart from 待下载 during
   * the run as before it. Absent: none (a run of an earlier version, in sync.live.json).
   */
  overQuota: z.object({ files: z.number().int(), bytes: z.number(), ahead: z.number().int() }).optional(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

/** The bytes a run brings in all: its queue less what the quota refuses (the whole of its bar, its 待下载 and its time left). */
export const runBytes = (p: SyncProgress): number => Math.max(0, p.totalBytes - (p.overQuota?.bytes ?? 0));

/**
 * A lesson's files fetched now, asked for on the notice of a lesson not
 * downloaded or a period of 今日课表: how far it is, and how it ended (each
 * failed file with its cause).
 */
export const LessonFetch = z.object({
  /** The lesson's node, or the resource itself when it hangs on a unit or a volume (fetched alone). */
  id: GlobalId,
  /** The resources it brings (every one of the lesson's): each one's screen shows this fetch. */
  resources: z.array(GlobalId),
  state: z.enum(['running', 'done', 'failed']),
  /** Its files go first in a whole sync already under way, rather than in a run of their own. */
  joined: z.boolean(),
  files: z.number().int(),
  totalFiles: z.number().int(),
  bytes: z.number(),
  totalBytes: z.number(),
  /** A server not answering and being tried again, as the sync's progress names it. */
  trouble: SyncProgress.shape.trouble,
  failures: z.array(SyncFailure),
});
export type LessonFetch = z.infer<typeof LessonFetch>;

/** A finished run as the library keeps it (main/sync/last-sync.ts): it outlives a restart. */
export const LastSync = SyncSummary.extend({ finishedAt: z.string() });
export type LastSync = z.infer<typeof LastSync>;

export const SyncStatus = z.object({
  state: z.enum(['running', 'idle']),
  /** Why the current cap is what it is. */
  mode: z.enum(['night', 'manual', 'day', 'paused', 'presenting']),
  /** The cap in force now (bytes/s); null for none. */
  rate: z.number().nullable(),
  nextWindow: z.string().nullable(),
  progress: SyncProgress.nullable(),
  last: LastSync.nullable(),
  /** What the classroom still needs and tonight's sync will bring (the selection, at its rendition, within the quota). */
  queued: z.object({ files: z.number().int(), bytes: z.number() }),
  /**
   * What it still needs that the cache quota will refuse tonight (the eviction's own choice): said apart, since
   * 待下载 reads as "here tomorrow". While a run goes on, the run's own (its progress's overQuota); zero without a quota.
   */
  overQuota: z.object({ files: z.number().int(), bytes: z.number() }),
  disk: z.object({
    usedBytes: z.number(),
    quotaBytes: z.number().nullable(),
    freeBytes: z.number().nullable(),
    /** The library was opened on a full disk that is still full: it can be read, but a sync or a setting cannot be saved. */
    full: z.boolean(),
  }),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

/** One textbook node as the offline-selection tree shows it. */
export const SelectionNode = z.object({
  id: GlobalId,
  title: z.string(),
  kind: NodeKind,
  childCount: z.number().int(),
  /** Bytes of everything under it at the classroom's rendition, and how much is downloaded. */
  bytes: z.number(),
  cachedBytes: z.number(),
  /** all: kept offline; none: browse only; some: part of it. */
  keep: z.enum(['all', 'some', 'none']),
  /** Bytes under it kept whatever the selection says: timetabled and favourite lessons. */
  alwaysBytes: z.number(),
});
export type SelectionNode = z.infer<typeof SelectionNode>;

/** A page renews its "presenting" every RENEW_MS; one not renewed for LEASE_MS has ended. */
export const PRESENTING_RENEW_MS = 30_000;
export const PRESENTING_LEASE_MS = 90_000;

export const syncChannels = {
  /**
   * A lesson is on this screen (or no longer): a running sync slows to a trickle
   * meanwhile. `screen` names one page load; `presenting: true` is a lease the page
   * renews (main/sync/presence.ts), so a board that goes away mid-lesson stops counting.
   */
  'sync:presenting': channel(
    z.object({ screen: z.string().min(1).max(64), presenting: z.boolean() }).strict(),
    z.object({ presenting: z.boolean() }),
  ),
  'sync:status': channel(z.object({}).strict(), SyncStatus),
  /** Starts a sync at once (by day too, at the night rate); false when one is already running. */
  'sync:now': channel(z.object({}).strict(), z.object({ started: z.boolean() })),
  /**
   * Fetches the files of resource `id`'s whole lesson now (a resource on a unit's or a
   * volume's node: its own), by day too, at the night rate, at the classroom's rendition,
   * whatever the selection says; in the running sync, first, if one is under way. Asked
   * again from any of the lesson's resources while under way, answers that same fetch.
   * Answers at once; progress and the end come as `sync:lesson` events.
   */
  'sync:fetch': channel(z.object({ id: GlobalId }).strict(), LessonFetch),
  /** The fetches under way (from another screen, or before this page loaded), for a screen to show rather than offer again. */
  'sync:fetching': channel(z.object({}).strict(), z.object({ items: z.array(LessonFetch) })),
  'sync:settings': channel(z.object({}).strict(), SyncSettings),
  /** Changes some settings; a new rate applies to the running sync at once. */
  'sync:configure': channel(SyncSettings.partial().strict(), SyncSettings),
  /** The offline-selection tree below `parent` (null: the roots), with sizes. */
  'sync:selection': channel(
    z.object({ parent: GlobalId.nullable() }).strict(),
    z.object({
      /** True while nothing is chosen: everything is kept, within the quota. */
      everything: z.boolean(),
      trail: z.array(z.object({ id: GlobalId, title: z.string() })),
      nodes: z.array(SelectionNode),
      keptBytes: z.number(),
      totalBytes: z.number(),
    }),
  ),
  /** Keeps (or stops keeping) parts of the tree offline; the rest stays browsable. */
  'sync:keep': channel(
    z.object({ ids: z.array(GlobalId).min(1).max(500), keep: z.boolean() }).strict(),
    z.object({ keptBytes: z.number(), everything: z.boolean() }),
  ),
} as const;

export const syncEvents = {
  'sync:progress': SyncProgress,
  'sync:finished': SyncSummary,
  'sync:lesson': LessonFetch,
} as const;
