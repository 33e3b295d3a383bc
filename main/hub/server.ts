// The hub host: the same services behind HTTP. POST /api/<channel> speaks the
// contract, GET /api/events streams events (SSE), /media/<sha256> goes through the
// shared Range handler, and / serves the built teaching UI to boards that cannot
// run the desktop app. Loopback by default; any other address needs a token.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ErrorCode } from '../../preload/contract';
import { AppError } from '../api/errors';
import { resolveInside } from '../feed/source';
import { handleMediaRequest } from '../media/range';
import type { Services } from '../services';

export interface HubOptions {
  host?: string;
  port?: number;
  token?: string;
  /** Built renderer (out/renderer). */
  rendererDir: string;
  /** Extra routes mounted before the static UI (e.g. the feed mirror at /feed/). */
  routes?: { prefix: string; handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void }[];
  log?: (msg: string) => void;
}

export interface Hub {
  url: string;
  port: number;
  close(): Promise<void>;
}

const STATUS: Record<ErrorCode, number> = {
  'bad-request': 400,
  'unknown-channel': 404,
  'not-found': 404,
  conflict: 409,
  unauthorized: 401,
  refused: 422,
  unavailable: 503,
  internal: 500,
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.bcmap': 'application/octet-stream',
  '.pfb': 'application/octet-stream',
};

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

const MAX_BODY = 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new AppError('bad-request', 'request body over 1 MiB'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra });
  res.end(data);
}

/**
 * A request's URL, on the hub's own origin. Only an origin-form target is read as
 * a path: `GET //` (curl http://hub:8080//) parsed against a base is a URL with an
 * empty host, which threw outside any handler and took the hub down.
 */
export function requestUrl(req: http.IncomingMessage): URL {
  const target = req.url ?? '/';
  return new URL(`http://hub.local${target.startsWith('/') ? target : '/'}`);
}

/** Writes a fetch-style Response to a Node response, streaming its body. */
export async function sendResponse(res: http.ServerResponse, response: Response): Promise<void> {
  // The client left while its answer was made (a classroom whose sync stopped during a pull-through):
  // 'close' has fired already, so the file behind the body is closed here, not piped into nothing for good.
  if (res.destroyed || res.writableEnded) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const body = Readable.fromWeb(response.body as never);
  res.on('close', () => body.destroy());
  body.on('error', () => res.destroy());
  body.pipe(res);
}

function tokenOf(req: http.IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const q = url.searchParams.get('token');
  if (q) return q;
  const cookie = /(?:^|;\s*)cb_token=([^;]+)/.exec(req.headers.cookie ?? '');
  if (!cookie) return null;
  try {
    return decodeURIComponent(cookie[1]!);
  } catch {
    return null; // a mangled cookie is no token (401), not a failure
  }
}

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export async function startHub(services: Services, opts: HubOptions): Promise<Hub> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.token) {
    throw new AppError('refused', `在 ${host} 上提供服务需要 --token（局域网访问须凭令牌）/ serving on ${host} requires --token`);
  }
  const log = opts.log ?? (() => {});
  const sseClients = new Set<http.ServerResponse>();
  const unsubscribe = services.events.subscribe((name, payload) => {
    const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const c of sseClients) c.write(frame);
  });
  const heartbeat = setInterval(() => {
    for (const c of sseClients) c.write(': keep-alive\n\n');
  }, 25_000);
  heartbeat.unref();

  const authorized = (req: http.IncomingMessage, url: URL) => {
    if (!opts.token) return true;
    const t = tokenOf(req, url);
    return t !== null && sameSecret(t, opts.token);
  };

  const serveStatic = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    let rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    if (rel === '') rel = 'index.html';
    let file: string;
    try {
      file = resolveInside(opts.rendererDir, rel);
    } catch {
      return sendJson(res, 404, { ok: false, error: { code: 'not-found', message: 'not found' } });
    }
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) file = path.join(opts.rendererDir, 'index.html');
    if (!fs.existsSync(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('教学界面尚未构建：请先运行 npm run build / the teaching UI is not built: run `npm run build`');
      return;
    }
    const isIndex = path.basename(file) === 'index.html';
    const headers: Record<string, string> = {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'cache-control': isIndex ? 'no-cache' : 'public, max-age=31536000, immutable',
    };
    // Opening /?token=... once stores the token in a cookie so <video> and EventSource can use it.
    const t = url.searchParams.get('token');
    if (isIndex && opts.token && t && sameSecret(t, opts.token)) headers['set-cookie'] = `cb_token=${encodeURIComponent(t)}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  };

  const server = http.createServer(async (req, res) => {
    let url = new URL('http://hub.local/');
    try {
      url = requestUrl(req);
      // GET /feed/ where the feed mirror is mounted: the feeds it serves, by id and title (never their
      // sources), so a classroom's `feeds add` with a mistyped id is told the right address.
      if (url.pathname === '/feed/' && (req.method === 'GET' || req.method === 'HEAD') && opts.routes?.some((r) => r.prefix === '/feed/')) {
        return sendJson(res, 200, { feeds: services.db.prepare('SELECT id, title FROM feeds ORDER BY id').all() });
      }
      for (const route of opts.routes ?? []) {
        if (url.pathname.startsWith(route.prefix)) return await route.handle(req, res);
      }
      if (url.pathname.startsWith('/api/')) {
        if (!authorized(req, url)) return sendJson(res, 401, { ok: false, error: { code: 'unauthorized', message: '需要令牌 / a token is required' } });
        if (url.pathname === '/api/events' && req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
          res.write(': connected\n\n');
          sseClients.add(res);
          req.on('close', () => sseClients.delete(res));
          return;
        }
        if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'bad-request', message: 'use POST' } }, { allow: 'POST' });
        const channel = decodeURIComponent(url.pathname.slice('/api/'.length));
        let body: unknown = {};
        const text = await readBody(req);
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: 'the request body is not JSON' } });
          }
        }
        const result = await services.router.call(channel, body);
        return sendJson(res, result.ok ? 200 : STATUS[result.error.code], result);
      }
      if (url.pathname.startsWith('/media/')) {
        if (!authorized(req, url)) return sendJson(res, 401, { ok: false, error: { code: 'unauthorized', message: '需要令牌 / a token is required' } });
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
        return await sendResponse(res, await handleMediaRequest({ method: req.method ?? 'GET', url: url.href, headers }, services.media));
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { ok: false, error: { code: 'bad-request', message: 'method not allowed' } });
      serveStatic(req, res, url);
    } catch (err) {
      // A malformed %-escape (GET /%E0) is the client's URL, not the hub's failure.
      if (err instanceof URIError && !res.headersSent) {
        return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: '地址中的 % 编码有误 / malformed %-encoding in the URL' } });
      }
      log(`hub: ${req.method} ${url.pathname} failed: ${(err as Error).message}`);
      const bad = err instanceof AppError && err.code === 'bad-request';
      if (!res.headersSent) sendJson(res, bad ? 400 : 500, { ok: false, error: { code: bad ? 'bad-request' : 'internal', message: (err as Error).message } });
      else res.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    async close() {
      unsubscribe();
      clearInterval(heartbeat);
      for (const c of sseClients) c.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
