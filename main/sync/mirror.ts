// The school hub's feed mirror, read-only, at /feed/<feedId>/: feed.json and its
// signature exactly as received, shards and blobs by hash. A blob the hub lacks
// is pulled through from upstream once, however many classrooms ask at the same
// moment, and only when the feed's catalog references it (no open proxy).
import type http from 'node:http';
import path from 'node:path';
import { sha256Hex } from '../feed/keys';
import { sendResponse } from '../hub/server';
import { respondWithFile } from '../media/range';
import type { Services } from '../services';
import { downloadBlob } from './downloader';
import { planUrls } from './engine';
import { TokenBucket } from './token-bucket';
import fs from 'node:fs';

const FEED_ID = /^[a-z0-9.-]{1,64}$/;

export function createFeedMirror(services: Services, opts: { log?: (m: string) => void } = {}) {
  const inflight = new Map<string, Promise<void>>();
  const bucket = new TokenBucket(Infinity);
  const st = {
    shard: services.db.prepare('SELECT sha256 FROM shards WHERE feed_id = ? AND path = ?').pluck(),
    referenced: services.db
      .prepare('SELECT f.size FROM resource_files f JOIN resources r ON r.rid = f.rid WHERE r.feed_id = ? AND f.sha256 = ? LIMIT 1')
      .pluck(),
  };

  /** One upstream fetch per blob, shared by every request waiting for it. */
  const pull = (feedId: string, sha: string, size: number) => {
    let p = inflight.get(sha);
    if (!p) {
      p = downloadBlob({ sha256: sha, size, urls: planUrls(services, feedId, sha) }, { blobs: services.blobs, bucket })
        .then(() => opts.log?.(`mirror: pulled ${sha.slice(0, 12)}… from upstream`))
        .finally(() => inflight.delete(sha));
      inflight.set(sha, p);
    }
    return p;
  };

  return {
    prefix: '/feed/',
    async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
      const url = new URL(req.url ?? '/', 'http://hub.local');
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const request = { method: req.method ?? 'GET', url: url.href, headers };
      const notFound = () => sendResponse(res, new Response('not found', { status: 404 }));
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return sendResponse(res, new Response('read-only mirror', { status: 405, headers: { allow: 'GET, HEAD' } }));
      }
      const [feedId, ...rest] = decodeURIComponent(url.pathname.slice('/feed/'.length)).split('/');
      const rel = rest.join('/');
      if (!feedId || !FEED_ID.test(feedId) || rel === '' || rel.split('/').includes('..')) return notFound();

      if (rel === 'feed.json' || rel === 'feed.json.sig') {
        const file = path.join(services.dataDir, 'feeds', feedId, rel);
        if (!fs.existsSync(file)) return notFound();
        const etag = `"${sha256Hex(fs.readFileSync(file))}"`;
        const mime = rel === 'feed.json' ? 'application/json' : 'text/plain; charset=utf-8';
        return sendResponse(res, await respondWithFile(request, file, { mime, etag, immutable: false }));
      }
      const blob = /^blobs\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(rel);
      if (blob && blob[2]!.startsWith(blob[1]!)) {
        const sha = blob[2]!;
        if (!services.blobs.has(sha)) {
          const size = st.referenced.get(feedId, sha) as number | undefined;
          if (size === undefined) return notFound();
          try {
            await pull(feedId, sha, size);
          } catch (err) {
            opts.log?.(`mirror: cannot pull ${sha.slice(0, 12)}…: ${(err as Error).message}`);
            return sendResponse(res, new Response('upstream unavailable', { status: 502 }));
          }
        }
        return sendResponse(res, await respondWithFile(request, services.blobs.pathFor(sha), { mime: 'application/octet-stream', etag: `"${sha}"`, immutable: true }));
      }
      const shardSha = st.shard.get(feedId, rel) as string | undefined;
      if (!shardSha || !services.blobs.has(shardSha)) return notFound();
      return sendResponse(res, await respondWithFile(request, services.blobs.pathFor(shardSha), { mime: 'application/json', etag: `"${shardSha}"`, immutable: true }));
    },
  };
}
