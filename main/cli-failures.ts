// A sync's failed files as `classboard sync` prints them: one line per cause, as
// the sync page groups them (renderer/sync/SyncPage.tsx, zh-CN 'sync.reasons'),
// not one line per file. A fresh classroom under a 2 GB floor printed 432
// identical lines. --json keeps every failure.
import type { FailureReason, QuotaFiles, SyncFailure } from '../preload/contract';
import { formatBytes, quotaShortfall } from '../preload/contract';

/** The run's limits and the disk as the run left them, for the numbers a failure for space is said with. */
export interface RunLimits {
  /** The cache quota the run used; undefined: none. */
  quotaBytes?: number;
  floorBytes: number;
  /** Bytes the cache holds now. */
  usedBytes: number;
  /** Free bytes on the cache's disk now; null when it cannot be told. */
  freeBytes: number | null;
  /** A failed file's size, if the library knows it (a quota shortfall is said with the files' sizes). */
  sizeOf?: (sha256: string) => number | undefined;
}

/** Lessons named per cause before "等", as on the sync page. */
const NAMED = 5;

/** A few lessons by name, then "等 N 节课" (a full quota fails hundreds of files for one reason). */
export const namedLessons = (lessons: string[]): string =>
  lessons.length > NAMED ? `${lessons.slice(0, NAMED).join('、')} 等 ${lessons.length} 节课` : lessons.join('、');

const SIZE_FORM = '这样带单位的大小';

/** Failures for space: the limit the engine found in the way (the quota, the floor, the disk), each with its numbers and the command that changes it. */
type SpaceReason = 'quota' | 'too-big' | 'floor' | 'no-room';
const UNKEEP = `请调高缓存上限（classboard settings --quota 500GB ${SIZE_FORM}），或少选一些离线内容（classboard unkeep）。`;

/** "这些文件（每个约 25.0 MB）" or "（最小的 1.2 MB）": the files the room left was too small for (the page's sync.quotaFiles). */
const FILES_TEXT: Record<QuotaFiles['kind'], (bytes: string) => string> = {
  unknown: () => '这些文件',
  one: (b) => `这个文件（${b}）`,
  each: (b) => `这些文件（每个约 ${b}）`,
  smallest: (b) => `这些文件（最小的 ${b}）`,
};

/**
 * Refused by the quota with room left: "缓存已满" at 75 of 100 MB read as a bug. The
 * room left is named beside the files it is too small for; a cache at its quota is
 * full. Which of the two, and the sizes, come from quotaShortfall, as on the sync page.
 */
function quotaLine(n: number, l: RunLimits, group: SyncFailure[]): string {
  const sizes = group.map((f) => f.bytes ?? l.sizeOf?.(f.sha256)).filter((x): x is number => x !== undefined);
  const s = quotaShortfall(l.usedBytes, l.quotaBytes ?? null, sizes);
  if (s.full) {
    return `缓存已满，${n} 个文件没有下载：缓存已用 ${formatBytes(s.usedBytes)}，上限 ${s.quotaBytes === null ? '不限' : formatBytes(s.quotaBytes)}。${UNKEEP}`;
  }
  const files = FILES_TEXT[s.files.kind](s.files.kind === 'unknown' ? '' : formatBytes(s.files.bytes));
  return `缓存剩余空间不够，${n} 个文件没有下载：缓存上限 ${formatBytes(s.quotaBytes)}，已用 ${formatBytes(s.usedBytes)}，剩余 ${formatBytes(s.leftBytes)}，放不下${files}。${UNKEEP}`;
}

const SPACE: Record<SpaceReason, (n: number, l: RunLimits, group: SyncFailure[]) => string> = {
  quota: quotaLine,
  // The cache is not full and unkeeping frees nothing a file bigger than the quota could use: only a higher quota lets it in (the detail gives both sizes).
  'too-big': (n, l) =>
    `${n} 个文件比缓存上限${l.quotaBytes === undefined ? '' : `（${formatBytes(l.quotaBytes)}）`}还大，课里也没有放得下的较低清晰度，没有下载：这不是缓存满了，少选离线内容也放不下。请把缓存上限调高到比文件大（classboard settings --quota 500GB ${SIZE_FORM}）。`,
  floor: (n, l) =>
    `磁盘余量不足，${n} 个文件没有下载：磁盘剩余 ${freeText(l)}，须保留 ${formatBytes(l.floorBytes)}（保留磁盘空间）。请清理这块磁盘，或调低保留空间（classboard settings --floor 1GB ${SIZE_FORM}）。`,
  'no-room': (n, l) => `磁盘放不下，${n} 个文件没有下载：磁盘剩余 ${freeText(l)}。请清理这块磁盘。`,
};
const freeText = (l: RunLimits) => (l.freeBytes === null ? '未知' : formatBytes(l.freeBytes));
const isSpace = (r: FailureReason): r is SpaceReason => r in SPACE;

const HEADLINE: Record<Exclude<FailureReason, SpaceReason>, (n: number) => string> = {
  // Importing again mends a file that left the cache, not a stick whose copy of it is incomplete (the import said so, naming the lessons).
  folder: (n) =>
    `${n} 个文件来自 U 盘或文件夹导入，无法联网下载：请重新导入该文件夹（classboard import <文件夹>）；如果导入时提示 U 盘上的文件不完整，请先在原来的电脑上重新导出或重新复制该文件夹，再导入。`,
  unreachable: (n) => `连不上资源服务器，${n} 个文件没有下载，下次同步会继续。`,
  missing: (n) => `${n} 个文件在服务器上找不到，请联系资源平台或学校管理员。`,
  // The source was asked once more past its cache (downloader.ts): the next sync most likely gets the same bytes until that server's copy is mended; the detail names it.
  damaged: (n) => `${n} 个文件下载到的内容与校验值不符，已丢弃；发来它的服务器上的文件修好之前，再同步多半也不会好（哪台服务器、怎么处理见后面的说明）。`,
  busy: (n) => `另一个 Classboard 程序正在下载其中 ${n} 个文件，稍后会自动完成。`,
  'disk-full': (n) => `磁盘已满，同步已停止，${n} 个文件没有下载完：请清理磁盘后再同步。`,
  other: (n) => `${n} 个文件下载失败。`,
};

/** Lessons the run gave a lower rendition because theirs is bigger than the cache quota leaves room for (sync and status say it alike). */
export const downsizedLine = (n: number): string =>
  `${n} 节课的视频比缓存上限大，改用了较低清晰度（调高缓存上限 classboard settings --quota 可换回原来的清晰度） / ${n} lesson(s) had a video bigger than the cache quota: a lower rendition was taken`;

/**
 * Files a run took out of the cache to make room (the quota, the disk's floor): how
 * many, and which lessons, since those are no longer ready offline. Lowering the
 * quota emptied half a cache with nothing said (sync, status and the page alike).
 */
export const evictedLine = (e: { files: number; bytes: number; lessons: string[] }): string =>
  `为腾出缓存空间，清理了 ${e.files} 个文件（${formatBytes(e.bytes)}）${e.lessons.length > 0 ? `，涉及：${namedLessons(e.lessons)}` : ''} / removed ${e.files} file(s) (${formatBytes(e.bytes)}) from the cache to make room${e.lessons.length > 0 ? `, of ${e.lessons.length} lesson(s)` : ''}`;

/**
 * The failed files by cause: a full disk first (it stopped the run), then the most
 * files first. Each line says what happened and what to do, names a few lessons,
 * and, where the detail is the admin's clue, one sample of it.
 */
export function failureLines(failed: SyncFailure[], limits: RunLimits): string[] {
  if (failed.length === 0) return [];
  const groups = new Map<FailureReason, SyncFailure[]>();
  for (const f of failed) groups.get(f.reason)?.push(f) ?? groups.set(f.reason, [f]);
  const order = [...groups].sort((a, b) => Number(b[0] === 'disk-full') - Number(a[0] === 'disk-full') || b[1].length - a[1].length);
  return [
    `失败 ${failed.length} 个文件，按原因：`,
    ...order.map(([reason, group]) => {
      const n = group.length;
      const lessons = [...new Set(group.flatMap((f) => f.resources))];
      const which = lessons.length > 0 ? ` 涉及：${namedLessons(lessons)}` : '';
      if (isSpace(reason)) return `  ${SPACE[reason](n, limits, group)}${which}${reason === 'too-big' ? ` — ${group.at(-1)!.error}` : ''}`;
      const detail = reason === 'folder' || reason === 'disk-full' ? '' : ` — ${group.at(-1)!.error}`;
      return `  ${HEADLINE[reason](n)}${which}${detail}`;
    }),
  ];
}

/**
 * After `verify` took files out: which lessons they were, and what brings each
 * back (the next sync, or importing the stick again); none when every file was
 * one no lesson in the library uses any more.
 */
export function verifyNextLines(lessons: { title: string; next: 'sync' | 'import' }[], lost: number): string[] {
  if (lost === 0) return [];
  if (lessons.length === 0) return ['  这些文件已不属于资料库中的任何课程，无需处理。'];
  const of = (next: 'sync' | 'import') => namedLessons([...new Set(lessons.filter((l) => l.next === next).map((l) => l.title))]);
  return [
    ...(lessons.some((l) => l.next === 'sync') ? [`  下次同步时会重新下载（classboard sync --now 立即下载）：${of('sync')}`] : []),
    ...(lessons.some((l) => l.next === 'import') ? [`  来自 U 盘或文件夹导入，请重新导入该文件夹（classboard import <文件夹>）：${of('import')}`] : []),
  ];
}
