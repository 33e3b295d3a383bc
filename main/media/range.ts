// The one media handler behind both hosts: Electron's privileged scheme and the
// hub's /media route. It answers Range itself (206 / 416) because seeking depends
// on it (net.fetch('file://') ignores Range). Only content-addressed names are
// accepted, so no request can reach a byte outside the cache folder.
import fs from 'node:fs';
import { Readable } from 'node:stream';

export interface MediaRequest {
  method: string;
  url: string;
  headers: Headers;
}

export interface MediaLookup {
  /** Path of a verified blob on disk, or null (one the index lists but the disk lost is forgotten). */
  fileFor(sha256: string): string | null;
  /** The blob a resource plays (its cached main rendition), or null. */
  resourceBlob(resourceId: string): string | null;
  mimeFor(sha256: string): string;
  /** Called once per served request (LRU bookkeeping). */
  touched?(sha256: string): void;
}

const SHA_SEGMENT = /^([0-9a-f]{64})(?:\.[a-z0-9]{1,8})?$/;

type ByteRange = { start: number; end: number };

/** Parses a single "bytes=" range against `size`: a range, 'unsatisfiable', or null (serve all). */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null; // multi-range or malformed: a full 200 is a correct answer
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** If-None-Match against our ETag, compared weakly as RFC 9110 13.1.2 says: `*`, a list, a W/ tag. */
export function noneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((t) => bare(t) === bare(etag));
}

function text(status: number, body: string, extra: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extra } });
}

export async function handleMediaRequest(req: MediaRequest, lookup: MediaLookup): Promise<Response> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed', { allow: 'GET, HEAD' });
  const pathname = new URL(req.url).pathname;
  const last = pathname.split('/').pop() ?? '';
  // .../resource/<id>: a resource's rendition, resolved here so the player can start
  // loading before the renderer has the resource's file list.
  const byResource = /\/resource\/([^/]+)$/.exec(pathname);
  let sha: string | null;
  if (byResource) {
    let id: string;
    try {
      id = decodeURIComponent(byResource[1]!);
    } catch {
      return text(404, 'not found');
    }
    sha = lookup.resourceBlob(id);
  } else {
    sha = SHA_SEGMENT.exec(last)?.[1] ?? null;
  }
  if (!sha) return text(404, 'not found');
  const file = lookup.fileFor(sha);
  if (!file) return text(404, '本机缓存中没有这个文件，请先下载 / this file is not in the cache on this computer: download it first');

  return respondWithFile(req, file, { mime: lookup.mimeFor(sha), etag: `"${sha}"`, immutable: true, onServe: () => lookup.touched?.(sha) });
}

/**
 * Answers GET/HEAD for one local file with Range (206/416), If-Range and a strong
 * ETag: the same code serves cached media and the hub's feed mirror.
 */
export async function respondWithFile(
  req: MediaRequest,
  file: string,
  opts: { mime: string; etag: string; immutable: boolean; onServe?: () => void },
): Promise<Response> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed', { allow: 'GET, HEAD' });
  let size: number;
  try {
    size = (await fs.promises.stat(file)).size;
  } catch {
    return text(404, 'not found');
  }
  const etag = opts.etag;
  const base: Record<string, string> = {
    'accept-ranges': 'bytes',
    'content-type': opts.mime,
    etag,
    // Content-addressed files never change; a feed index does.
    'cache-control': opts.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  // A proxy or browser cache between classroom and hub asks with a list or a weak tag: a 304 all the same.
  if (noneMatch(req.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers: base });

  let range = parseRange(req.headers.get('range'), size);
  const ifRange = req.headers.get('if-range');
  if (range && ifRange && ifRange !== etag) range = null; // stale validator: send the whole file

  if (range === 'unsatisfiable') return text(416, 'range not satisfiable', { ...base, 'content-range': `bytes */${size}` });
  opts.onServe?.();

  const status = range ? 206 : 200;
  const start = range ? range.start : 0;
  const end = range ? range.end : size - 1;
  const headers: Record<string, string> = { ...base, 'content-length': String(size === 0 ? 0 : end - start + 1) };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  if (req.method === 'HEAD' || size === 0) return new Response(null, { status, headers });

  const stream = fs.createReadStream(file, { start, end, highWaterMark: 256 * 1024 });
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, headers });
}
