// Finding and running ffmpeg: a configured path, then the ffmpeg-static package's
// binary (an optional dependency that cannot install everywhere), then PATH.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../api/errors';

const require = createRequire(import.meta.url);

function onPath(name: string): string | null {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

function fromFfmpegStatic(): string | null {
  try {
    const p = require('ffmpeg-static') as string | null;
    return p && fs.existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

export function resolveFfmpeg(configured?: string, tool: 'ffmpeg' | 'ffprobe' = 'ffmpeg'): string {
  if (configured) {
    if (fs.existsSync(configured)) return configured;
    throw new AppError('unavailable', `设置中的 ffmpeg 路径不存在：${configured} / the configured ffmpeg was not found`);
  }
  const bundled = tool === 'ffmpeg' ? fromFfmpegStatic() : null;
  const found = bundled ?? onPath(tool);
  if (found) return found;
  throw new AppError(
    'unavailable',
    `找不到 ${tool}：请安装 ffmpeg（Debian/UOS/麒麟：sudo apt install ffmpeg）或在设置中指定路径 / ${tool} not found: install ffmpeg or set its path in settings`,
  );
}

/** Runs ffmpeg (or ffprobe) to completion; rejects with the tail of stderr. */
export function runFfmpeg(args: string[], opts: { bin?: string; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  const bin = opts.bin ?? resolveFfmpeg();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-8000)));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new AppError('internal', `${path.basename(bin)} failed (${signal ?? code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
