// A feed served over HTTP(S) by any web server, CDN or school hub. feed.json is
// fetched conditionally (a 304 ends the check); every body is capped at the
// protocol's limit while it streams; redirects are bounded. Blobs are left to
// the download engine, so a catalog imported this way is browsable and
// searchable at once, with its files marked "not downloaded".
import path from 'node:path';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { AppError } from '../api/errors';
import { isHttpUrl } from '../../preload/contract';
import type { FeedSource } from '../feed/source';
import { shortReason } from './http-get';

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export interface HttpFeedSource extends FeedSource {
  /** feed.json, or 'not-modified' when the validators still match. */
  readIndex(limit: number, known: Validators): Promise<{ bytes: Buffer; validators: Validators } | 'not-modified' | null>;
  /** The address of a path below the feed; refuses one that escapes it. */
  url(rel: string): URL;
}

/**
 * A feed's server answered a status that is no answer (5xx, 403, a proxy's 407):
 * `status` tells a server down for now from one refusing, and a short plain-text
 * reason it gave (a school hub saying when it will have the catalog) is kept.
 * Said Chinese first, as the admin reads every other error: a bilingual reason
 * ("中文 / English", as a school hub sends) goes half into each language.
 */
export class UpstreamStatus extends AppError {
  constructor(
    href: string,
    readonly status: number,
    reason: string | null,
  ) {
    const [zhReason, enReason] = splitReason(reason);
    const zh = `${new URL(href).host} ${statusZh(status)}（HTTP ${status}，${path.posix.basename(new URL(href).pathname) || href}）`;
    super('unavailable', `${zh}${zhReason ? `：${zhReason}` : ''} / ${href} answered HTTP ${status}${enReason ? `: ${enReason}` : ''}`);
  }
}

function statusZh(status: number): string {
  if (status === 401 || status === 407) return status === 407 ? '的代理服务器要求登录' : '要求登录';
  if (status === 403) return '拒绝访问';
  if (status === 408 || status === 429) return '暂时不接受请求';
  if (status >= 500) return '暂时无法提供服务';
  return '没有给出内容';
}

/** "中文 / English" into its halves; a reason in one language stays in that one's half. */
function splitReason(reason: string | null): [zh: string | null, en: string | null] {
  if (!reason) return [null, null];
  const cjk = /[\u3400-\u9fff\uff00-\uffef]/;
  const at = reason.indexOf(' / ');
  if (at > 0 && cjk.test(reason.slice(0, at)) && !cjk.test(reason.slice(at + 3))) return [reason.slice(0, at), reason.slice(at + 3)];
  return cjk.test(reason) ? [reason, null] : [null, reason];
}

const MAX_REDIRECTS = 3;
let sharedAgent: Dispatcher | null = null;
const agent = () =>
  (sharedAgent ??= new Agent({ connect: { timeout: 15_000 }, headersTimeout: 30_000, bodyTimeout: 60_000 }).compose(
    interceptors.redirect({ maxRedirections: MAX_REDIRECTS }),
  ));

/**
 * Reads a body, refusing it as soon as it passes `limit` bytes. With a
 * Content-Length the bytes go into one buffer as they arrive: joining 600
 * shards' chunks at their ends held the UI's thread for ~20 ms at a time.
 */
async function readCapped(res: Dispatcher.ResponseData, limit: number, what: string): Promise<Buffer> {
  const { body } = res;
  const refuse = () => {
    // Dropped unread: the abort that follows is ours, not an error to report.
    body.on('error', () => {});
    body.destroy();
    return new AppError('refused', `${what} is over the ${limit}-byte limit`);
  };
  const declared = Number(res.headers['content-length']);
  if (declared > limit) throw refuse();
  let into = Number.isSafeInteger(declared) && declared > 0 ? Buffer.allocUnsafeSlow(declared) : null;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (size + chunk.length > limit) throw refuse();
      if (into && size + chunk.length <= into.length) chunk.copy(into, size);
      else {
        // Longer than it said: kept whole, the usual way.
        if (into) chunks.push(into.subarray(0, size));
        into = null;
        chunks.push(chunk);
      }
      size += chunk.length;
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    // A connection cut or stalled mid-body: the source is unavailable, not the app broken.
    throw new AppError('unavailable', `${what}: ${(err as Error).message}`);
  }
  return into ? into.subarray(0, size) : Buffer.concat(chunks, size);
}

export function httpSource(location: string): HttpFeedSource {
  // An admin may paste the feed.json address itself: the feed is the folder it is in.
  const folder = location.replace(/\/feed\.json(?:[?#].*)?$/, '/');
  const base = new URL(folder.endsWith('/') ? folder : `${folder}/`);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new AppError('bad-request', `not an http(s) feed: ${location}`);

  const url = (rel: string) => {
    const u = new URL(rel, base);
    if (!u.href.startsWith(base.href)) throw new AppError('refused', `path ${rel} escapes its base`);
    return u;
  };
  const get = async (rel: string, headers: Record<string, string> = {}, signal?: AbortSignal) => {
    const target = url(rel);
    try {
      return await request(target, { method: 'GET', headers, dispatcher: agent(), signal });
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (e.code === 'UND_ERR_REDIRECT' || /redirect/i.test(e.message)) {
        throw new AppError('refused', `${target.href}: too many redirects (more than ${MAX_REDIRECTS})`);
      }
      // A classroom's source is often the school's hub: naming only "the platform" sent admins to check the wrong machine.
      throw new AppError('unavailable', `无法连接 ${target.host}（资源平台或学校中心服务）/ cannot reach ${target.origin} (the resource platform or the school hub): ${e.message}`);
    }
  };

  const failed = async (rel: string, res: Dispatcher.ResponseData) => new UpstreamStatus(url(rel).href, res.statusCode, await shortReason(res).catch(() => null));

  return {
    location: base.href,
    url,
    async readIndex(limit, known) {
      const headers: Record<string, string> = {};
      if (known.etag) headers['if-none-match'] = known.etag;
      if (known.lastModified) headers['if-modified-since'] = known.lastModified;
      const res = await get('feed.json', headers);
      if (res.statusCode === 304) {
        await res.body.dump();
        return 'not-modified';
      }
      if (res.statusCode === 404) {
        await res.body.dump();
        return null;
      }
      if (res.statusCode !== 200) throw await failed('feed.json', res);
      const one = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h) ?? null;
      return {
        bytes: await readCapped(res, limit, 'feed.json'),
        validators: { etag: one(res.headers.etag), lastModified: one(res.headers['last-modified']) },
      };
    },
    async read(rel, limit, signal) {
      const res = await get(rel, {}, signal);
      if (res.statusCode === 404) {
        await res.body.dump();
        return null;
      }
      if (res.statusCode !== 200) throw await failed(rel, res);
      return readCapped(res, limit, rel);
    },
    // Blobs of a remote feed come through the download engine, not here.
    localBlob: () => null,
    listBlobs: () => new Set<string>(),
    localFile: () => null,
  };
}

/** Protocol rule: an http(s) feed may not send clients to local files. */
export function checkRemoteBlobBases(bases: string[]): void {
  for (const b of bases) {
    if (/^file:/i.test(b)) throw new AppError('refused', `an http(s) feed may not name a file:// blob base (${b.slice(0, 80)})`);
    if (!isHttpUrl(b) && (b.startsWith('/') || b.includes('..') || b.includes('\\'))) {
      throw new AppError('refused', `blob base ${b.slice(0, 80)} escapes the feed`);
    }
  }
}
