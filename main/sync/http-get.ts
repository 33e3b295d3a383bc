// The download engine's GET, on node:http(s). undici 7 (the last line that runs
// on Node 20) crashes the whole process when a server closes the connection
// right after a body its reader has paused (the rate cap, a busy disk): an
// uncatchable assert(!this.paused) from the socket's 'end' (nodejs/undici#5360,
// fixed in undici 8, which needs Node 22). An HTTP/1.0 server closes after every
// file, and nginx after its keepalive_requests. The catalog's small reads,
// consumed as they arrive, stay on undici (http-source.ts).
import http from 'node:http';
import https from 'node:https';
import { AppError } from '../api/errors';

const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: 60_000 }),
  'https:': new https.Agent({ keepAlive: true, timeout: 60_000 }),
};

/** An error body read to free its connection, up to this much (more, and the connection is dropped). */
const DUMP_LIMIT = 256 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface GetOptions {
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** The server must answer (headers) within this long. */
  headersTimeout: number;
  /** The body must bring bytes within this long of being asked for (a reader paused on its own rate cap is not a stall). */
  bodyTimeout: number;
  maxRedirects?: number;
}

export interface GetResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: AsyncIterable<Buffer> & {
    /** Reads and drops a short body, so the connection can be used again. */
    dump(): Promise<void>;
    destroy(): void;
  };
}

/** Follows up to `maxRedirects` (3) redirects to http(s) addresses. */
export async function httpGet(url: string, opts: GetOptions): Promise<GetResponse> {
  let target = new URL(url);
  for (let hops = 0; ; hops++) {
    const res = await requestOnce(target, opts);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return wrap(res, opts.bodyTimeout);
    res.resume();
    if (hops >= (opts.maxRedirects ?? 3)) throw new AppError('refused', `${url}: too many redirects (more than ${opts.maxRedirects ?? 3})`);
    target = new URL(location, target);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new AppError('refused', `${url} redirects to ${target.protocol} (http and https only)`);
  }
}

function requestOnce(target: URL, opts: GetOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).get(target, { headers: opts.headers, agent: agents[secure ? 'https:' : 'http:'], signal: opts.signal });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${opts.headersTimeout / 1000} s`)), opts.headersTimeout);
    req.once('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    // Also after the response: the body's reader then sees the error.
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function wrap(res: http.IncomingMessage, bodyTimeout: number): GetResponse {
  // One timer, restarted whenever the reader asks for bytes; it fails the body
  // only while the reader is waiting for them.
  let waiting = false;
  const stall = setTimeout(() => {
    if (waiting) res.destroy(new Error(`no data for ${bodyTimeout / 1000} s`));
  }, bodyTimeout);
  stall.unref();
  const chunks = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const body = {
    // A plain iterator over the message's own: no generator layer per chunk on the hot path.
    [Symbol.asyncIterator]: (): AsyncIterator<Buffer> => ({
      next: () => {
        waiting = true;
        stall.refresh();
        return chunks.next().then(
          (r) => {
            waiting = false;
            if (r.done) clearTimeout(stall);
            return r;
          },
          (err: unknown) => {
            waiting = false;
            clearTimeout(stall);
            throw err;
          },
        );
      },
      // A reader that stopped early (a stop, a full disk) lets go of the connection.
      return: () => {
        waiting = false;
        clearTimeout(stall);
        return chunks.return?.() ?? Promise.resolve({ done: true, value: undefined });
      },
    }),
    dump: () =>
      new Promise<void>((resolve) => {
        // A body that never comes (a proxy gone silent after its 503) is dropped, not waited on.
        clearTimeout(stall);
        const give = setTimeout(() => res.destroy(), bodyTimeout);
        give.unref();
        res.once('close', () => clearTimeout(give));
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > DUMP_LIMIT) res.destroy();
        });
        res.once('end', resolve);
        res.once('close', resolve);
        res.once('error', () => resolve());
        res.resume();
      }),
    destroy: () => {
      clearTimeout(stall);
      res.destroy();
    },
  };
  return { statusCode: res.statusCode ?? 0, headers: res.headers, body };
}

/** The first line of a short plain-text error body (a hub saying why it will not pull a file), or null; the body is read either way. */
export async function shortReason(res: Pick<GetResponse, 'headers' | 'body'>): Promise<string | null> {
  if (!String(res.headers['content-type'] ?? '').startsWith('text/plain')) {
    await res.body.dump();
    return null;
  }
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of res.body) {
      chunks.push(chunk);
      n += chunk.length;
      if (n > 1024) {
        res.body.destroy();
        return null;
      }
    }
  } catch {
    return null; // cut or silent: no reason, still a 404
  }
  return Buffer.concat(chunks).toString('utf8').trim().split('\n')[0]?.slice(0, 300) || null;
}
