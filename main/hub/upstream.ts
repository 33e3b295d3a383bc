// The hub's upstream: its catalog taken at start, and while the hub holds none of
// it (the platform down when the hub was set up), asked again on its own, with
// classrooms told to come back meanwhile.
import type http from 'node:http';
import { AppError, isDiskFull } from '../api/errors';
import type { Services } from '../services';
import { createFeedMirror } from '../sync/mirror';
import { requestUrl } from './server';
import { httpSource, UpstreamStatus } from '../sync/http-source';
import { formatSchoolTime, isHttpUrl } from '../../preload/contract';
import { noteCatalogSync } from '../sync/last-sync';
import { hubUpstreamOf, recordHubUpstream } from './upstream-record';

/** Which feed is the hub's upstream, kept for `feeds remove`; a write that fails (a full disk) must not stop the hub serving. */
function keepUpstreamId(services: Services, feedId: string, upstream: string, log: (m: string) => void): void {
  try {
    recordHubUpstream(services.db, feedId, upstream);
  } catch (err) {
    log(`hub: upstream not recorded: ${(err as Error).message}`);
  }
}

/** A catalog taken from upstream: the controller's note (clearing a failure), then a sync of its own in `status`. */
function noteTaken(services: Services, s: { feedId: string; title: string; outcome: 'applied' | 'unchanged'; revision: number }, replaces?: string): void {
  const feed = { id: s.feedId, title: s.title, outcome: s.outcome, revision: s.revision };
  services.sync.noteCatalogCheck(feed, replaces);
  noteCatalogSync(services.db, feed);
}

interface Held {
  id: string;
  title: string;
  revision: number;
  /** Where the held catalog came from. */
  source: string;
  /** Found as the feed the hub served before, from another address than --upstream now. */
  moved: boolean;
}

/**
 * The catalog the hub holds of its upstream: the feed taken from this address, or
 * else the one the hub served before (recorded by feed id): the platform moved to
 * https or to a new CDN host, and the admin gave the hub the new address.
 */
function heldCatalog(services: Services, upstream: string): Held | undefined {
  if (!isHttpUrl(upstream)) return undefined;
  const row = (where: string, v: string) =>
    services.db.prepare(`SELECT id, title, revision, source FROM feeds WHERE ${where} = ?`).get(v) as Omit<Held, 'moved'> | undefined;
  const here = row('source', httpSource(upstream).location);
  if (here) return { ...here, moved: false };
  const before = hubUpstreamOf(services.db);
  const there = before ? row('id', before.feedId) : undefined;
  return there ? { ...there, moved: true } : undefined;
}

/**
 * The hub's upstream catalog now; files are pulled through on first request and
 * fetched in the night window. Whatever keeps it from being taken (the platform
 * down, a stale CDN edge with an older revision, a bad signature, a 404, a
 * maintenance page), a hub that holds a verified catalog of that feed serves it,
 * and the night's run tries again: the school must not lose its hub. Holding
 * it only from the address the hub had before, the error is returned: the hub
 * serves the held catalog and retryUpstream asks the new address again (the
 * night's run asks the old one). Holding nothing, an upstream that is only down
 * (see upstreamDown) is returned as the error to retry on (the hub serves the LAN
 * meanwhile: a service manager would otherwise restart it in a loop); anything
 * else is refused with the reason, for the admin at the keyboard to fix.
 */
export async function mirrorUpstream(
  services: Services,
  upstream: string,
  opts: { unsigned?: boolean; keys: Record<string, string>; /** false: `hub --no-schedule`, no night run to try again */ scheduled?: boolean },
  log: (m: string) => void,
): Promise<Error | null> {
  try {
    const s = await services.importFeed(upstream, opts);
    noteTaken(services, s);
    keepUpstreamId(services, s.feedId, upstream, log);
    log(`上游资源库 ${s.title}（${s.feedId}）第 ${s.revision} 版已同步目录，教室可订阅 /feed/${s.feedId}/`);
    return null;
  } catch (err) {
    const held = heldCatalog(services, upstream);
    if (held?.moved) return err as Error;
    if (!held) {
      if (isHttpUrl(upstream) && upstreamDown(err, services.dataDir)) return err as Error;
      throw err;
    }
    keepUpstreamId(services, held.id, upstream, log);
    // Shown by the sync page and `status` too, not only in this log.
    services.sync.noteCatalogCheck({ id: held.id, title: held.title, outcome: 'failed', revision: held.revision, error: (err as Error).message });
    const why = err instanceof AppError && err.code === 'unavailable' ? '无法连接上游' : '上游的目录未被采用';
    // A hub without a schedule runs nothing at night: promising the night's try left the catalog stale with no one told.
    const [zhAgain, enAgain] =
      opts.scheduled === false
        ? ['下次启动中心服务或运行 classboard sync --now 时再试', 'it is tried again when the hub next starts or classboard sync --now runs (this hub has no night schedule)']
        : ['夜间同步时再试', "the night's run tries again"];
    log(
      `${why}：${(err as Error).message}\n先提供已有的目录 ${held.id}（第 ${held.revision} 版），${zhAgain} / upstream catalog not taken: serving the one held (${held.id}, revision ${held.revision}); ${enAgain}`,
    );
    return null;
  }
}

/**
 * The upstream could not be reached or failed for now (no connection, DNS, a
 * timeout, a 5xx, a 408/429), as against one that answered what the hub must
 * refuse (a wrong key, a 404 or 403, not a feed, an older revision) or the hub's
 * own full disk.
 */
function upstreamDown(err: unknown, dataDir: string): boolean {
  if (!(err instanceof AppError) || err.code !== 'unavailable' || isDiskFull(err, dataDir)) return false;
  return !(err instanceof UpstreamStatus) || err.status >= 500 || err.status === 408 || err.status === 429;
}

/** The first wait before an upstream address whose catalog the hub has not taken is asked again; doubled each time up to 30 times it (1 min → 30 min). */
export const UPSTREAM_RETRY_MS = 60_000;

/**
 * A hub that holds no catalog of its upstream asks again on its own, by day too
 * (a school without a catalog has nothing to teach from), until it is taken. Its
 * failure is in `status` and on the sync page under the upstream's address (the
 * feed's id is not known yet); classrooms asking /feed/ meanwhile are told when
 * (see pendingFeedRoute). A hub given a new address for the feed it served
 * before serves the catalog it holds meanwhile, says which feed that is and
 * where it came from (the new address may be another feed altogether), and
 * moves to the new address once it answers. stop() clears the timer.
 */
export function retryUpstream(
  services: Services,
  upstream: string,
  opts: { unsigned?: boolean; keys: Record<string, string> },
  log: (m: string) => void,
  firstError: Error,
  firstMs: number,
) {
  const held = heldCatalog(services, upstream);
  const moved = held?.moved ? held : null;
  const id = moved ? moved.id : httpSource(upstream).location;
  const title = moved ? moved.title : '上游资源库 / upstream feed';
  let delay = firstMs;
  let timer: NodeJS.Timeout | null = null;
  let next: Date | null = null;
  let stopped = false;
  const wait = (ms: number): [zh: string, en: string] =>
    ms < 60_000 ? [`${Math.round(ms / 100) / 10} 秒`, `${Math.round(ms / 100) / 10} s`] : [`${Math.round(ms / 60_000)} 分钟`, `${Math.round(ms / 60_000)} min`];
  const later = (err: Error) => {
    next = new Date(Date.now() + delay);
    const when = `${formatSchoolTime(next)}（北京时间）`;
    const [zhWait, enWait] = wait(delay);
    const down = upstreamDown(err, services.dataDir);
    // Set first: a status that cannot be saved (a full disk) must not end the retries.
    timer = setTimeout(() => void attempt(), delay);
    try {
      services.sync.noteCatalogCheck({
        id,
        title,
        outcome: 'failed',
        revision: moved ? moved.revision : null,
        error: moved
          ? `新的上游地址 ${upstream}：${err.message}（仍提供此前从 ${moved.source} 取得的目录，${when}再试新地址 / the new upstream address was not taken; the catalog held from ${moved.source} is served; next try ${next.toISOString()}）`
          : `${err.message}（中心服务还没有此资源库的目录，${when}再试 / the hub holds no catalog of it yet; next try ${next.toISOString()}）`,
      });
    } catch (noted) {
      log(`hub: upstream status not saved: ${(noted as Error).message}`);
    }
    if (moved) {
      log(
        `${down ? `无法连接新的上游地址 ${upstream}` : `新的上游地址 ${upstream} 的目录未被采用`}：${err.message}\n` +
          `先提供此前从 ${moved.source} 取得的资源库 ${moved.title}（${moved.id}）第 ${moved.revision} 版；新地址若是另一个资源库，它的目录取得后另行提供；${zhWait}后（${when}）再试新地址 / ` +
          `${down ? 'cannot reach the new upstream address' : 'the new upstream address was not taken'}: serving the catalog held from ${moved.source} (${moved.id}, revision ${moved.revision}); if the new address is another feed, it is served besides once taken; next try in ${enWait}`,
      );
    } else {
      log(
        `${down ? '无法连接上游' : '上游的目录未被采用'}：${err.message}\n中心服务照常为局域网服务，但还没有上游的目录，教室暂时无法订阅；${zhWait}后（${when}）再试 / ` +
          `${down ? 'cannot reach the upstream' : 'upstream catalog not taken'}: the hub serves the LAN but holds no catalog of it yet, so classrooms cannot subscribe; next try in ${enWait}`,
      );
    }
    delay = Math.min(delay * 2, firstMs * 30);
  };
  const attempt = async () => {
    timer = null;
    try {
      const s = await services.importFeed(upstream, opts);
      if (stopped) return;
      next = null;
      // In place of the failure noted under the upstream's address (or the held feed's).
      noteTaken(services, s, id);
      keepUpstreamId(services, s.feedId, upstream, log);
      if (!moved) {
        log(`已取得上游资源库 ${s.title}（${s.feedId}）第 ${s.revision} 版的目录，教室现在可订阅 /feed/${s.feedId}/ / upstream catalog taken (${s.feedId}, revision ${s.revision}): classrooms can subscribe`);
      } else if (s.feedId === moved.id) {
        log(`已改用新的上游地址 ${upstream}：${s.title}（${s.feedId}）第 ${s.revision} 版 / now mirroring ${s.feedId} (revision ${s.revision}) from the new upstream address`);
      } else {
        log(
          `新的上游地址 ${upstream} 是另一个资源库：已取得 ${s.title}（${s.feedId}）第 ${s.revision} 版的目录，教室可订阅 /feed/${s.feedId}/；此前的 ${moved.title}（${moved.id}）仍照常提供 / ` +
            `the new upstream address is another feed: ${s.feedId} (revision ${s.revision}) taken, classrooms can subscribe; ${moved.id} is still served`,
        );
      }
    } catch (err) {
      if (!stopped) later(err as Error);
    }
  };
  later(firstError);
  return {
    /** When the next try is, while the hub holds no catalog of its upstream (none while it serves the one it held before). */
    next: () => (moved ? null : next),
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** How long a classroom is asked to wait while the hub takes its upstream's first catalog. */
const IMPORTING_RETRY_S = 30;

/**
 * /feed/ while the hub has no catalog of its upstream yet, because it is taking it
 * now (`importing`: a national catalog over a thin link takes minutes) or could not
 * reach it (the Date of its next try): a classroom subscribing then is told to come
 * back (503, Retry-After, why), not a 404 that reads as a wrong address. Feeds the
 * hub holds go to the mirror as ever.
 */
export function pendingFeedRoute(services: Services, mirror: ReturnType<typeof createFeedMirror>, next: () => Date | 'importing' | null) {
  const subscribed = services.db.prepare('SELECT 1 FROM feeds WHERE id = ?').pluck();
  return {
    prefix: mirror.prefix,
    async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
      const at = next();
      const id = /^\/feed\/([^/]+)\//.exec(requestUrl(req).pathname)?.[1];
      if (!at || (id && subscribed.get(id))) return mirror.handle(req, res);
      const retryAfter = at === 'importing' ? IMPORTING_RETRY_S : Math.max(1, Math.ceil((at.getTime() - Date.now()) / 1000));
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(retryAfter), 'cache-control': 'no-store' });
      res.end(
        at === 'importing'
          ? `中心服务正在从上游取得资源库的目录，请过几分钟再订阅 / the hub is taking its upstream's catalog now: subscribe in a few minutes`
          : `中心服务还没有取得上游资源库的目录（无法连接上游），${formatSchoolTime(at)}（北京时间）再试，请稍后再订阅 / ` +
              `the hub holds no catalog of its upstream yet (it could not be reached); it tries again at ${at.toISOString()}: subscribe later`,
      );
    },
  };
}
