import type { ApiError, ErrorCode } from '../../preload/contract';

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
  if (e?.code === 'ENOSPC') return { code: 'unavailable', message: '磁盘空间不足 / the disk is full' };
  // What the user named does not exist or is in the way: their input, not our fault.
  const said = SYSTEM[e?.code ?? ''];
  if (said) return { code: said.code, message: `${said.zh} / ${e.message}` };
  return { code: 'internal', message: e?.message ? String(e.message) : String(err) };
}
