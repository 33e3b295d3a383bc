import fs from 'node:fs';
import path from 'node:path';
import { formatBytes, type ApiError, type ErrorCode } from '../../preload/contract';

/** An error meant for the user: a stable code and a message that says what to do. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A full disk as an API answer says it (the folder is the caller's to name). */
const DISK_FULL: ApiError = { code: 'unavailable', message: '磁盘空间不足 / the disk is full' };

/** The disk holding `dir` (the data folder) will not take more: said with its free space and the folder. */
export class DiskFullError extends AppError {
  constructor(
    readonly dir: string,
    readonly freeBytes: number | null,
    hint: [zh: string, en: string] = ['请先清理这块磁盘上不需要的文件再试', 'free some space on it and try again'],
    /** Which disk that is, when `dir` is not the data folder (an export's USB stick). */
    disk: [zh: string, en: string] = ['数据文件夹所在的磁盘', 'the disk holding the data folder'],
  ) {
    const free = freeBytes === null ? '' : formatBytes(freeBytes);
    super(
      'unavailable',
      `${disk[0]}已满${free ? `（剩余 ${free}）` : ''}：${dir}。${hint[0]} / ${disk[1]} ${dir} is full${free ? ` (${free} free)` : ''}: ${hint[1]}`,
    );
  }
}

/** Free bytes on the disk holding `dir` (or its nearest existing parent: a data folder not made yet); null if it cannot be told. */
export function freeBytesAt(dir: string): number | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      const s = fs.statfsSync(d);
      return s.bavail * s.bsize;
    } catch {
      if (path.dirname(d) === d) return null;
    }
  }
}

export const diskFullError = (dir: string, hint?: [string, string], disk?: [string, string]) => new DiskFullError(dir, freeBytesAt(dir), hint, disk);

/** Below this, a disk is full for SQLite: a WAL index alone takes 32 KiB, a WAL frame a page more. */
export const NEARLY_FULL = 1024 ** 2;

/**
 * Whether `err` is a full disk. ENOSPC and SQLITE_FULL say so; SQLite's other I/O
 * errors on opening (sizing the -shm file is SQLITE_IOERR_SHMSIZE, "disk I/O
 * error") and a lock waited out on a library opened for a full disk only do when
 * the disk under `dir` has (almost) no room left.
 */
export function isDiskFull(err: unknown, dir?: string): boolean {
  if (err instanceof DiskFullError) return true;
  // Or one that came through the router as toApiError says it (a settings write on a full disk).
  if (err instanceof AppError && err.message === DISK_FULL.message) return true;
  const code = String((err as { code?: unknown })?.code ?? '');
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') return true;
  if (!dir || !(code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_BUSY')) return false;
  const free = freeBytesAt(dir);
  return free !== null && free < NEARLY_FULL;
}

/** Another connection held the library past the busy timeout (a long write, BEGIN EXCLUSIVE): nothing was done, and trying again later is what helps. */
const BUSY: ApiError = {
  code: 'unavailable',
  message: '资料库正忙（另一个程序正在写入），请稍后再试 / the library is busy (another program is writing to it): try again in a moment',
};

/**
 * Whether `err` is the library busy: SQLite's SQLITE_BUSY or SQLITE_LOCKED, the
 * message alone from a worker thread (the code does not cross it), or the answer
 * toApiError made of one (a CLI command rethrows the router's answer).
 */
export function isLibraryBusy(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (message === BUSY.message) return true;
  if (/^SQLITE_(BUSY|LOCKED)/.test(String(code ?? ''))) return true;
  return typeof message === 'string' && /^database (table )?is locked$/.test(message);
}

const SYSTEM: Record<string, { code: ErrorCode; zh: string }> = {
  ENOENT: { code: 'not-found', zh: '找不到该文件或文件夹' },
  ENOTDIR: { code: 'bad-request', zh: '路径中有一段不是文件夹' },
  EISDIR: { code: 'bad-request', zh: '这是文件夹，不是文件' },
  EEXIST: { code: 'conflict', zh: '该位置已有文件' },
  EACCES: { code: 'refused', zh: '没有权限' },
  EPERM: { code: 'refused', zh: '没有权限' },
  EROFS: { code: 'refused', zh: '磁盘只读' },
  EADDRINUSE: { code: 'conflict', zh: '端口已被占用' },
  ERR_INVALID_URL: { code: 'bad-request', zh: '地址格式不对' },
};

export function toApiError(err: unknown): ApiError {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ENOSPC' || e?.code === 'SQLITE_FULL') return { ...DISK_FULL };
  // Not an internal fault (no stack in the log, no exit 70): another program's write, to wait out.
  if (isLibraryBusy(err)) return { ...BUSY };
  // What the user named does not exist or is in the way: their input, not our fault.
  const said = SYSTEM[e?.code ?? ''];
  if (said) return { code: said.code, message: `${said.zh} / ${e.message}` };
  return { code: 'internal', message: e?.message ? String(e.message) : String(err) };
}
