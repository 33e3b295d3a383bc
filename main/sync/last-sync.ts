// The last sync's summary, kept in the library rather than in a process: a board
// restarted in the morning, the app and the CLI on one data folder, and
// `classboard status` from an admin's shell all say what the night fetched and
// what failed. Written by whichever process ran the sync.
import { LastSync, type FailureReason, type SyncFailure, type SyncSummary } from '../../preload/contract';
import type { Db } from '../library/db';
import { readSettingRow } from '../library/settings-row';

const KEY = 'sync.last';
/** When it finished, in a row of its own: a page polling every few seconds reads this, not a night's list of failures. */
const STAMP = 'sync.last.at';

/** Keeps a finished run (stamped now, or at `finishedAt`) and returns it; a failed write (a full disk) only loses the copy. */
export function saveLastSync(db: Db, summary: SyncSummary, finishedAt = new Date().toISOString()): LastSync {
  const last: LastSync = { ...summary, finishedAt };
  try {
    const put = db.prepare('INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)');
    db.transaction(() => {
      put.run(KEY, JSON.stringify(last));
      // Unique per save, even one that keeps an earlier finishedAt: another process sees the change.
      put.run(STAMP, `${finishedAt} ${Date.now()}`);
    })();
  } catch {
    // The summary still shows in this process; the next run writes it again.
  }
  return last;
}

/** The last run kept; null when none was, or the row does not read as one (written by hand, or by a newer version). */
export function readLastSync(db: Db): LastSync | null {
  return readSettingRow(db, KEY, LastSync);
}

/**
 * A catalog the hub took outside a run (at its start, or when its upstream
 * answered again): a sync of its own in `status`, dated apart (checkedAt) beside
 * the last run's files and failures, which still stand. Read and written here,
 * after the controller's own note: the controller reads it back by the stamp.
 */
export function noteCatalogSync(db: Db, feed: Omit<SyncSummary['feeds'][number], 'checkedAt' | 'error'>, at = new Date().toISOString()): void {
  const taken = { ...feed, checkedAt: at };
  const last = readLastSync(db);
  if (!last) {
    saveLastSync(db, { feeds: [taken], downloaded: { files: 0, bytes: 0 }, failed: [], skipped: 0, downgraded: 0, durationMs: 0 }, at);
    return;
  }
  const { finishedAt, ...summary } = last;
  saveLastSync(db, { ...summary, feeds: [...summary.feeds.filter((f) => f.id !== feed.id), taken] }, finishedAt);
}

/** Only the hub's checks of its upstream outside a run are kept, no run of files yet (a hub's first start): `status` shows no run line then. */
export function catalogOnly(last: LastSync): boolean {
  return last.durationMs === 0 && last.downloaded.files === 0 && last.failed.length === 0 && last.feeds.length > 0 && last.feeds.every((f) => f.checkedAt);
}

/** Changes with every kept run, read without the run's list of failures: how a host notices a run another process kept. */
export function lastSyncStamp(db: Db): string | null {
  return (db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(STAMP) as string | undefined) ?? null;
}

/** Short names of why files failed, for one line of a log or `status` (the sync page says what to do about each). */
const FAILURE_NAMES: Record<FailureReason, string> = {
  // True whether the cache is at its quota or the room left is too small (缓存已满 at 75 of 100 MB read as a bug).
  quota: '缓存空间不够',
  'too-big': '文件比缓存上限还大',
  // The disk, not the cache: a status that said 缓存已满 beside 缓存上限 不限 sent the admin to the wrong setting.
  floor: '磁盘余量低于保留磁盘空间',
  'no-room': '磁盘放不下',
  folder: '需重新导入文件夹',
  unreachable: '连不上服务器',
  missing: '服务器上找不到',
  damaged: '校验不通过',
  busy: '另一程序正在下载',
  'disk-full': '磁盘已满',
  other: '其他原因',
};

/** "缓存空间不够 3 个，连不上服务器 2 个": a run's failed files counted by cause, most first. */
export function failureBreakdown(failed: SyncFailure[]): string {
  const byReason = new Map<FailureReason, number>();
  for (const f of failed) byReason.set(f.reason, (byReason.get(f.reason) ?? 0) + 1);
  return [...byReason]
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${FAILURE_NAMES[reason]} ${n} 个`)
    .join('，');
}
