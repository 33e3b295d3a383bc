// The school hub's feed mirror, read-only, at /feed/<feedId>/: feed.json and its
// signature exactly as received, shards and blobs by hash. A blob the hub lacks
// is pulled through from upstream once, however many classrooms ask at the same
// moment (downloadBlob shares one download per blob, also with the hub's own
// nightly run), and only when the feed's catalog references it (no open proxy).
// It comes within the hub's caps, which are the school's link budget (the
// controller's demandBucket): by day too, no faster than the night rate.
// A pull that takes longer than a classroom would wait for headers is answered
// 503 with Retry-After; the classroom comes back and gets the verified file, as
// it does for one another process on the hub is downloading. A file whose
// upstream copy does not hash right, even after one more try, is remembered for
// a while, not fetched again for each classroom. A classroom that got bad bytes
// from the hub asks once more with Cache-Control: no-cache (downloader.ts): the
// hub then re-hashes its copy and, if it is damaged (bit rot, a failing disk),
// quarantines it as `classboard verify` does and pulls the file through again
// before answering; a good copy is served as before. Only a request from byte 0
// re-hashes, at most once per RECHECK_EVERY_MS for a good copy, and one that would
// wait past pullWaitMs is told 503 + Retry-After, as a slow pull is.
import crypto from 'node:crypto';
import type http from 'node:http';
import path from 'node:path';
import { sha256Hex } from '../feed/keys';
import { requestUrl, sendResponse } from '../hub/server';
import { countPulled } from '../hub/upstream-record';
import { respondWithFile } from '../media/range';
import type { Services } from '../services';
import { AppError } from '../api/errors';
import { BadBytes, BusyElsewhere, downloadBlob, HashMismatch, UNUSABLE_HEADER, WrongSize } from './downloader';
import { planUrls } from './engine';
import fs from 'node:fs';

const FEED_ID = /^[a-z0-9.-]{1,64}$/;

/** A request that asks past caches (a classroom's second try after bad bytes from here). */
const askedPastCache = (req: http.IncomingMessage) =>
  /\bno-cache\b/i.test(req.headers['cache-control'] ?? '') || /\bno-cache\b/i.test(String(req.headers.pragma ?? ''));
/** From the file's first byte: a Range resume is not the classroom's fresh try after bad bytes, and must not cost a re-hash. */
const fromStart = (req: http.IncomingMessage) => !req.headers.range || /^bytes=0-$/i.test(req.headers.range.trim());

export interface MirrorOptions {
  log?: (m: string) => void;
  /** How long a request waits for a pull or a re-check before it is answered 503 (default 10 s; 0: answered at once). */
  pullWaitMs?: number;
  /** The Retry-After of that answer, in seconds (default 15). */
  retryAfterS?: number;
}

/** How long a file whose upstream copy is unusable is answered from memory: the hub's link is thin, and each classroom asking would fetch it over it again. */
const UNUSABLE_FOR_MS = 30 * 60_000;
/** Retry-After when another process on the hub (an admin's `classboard sync` on its data folder) is downloading the file: once in the cache it is served. */
const BUSY_RETRY_S = 5;
/**
 * A copy re-hashed good this recently is not re-hashed again for a no-cache
 * request: anyone on the LAN may send that header, and each re-hash reads the
 * whole file (gigabytes of video) off the hub's disk.
 */
const RECHECK_EVERY_MS = 15 * 60_000;

export function createFeedMirror(services: Services, opts: MirrorOptions = {}) {
  // The hub's caps are the school's link budget: a pull-through is within them (the night run's by night, the night rate by day).
  const bucket = services.sync.demandBucket;
  /**
   * A file classrooms ask for is in use on the hub, for its cache's eviction (least recently used first):
   * without this a hub evicted by date added, the lessons every classroom plays among the first to go.
   * Once a minute per file at most (each classroom reads a video in many ranges); bookkeeping only, so a
   * library that cannot be written (a full disk) still serves.
   */
  const touchedAt = new Map<string, number>();
  const used = (sha: string) => {
    const now = Date.now();
    if ((touchedAt.get(sha) ?? 0) > now - 60_000) return;
    if (touchedAt.size > 10_000) touchedAt.clear();
    touchedAt.set(sha, now);
    try {
      services.blobs.touch(sha);
    } catch {
      // The next request marks it.
      touchedAt.delete(sha);
    }
  };
  const st = {
    shard: services.db.prepare('SELECT sha256 FROM shards WHERE feed_id = ? AND path = ?').pluck(),
    subscribed: services.db.prepare('SELECT 1 FROM feeds WHERE id = ?').pluck(),
    referenced: services.db
      .prepare('SELECT f.size FROM resource_files f JOIN resources r ON r.rid = f.rid WHERE r.feed_id = ? AND f.sha256 = ? LIMIT 1')
      .pluck(),
    forget: services.db.prepare('DELETE FROM blobs WHERE sha256 = ?'),
    // Only a re-check counts (verified_at past added_at): the hash taken on download says nothing of the disk since.
    checkedAt: services.db.prepare('SELECT verified_at FROM blobs WHERE sha256 = ? AND verified_at > added_at').pluck(),
    stamp: services.db.prepare('UPDATE blobs SET verified_at = ? WHERE sha256 = ?'),
  };

  /** Files whose pull-through failed for good (bad bytes after one more try, quarantined): until when, and the upstream hosts that sent them. */
  const unusable = new Map<string, { until: number; from: string[] }>();
  const unusableUntil = (sha: string): { until: number; from: string[] } | null => {
    const u = unusable.get(sha);
    if (u && u.until > Date.now()) return u;
    unusable.delete(sha);
    return null;
  };
  const remember = (sha: string, err: HashMismatch | WrongSize) => {
    const u = { until: Date.now() + UNUSABLE_FOR_MS, from: err instanceof HashMismatch ? err.badHosts : [] };
    unusable.set(sha, u);
    return u;
  };

  /**
   * Re-hashes the cached copy of `sha` (a classroom asked with no-cache: it got
   * bad bytes from here). A damaged copy goes to quarantine and out of the cache
   * index, as `classboard verify` does, so the request pulls the file again.
   * Shared by the requests asking at once: one re-hash, one quarantine.
   */
  const checking = new Map<string, Promise<void>>();
  const recheck = (sha: string): Promise<void> => {
    const running = checking.get(sha);
    if (running) return running;
    const check = (async () => {
      const file = services.blobs.pathFor(sha);
      const hash = crypto.createHash('sha256');
      try {
        for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) hash.update(chunk);
      } catch (err) {
        // Gone meanwhile (evicted, or verify took it): pulled like any missing file.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        opts.log?.(`mirror: cannot re-check ${sha.slice(0, 12)}…: ${(err as Error).message}`);
        return;
      }
      if (hash.digest('hex') === sha) {
        st.stamp.run(Date.now(), sha);
        opts.log?.(`mirror: re-checked ${sha.slice(0, 12)}…: good`);
        return;
      }
      services.blobs.quarantine(file, sha);
      st.forget.run(sha);
      opts.log?.(`mirror: cached copy of ${sha.slice(0, 12)}… was damaged (wrong sha256): quarantined, pulling it from upstream again`);
    })().finally(() => checking.delete(sha));
    checking.set(sha, check);
    return check;
  };
  /** Whether a no-cache request for `sha` re-hashes it: from byte 0, and not re-checked good lately. */
  const wantsRecheck = (req: http.IncomingMessage, sha: string) => {
    if (!askedPastCache(req) || !fromStart(req)) return false;
    const at = st.checkedAt.get(sha) as number | undefined;
    return at === undefined || Date.now() - at >= RECHECK_EVERY_MS;
  };
  /** Resolves 'pending' when `work` (a re-check, a pull) takes longer than a request waits: headers are not held past that. */
  const waitFor = async (work: Promise<unknown>): Promise<'done' | 'pending'> => {
    // No wait at all: answer at once (work just started cannot have ended yet).
    if ((opts.pullWaitMs ?? 10_000) <= 0) return 'pending';
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<'pending'>((resolve) => {
      timer = setTimeout(() => resolve('pending'), opts.pullWaitMs ?? 10_000).unref();
    });
    try {
      return await Promise.race([work.then(() => 'done' as const), wait]);
    } finally {
      clearTimeout(timer);
    }
  };
  /** "Come back later" for work that outlasted the wait: the classroom waits on Retry-After, not on headers. */
  const comeBack = (why: string) => new Response(why, { status: 503, headers: { 'retry-after': String(opts.retryAfterS ?? 15) } });

  /** Resolves 'done' once the blob is in the cache, 'pending' if that takes longer than a request waits. */
  const pull = async (feedId: string, sha: string, size: number): Promise<'done' | 'pending'> => {
    const download = downloadBlob({ sha256: sha, size, urls: planUrls(services, feedId, sha) }, { blobs: services.blobs, bucket }).then((r) => {
      if (r.fetched > 0) {
        opts.log?.(`mirror: pulled ${sha.slice(0, 12)}… from upstream`);
        countPulled(services.db, size); // for `classboard status`
      }
      return 'done' as const;
    });
    // Nobody may be waiting any more when it fails: the failure is reported to the
    // next request, and bytes that stayed wrong after their retry are remembered.
    download.catch((err: Error) => {
      if (err instanceof HashMismatch || err instanceof WrongSize) remember(sha, err);
      opts.log?.(`mirror: cannot pull ${sha.slice(0, 12)}…: ${err.message}`);
    });
    return waitFor(download);
  };

  /**
   * The answer for a file upstream sent unusable bytes of. 404, not 502: the hub
   * will not have it for a while, which is what a 404 tells every classroom (the
   * feed protocol: missing on one base, try the next, then the mirrors), so it
   * moves on at once to a mirror that may hold good bytes and asks nothing more
   * here. A 5xx would be retried against this hub by each classroom for nothing,
   * and a 503 with Retry-After would spend the patience a classroom keeps for this
   * hub's slow pulls. The body says why, and the header lets a classroom (or a
   * hub pulling from this one) count the file as bad bytes, not a missing file.
   */
  const unusableAnswer = ({ until, from }: { until: number; from: string[] }) => {
    const min = Math.ceil((until - Date.now()) / 60_000);
    // The upstream named: the classroom's failure then says which server to take it up with.
    const up = from.join('、');
    return new Response(
      `中心服务从上游${up ? ` ${up} ` : ''}取到的此文件无法使用（与校验值不符），${min} 分钟内不再重取，请联系资源平台 / the hub's upstream copy of this file is unusable (wrong sha256${up ? ` from ${up}` : ''}), not fetched again for ${min} min`,
      { status: 404, headers: { [UNUSABLE_HEADER]: '1' } },
    );
  };

  /** What a failed pull-through tells the classroom. */
  const pullFailed = (sha: string, err: unknown) => {
    if (err instanceof BusyElsewhere) {
      return new Response('中心服务上另一个 Classboard 进程正在下载此文件 / another Classboard process on the hub is downloading this file', {
        status: 503,
        headers: { 'retry-after': String(BUSY_RETRY_S) },
      });
    }
    if (err instanceof HashMismatch || err instanceof WrongSize) return unusableAnswer(unusableUntil(sha) ?? remember(sha, err));
    // Bytes that did not fit (a Content-Range or a body a proxy mangled once): not
    // remembered; the classroom's next try pulls again.
    if (err instanceof BadBytes) return new Response('中心服务从上游取到的数据不完整，请稍后重试 / upstream sent bytes that did not fit the file: try again', { status: 502 });
    // Upstream has not got it: missing here too, so the classroom tries its next base at once.
    if (err instanceof AppError && err.code === 'not-found') return new Response('上游没有此文件 / upstream has no such file', { status: 404 });
    // The hub's own disk: no classroom asking again tonight changes it, so 507 (not a
    // 502 each classroom retries, and each retry a pull from the platform) with why.
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
      return new Response('中心服务的磁盘已满，无法保存此文件：请管理员清理中心服务的磁盘或调低其缓存上限 / the hub\'s disk is full: it cannot keep this file', {
        status: 507,
      });
    }
    return new Response('upstream unavailable', { status: 502 });
  };

  return {
    prefix: '/feed/',
    async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
      const url = requestUrl(req);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const request = { method: req.method ?? 'GET', url: url.href, headers };
      const notFound = () => sendResponse(res, new Response('not found', { status: 404 }));
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return sendResponse(res, new Response('read-only mirror', { status: 405, headers: { allow: 'GET, HEAD' } }));
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(url.pathname.slice('/feed/'.length));
      } catch {
        return notFound(); // a malformed %-escape
      }
      const [feedId, ...rest] = decoded.split('/');
      const rel = rest.join('/');
      const dots = (seg: string) => seg === '.' || seg === '..';
      if (!feedId || !FEED_ID.test(feedId) || dots(feedId) || rel === '' || rest.some(dots)) return notFound();
      // Only feeds the hub subscribes to: a removed one's kept index would name shards it no longer has.
      if (!st.subscribed.get(feedId)) return notFound();

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
        // A re-check under way is waited for by every request (the classroom's retry
        // after a 503 sends no no-cache, and must not get the copy being doubted).
        if (services.blobs.has(sha) && (checking.has(sha) || wantsRecheck(req, sha))) {
          if ((await waitFor(recheck(sha))) === 'pending') return sendResponse(res, comeBack('中心服务正在校验此文件 / the hub is re-checking its copy of this file'));
        }
        // Listed but gone from the hub's disk is not held: pulled through, and its row forgotten
        // so the hub's own night fetches it even if this pull fails.
        if (!services.blobs.held(sha)) {
          const size = st.referenced.get(feedId, sha) as number | undefined;
          if (size === undefined) return notFound();
          const until = unusableUntil(sha);
          if (until !== null) return sendResponse(res, unusableAnswer(until));
          let pulled: 'done' | 'pending';
          try {
            pulled = await pull(feedId, sha, size);
          } catch (err) {
            return sendResponse(res, pullFailed(sha, err));
          }
          if (pulled === 'pending') return sendResponse(res, comeBack('中心服务正在从上游获取此文件 / the hub is fetching this file from upstream'));
        }
        return sendResponse(res, await respondWithFile(request, services.blobs.pathFor(sha), { mime: 'application/octet-stream', etag: `"${sha}"`, immutable: true, onServe: () => used(sha) }));
      }
      const shardSha = st.shard.get(feedId, rel) as string | undefined;
      if (!shardSha || !services.blobs.has(shardSha)) return notFound();
      return sendResponse(res, await respondWithFile(request, services.blobs.pathFor(shardSha), { mime: 'application/json', etag: `"${shardSha}"`, immutable: true }));
    },
  };
}
