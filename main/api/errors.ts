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

export function toApiError(err: unknown): ApiError {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ENOSPC') return { code: 'unavailable', message: '磁盘空间不足 / the disk is full' };
  return { code: 'internal', message: e?.message ? String(e.message) : String(err) };
}
