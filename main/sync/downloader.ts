// Fetches one blob into the content-addressed cache over a thin, unreliable
// link: resumes a .part left by an earlier run (Range + If-Range), restarts when
// a server answers 200 to a Range request, refuses a Content-Range that does not
// match, caps the bytes at the expected size, verifies SHA-256 before the atomic
// rename, retries each source with backoff and jitter a bounded number of times,
// and moves on to the next base or mirror when one has not got the file (404),
// sends bytes that cannot be used, or keeps failing; the file fails only when
// every source has. Bytes that do not hash right are asked for once more from the
// same source with Cache-Control: no-cache, as a browser's reload asks a cache
// to go back to its origin (a school hub re-checks its copy then, mirror.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FailureReason } from '../../preload/contract';
import { AppError } from '../api/errors';
import type { BlobStore } from '../cache/blob-store';
import { httpGet, shortReason, type GetResponse } from './http-get';
import { takeFrom, type TokenBucket } from './token-bucket';
import { syncDirAsync } from '../util/atomic-write';
import { takeLock } from './pid-lock';
import { HostGivenUp, type DeadHosts } from './dead-hosts';

export interface BlobJob {
  sha256: string;
  size: number;
  /** Full URLs to try in order (the feed's blob bases, then mirrors). */
  urls: string[];
}

export interface DownloadContext {
  blobs: BlobStore;
  bucket: TokenBucket;
  retries?: number;
  /** Base delay for exponential backoff (ms). */
  backoffMs?: number;
  onBytes?: (n: number) => void;
  /** A try at a source failed in passing (no answer, 5xx, a cut): the status can say what it is waiting on. */
  onTrouble?: (host: string, error: string) => void;
  signal?: AbortSignal;
  /** A server silent this long (no headers, or no body bytes) is dropped and tried again (default 30 s). */
  stallMs?: number;
  /** How long this process keeps coming back to a host that answers 503 with Retry-After (a hub still pulling the file) without sending one (default 20 min). */
  pendingMs?: number;
  /** A sync's hosts: one that has answered nothing for a while is left for the rest of the run (dead-hosts.ts). */
  hosts?: DeadHosts;
  /** Wait for another process writing the file's .part (a sync), rather than fail it as busy (a hub's pull-through answers 503). */
  waitElsewhere?: boolean;
}

export interface DownloadResult {
  /** Bytes that came over the network this time. */
  fetched: number;
  /** Bytes kept from an earlier, interrupted run. */
  resumedFrom: number;
  /** The file was in the cache already when its turn came: another process or caller brought it, not this one. */
  elsewhere?: true;
}

/** Bytes taken from a cap before a request is sent (the least burst a cap allows). */
const PREPAID = 16 * 1024;
/** Bytes written between flushes to disk during a body (measured in bench/sync.ts: 4 MiB). */
const FLUSH_EVERY = 4 << 20;

class Retryable extends Error {}
/**
 * No answer at all (refused, unreachable, silent until the stall timeout): the
 * next source is tried at once; one that cost a long wait also puts the host
 * after the others for a while.
 */
class Unreachable extends Retryable {}
/**
 * The source has not got the file (404); `reason` is what it said, when it said
 * it in a short line. `unusable`: a hub saying its upstream copy is bad (the
 * header UNUSABLE_HEADER), so the file fails as bad bytes, not as a missing one.
 */
class NotHere extends Error {
  constructor(
    message: string,
    readonly reason: string | null,
    readonly unusable = false,
  ) {
    super(message);
  }
}
/** On a hub's 404 for a file whose upstream copy did not verify (mirror.ts). */
export const UNUSABLE_HEADER = 'x-classboard-unusable';
/** A server (the school hub pulling the file from the platform) asks to come back later: not a failure while the patience lasts. */
class Pending extends Retryable {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}
/**
 * Why a file failed, as the sync page groups it, named where the error is made:
 * an AppError's code says what kind of answer to give a caller (a hub's 404 or
 * 502), not what the teacher should do about it.
 */
export const failureOf = (err: unknown): FailureReason => (err as { failure?: FailureReason } | null)?.failure ?? 'other';
const because = <E extends Error>(err: E, failure: FailureReason): E => Object.assign(err, { failure });
/** This machine's disk or folder failed (not full): no server is to blame. */
const diskError = (message: string) => because(new AppError('unavailable', message), 'other');
/** ENOSPC stops the whole run (the engine looks for the code), with words a teacher can act on. */
const diskFull = () => because(Object.assign(new AppError('unavailable', '磁盘已满，同步已停止 / the disk is full: sync stopped'), { code: 'ENOSPC' }), 'disk-full');
/**
 * What a source sent cannot be used (bytes that do not hash right, a body or a
 * Content-Range that does not fit the file): the next source is tried; asking the
 * same one again tonight would bring the same bytes. A hub remembers such a file
 * for a while instead of fetching it again for every classroom (mirror.ts).
 */
export class BadBytes extends AppError {
  readonly failure: FailureReason = 'damaged';
}
/**
 * Bytes that do not hash right: quarantined; the next base is tried, and each
 * base once more at most. Only this one, when it survives that retry, is
 * remembered by a hub (a Content-Range or a body that does not fit is often a
 * proxy's one-off glitch, worth asking again for the next classroom).
 */
export class HashMismatch extends BadBytes {
  /** The hosts whose bytes stayed wrong after the no-cache try (a hub names them when it refuses the file). */
  badHosts: string[] = [];
}
/**
 * A file that is not the size the feed says (a Content-Range naming another
 * total, a body running past the end): the file changed upstream, not a glitch
 * of one transfer, so a hub remembers it like a hash mismatch.
 */
export class WrongSize extends BadBytes {}
/** A source answered with a status that is no file and no passing trouble (403, 410): the next source is tried. */
class SourceRefused extends AppError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super('unavailable', message);
  }
}
/** Another process on this machine (an admin's `classboard sync` on the hub's data folder) is writing the file's .part: ask again in a moment. */
export class BusyElsewhere extends AppError {
  readonly failure: FailureReason = 'busy';
}

/** What a .part's bytes came from: If-Range is only sent back to that origin (another server's ETag never matches, and its 200 would restart the file). */
interface PartState {
  validator: string | null;
  origin?: string;
}

/** A state file a power cut left empty or torn is no reason to fail the file: the bytes are hash-checked anyway. */
function readPartState(file: string): PartState {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<PartState>;
    return { validator: typeof v.validator === 'string' ? v.validator : null, origin: typeof v.origin === 'string' ? v.origin : undefined };
  } catch {
    return { validator: null };
  }
}

function paths(blobs: BlobStore, sha: string) {
  const part = path.join(blobs.tmpDir, `${sha}.part`);
  return { part, state: `${part}.json` };
}

/** Bytes of `sha` an earlier try left in its .part (a download resumes from there). */
export function partBytes(blobs: BlobStore, sha: string): number {
  try {
    return fs.statSync(paths(blobs, sha).part).size;
  } catch {
    return 0;
  }
}

/** The .part files earlier tries left, by hash, with their bytes: one readdir, not a stat per file asked about. */
export function partsLeft(blobs: BlobStore): Map<string, number> {
  const out = new Map<string, number>();
  let names: string[];
  try {
    names = fs.readdirSync(blobs.tmpDir);
  } catch {
    return out;
  }
  for (const name of names) {
    // Named as paths() names them: <sha256>.part.
    if (!name.endsWith('.part')) continue;
    const sha = name.slice(0, -'.part'.length);
    const bytes = partBytes(blobs, sha);
    if (bytes > 0) out.set(sha, bytes);
  }
  return out;
}

/** Hash of what an earlier run already wrote, so the download continues where it stopped. */
async function resumeHash(part: string): Promise<{ hash: crypto.Hash; have: number }> {
  const hash = crypto.createHash('sha256');
  let have = 0;
  if (fs.existsSync(part)) {
    for await (const chunk of fs.createReadStream(part) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      have += chunk.length;
    }
  }
  return { hash, have };
}

/** Bytes in a .part (0 when there is none). */
function partSize(part: string): number {
  try {
    return fs.statSync(part).size;
  } catch {
    return 0;
  }
}

function dropPart(p: ReturnType<typeof paths>) {
  fs.rmSync(p.part, { force: true });
  fs.rmSync(p.state, { force: true });
}

/** What a download needs of a rate cap. */
type RateCap = Pick<TokenBucket, 'limited' | 'take'>;
/** A download's own context: the cap and stop signal of everyone waiting for it. */
type RunContext = Omit<DownloadContext, 'bucket'> & {
  bucket: RateCap;
  /** Ask past any cache (Cache-Control: no-cache) on the next request only: the source sent bad bytes of this file once already. */
  noCache?: boolean;
};

const stopped = () => new AppError('unavailable', '同步已停止 / sync stopped');

/** `p`, or a "sync stopped" as soon as `signal` aborts (what `p` stands for may go on for others). */
function until<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(stopped());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stopped());
    const off = () => signal.removeEventListener('abort', onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (off(), resolve(v)),
      (err: unknown) => (off(), reject(err)),
    );
  });
}

/**
 * One download that several callers in this process wait for. On a hub the
 * nightly run and a classroom's pull-through can want the same blob at once: two
 * writers appending to one .part would put a corrupt file in the cache. It goes
 * at the most generous cap among the callers still waiting (a pull-through does
 * not wait on a night run paused at the window's end) and stops once all of them
 * have stopped.
 */
class SharedDownload implements RateCap {
  private readonly callers = new Set<DownloadContext>();
  private readonly stop = new AbortController();
  readonly result: Promise<DownloadResult>;

  /** Listeners on the callers' signals, removed when the download ends: a night's run passes one signal to thousands of files. */
  private readonly unlisten: (() => void)[] = [];

  constructor(job: BlobJob, first: DownloadContext, done: () => void) {
    this.join(first);
    const signal = this.stop.signal;
    this.result = owningPart(paths(first.blobs, job.sha256).part, () => fetchWithRetries(job, { ...first, bucket: this, signal }), first.waitElsewhere ? { signal } : undefined).finally(
      () => {
        for (const off of this.unlisten) off();
        done();
      },
    );
  }

  join(ctx: DownloadContext): void {
    this.callers.add(ctx);
    const left = () => this.live().length === 0 && this.stop.abort();
    const { signal } = ctx;
    if (signal?.aborted) left();
    else if (signal) {
      signal.addEventListener('abort', left, { once: true });
      this.unlisten.push(() => signal.removeEventListener('abort', left));
    }
  }

  private live(): DownloadContext[] {
    return [...this.callers].filter((c) => !c.signal?.aborted);
  }

  /** Asked for every chunk read, on the UI's thread: no array built. */
  get limited(): boolean {
    for (const c of this.callers) if (!c.signal?.aborted && !c.bucket.limited) return false;
    return true;
  }

  /** Tokens from whichever waiting caller's cap allows the most right now (caps change while a file downloads). */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    return takeFrom(
      () => {
        const buckets = this.live().map((c) => c.bucket);
        if (buckets.length === 0 || buckets.some((b) => !b.limited)) return null;
        return buckets.reduce((x, y) => (y.bytesPerSecond > x.bytesPerSecond ? y : x));
      },
      bytes,
      signal,
    );
  }
}

/** How often a download waiting on another process's .part looks whether it is done. */
const WAIT_POLL_MS = 500;

/**
 * A .part is written by one process at a time: `classboard sync` started by hand
 * on a hub's own data folder would otherwise append to the file the hub is
 * writing, and each would throw the other's bytes away (the lock: pid-lock.ts).
 * With `wait`, a sync waits for the other process instead of failing the file:
 * what it brings is then found in the cache, not fetched again.
 */
async function owningPart<T>(part: string, work: () => Promise<T>, wait?: { signal?: AbortSignal }): Promise<T> {
  for (;;) {
    let got: ReturnType<typeof takeLock>;
    try {
      got = takeLock(`${part}.lock`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw diskFull();
      throw diskError(`cannot lock ${path.basename(part)}: ${(err as Error).message}`);
    }
    if ('release' in got) {
      try {
        return await work();
      } finally {
        got.release();
      }
    }
    if (!wait) {
      throw new BusyElsewhere('unavailable', `另一个 Classboard 进程正在下载此文件 / another Classboard process is downloading ${path.basename(part, '.part').slice(0, 12)}…`);
    }
    await pause(WAIT_POLL_MS, wait.signal);
  }
}

const underway = new Map<string, SharedDownload>();

export function downloadBlob(job: BlobJob, ctx: DownloadContext): Promise<DownloadResult> {
  const key = `${ctx.blobs.root}\0${job.sha256}`;
  const running = underway.get(key);
  if (running) {
    running.join(ctx);
    // Its bytes count for the caller that started it; its failure is this caller's too.
    return until(running.result, ctx.signal).then(() => ({ fetched: 0, resumedFrom: 0, elsewhere: true as const }));
  }
  const download = new SharedDownload(job, ctx, () => underway.delete(key));
  underway.set(key, download);
  return until(download.result, ctx.signal);
}

/** A host lately unreachable, or failing every try at a file, is treated so until then (or until it serves a file). */
const TROUBLE_MS = 2 * 60_000;
/**
 * Hosts that lately gave no answer only after a long wait (a connect timeout, an
 * unreachable host, silence until the stall timeout): tried after the other
 * sources, so each file does not wait that long on a dead hub first. A quick
 * refusal (a hub restarting) does not count: knocking again costs a millisecond,
 * and the next source is usually the thin WAN link the hub is there to spare.
 */
const silent = new Map<string, number>();
/** A no-answer that took at least this long (or the stall timeout, if shorter) puts its host last. */
const SLOW_NO_ANSWER_MS = 1000;
/** Hosts whose every try at a file lately failed (5xx, cut connections): one try per file, not a round of backoffs, while another source follows. */
const failing = new Map<string, number>();
const troubled = (hosts: Map<string, number>, url: string) => (hosts.get(new URL(url).host) ?? 0) > Date.now();
/** Connection errors that mean nobody answered at that address. */
const NO_ANSWER = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

async function fetchWithRetries(job: BlobJob, ctx: RunContext): Promise<DownloadResult> {
  if (ctx.blobs.has(job.sha256)) {
    ctx.blobs.record(job);
    return { fetched: 0, resumedFrom: 0, elsewhere: true };
  }
  const p = paths(ctx.blobs, job.sha256);
  const retries = ctx.retries ?? 4;
  const tally = { fetched: 0, tries: 0 };
  let resumedFrom = -1;
  let lastError: unknown = null;
  /** Hosts whose bytes stayed wrong after the no-cache try. */
  const badHosts = new Set<string>();
  /** Hosts (hubs) that said their upstream copy is bad (UNUSABLE_HEADER). */
  const unusableHosts = new Set<string>();
  const missing = new Set<string>();
  /** Sources that refused the file (403, 410): with the 404s, every source saying no is a missing file, not an unreachable one. */
  const refused = new Set<string>();
  const reasons: string[] = [];
  // The feed's order (its blob bases, then mirrors), a host that lately kept us waiting for no answer last.
  const queue = [...job.urls.filter((u) => !troubled(silent, u)), ...job.urls.filter((u) => troubled(silent, u))];
  const again = new Set<string>();

  const left = (u: string) => ctx.hosts?.dead(new URL(u).host) ?? false;
  for (let i = 0; i < queue.length; i++) {
    if (ctx.signal?.aborted) throw stopped();
    const url = queue[i]!;
    const othersFollow = i < queue.length - 1;
    // A host this run has left is not asked when no other source follows: the file fails at once.
    if (left(url) && queue.slice(i + 1).every(left)) {
      lastError = new HostGivenUp(new URL(url).host);
      continue;
    }
    try {
      // The second try at a source that sent bad bytes asks past its cache.
      const run = again.has(url) ? { ...ctx, noCache: true } : ctx;
      const got = await fromSource(url, job, run, p, othersFollow && troubled(failing, url) ? 0 : retries, othersFollow, tally);
      tally.fetched += got.fetched;
      if (resumedFrom < 0) resumedFrom = got.resumedFrom;
      return { fetched: tally.fetched, resumedFrom: Math.max(0, resumedFrom) };
    } catch (err) {
      // Bad bytes from one source stay the cause when a later one has no copy: a hub's damaged copy is named
      // (and remembered by a hub pulling through) rather than read as a file that may come tomorrow.
      if (!(err instanceof NotHere && lastError instanceof BadBytes)) lastError = err;
      if (err instanceof NotHere) {
        missing.add(url);
        if (err.reason) reasons.push(err.reason);
        if (err.unusable) unusableHosts.add(new URL(url).host);
        continue;
      }
      // Bad bytes from one source: asked once more at once, with no-cache, before
      // any other source. A hub's damaged copy is mended then (it re-checks it and
      // pulls the file again, mirror.ts), for every classroom and over the LAN,
      // instead of each classroom taking the file from the platform over the WAN.
      if (err instanceof HashMismatch) {
        tally.fetched += (err as { fetched?: number }).fetched ?? 0;
        if (!again.has(url)) {
          again.add(url);
          i--;
        } else badHosts.add(new URL(url).host);
        continue;
      }
      // Only a source that says the file is not to be had (403, 410, 451); a proxy or a hub asking who we are (401, 407)
      // is the network's trouble, and a hub whose disk is full (507) has the file upstream, only no room for it.
      if (err instanceof SourceRefused && ![401, 407, 507].includes(err.status)) refused.add(url);
      if (err instanceof Retryable || err instanceof BadBytes || err instanceof SourceRefused || err instanceof HostGivenUp) continue;
      throw err; // the disk, a stop, another process on the .part: no other source helps
    }
  }
  const sources = new Set(job.urls).size;
  if (missing.size === sources) {
    const why = reasons.length ? `: ${reasons.at(-1)}` : '';
    // A hub's upstream copy that stayed wrong after its retry: the same for a hub pulling from that one.
    // The hub's own words first (they are Chinese first, and name its upstream).
    if (unusableHosts.size > 0) {
      const said = reasons.at(-1) ?? `${[...unusableHosts].join('、')}：中心服务从上游取到的此文件与校验值不符 / the hub's upstream copy is unusable`;
      throw Object.assign(new HashMismatch('refused', `${said}; no source has a usable copy of ${job.sha256.slice(0, 12)}…`), { badHosts: [...unusableHosts] });
    }
    throw because(new AppError('not-found', `no mirror has ${job.sha256.slice(0, 12)}… (404 on ${sources} bases)${why}`), 'missing');
  }
  if (new Set([...missing, ...refused]).size === sources) {
    const last = (lastError as Error).message;
    throw because(new AppError('not-found', `no source gives out ${job.sha256.slice(0, 12)}… (404 on ${missing.size}, refused by ${refused.size}): ${last}`), 'missing');
  }
  if (lastError instanceof HostGivenUp) throw lastError;
  const fullHub = lastError instanceof SourceRefused && lastError.status === 507;
  const cause = lastError instanceof NotHere && reasons.length ? `${lastError.message}: ${reasons.at(-1)}` : (lastError as Error).message;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  // Chinese first, in words a teacher can act on (the sync page shows this half); the
  // English half keeps the hash and the system's own error for an admin.
  const hosts = [...new Set(job.urls.map((u) => new URL(u).host))].join('、');
  if (lastError instanceof HashMismatch) {
    // Asked twice, the second time past any cache: the next sync would get the same
    // bytes. Say which server sent them, and what mends a school hub's copy.
    const bad = [...badHosts].join('、');
    const zhBad = `${bad} 两次发来的文件都与校验值不符（第二次已要求不用缓存），已丢弃。如果 ${bad} 是学校中心服务，请管理员在中心服务电脑上运行 classboard verify；否则请联系资源平台`;
    const en = `${bad} sent bytes that do not match sha256 ${job.sha256.slice(0, 12)}… twice (the second time with Cache-Control: no-cache); quarantined. If that is the school hub, run classboard verify on the hub PC`;
    throw Object.assign(new HashMismatch('refused', `${zhBad} / ${en}`), { badHosts: [...badHosts] });
  }
  const zh =
    lastError instanceof WrongSize
      ? `${hosts} 上的这个文件大小与资源库记录的不符，已丢弃；请联系资源平台（或学校中心服务的管理员）`
      : lastError instanceof BadBytes
      ? `从 ${hosts} 下载的内容与资源库记录的不符（试了 ${tally.tries} 次），已丢弃`
      : fullHub
        ? `${hosts} 的磁盘已满，没有下载这个文件`
        : `从 ${hosts} 下载了 ${tally.tries} 次都没有成功，下次同步会接着下载`;
  const message = `${zh} / gave up on ${job.sha256.slice(0, 12)}… after ${plural(tally.tries, 'try', 'tries')} from ${plural(job.urls.length, 'source', 'sources')}: ${cause}`;
  // Bad bytes stay bad bytes (a hub remembers them); anything else may be better tomorrow.
  // The kind of bad bytes is kept (a hub remembers a hash mismatch or a wrong size, not a one-off glitch).
  if (lastError instanceof BadBytes) throw new (lastError.constructor as typeof BadBytes)(lastError.code, message);
  // No answer, 5xx, cuts, or a host's patience (Retry-After) spent: may be better tomorrow.
  // A full hub is neither (its own words say why, in the failure's detail).
  throw lastError instanceof BadBytes ? new BadBytes(lastError.code, message) : because(new AppError('unavailable', message), fullHub ? 'other' : 'unreachable');
}

/**
 * One source, tried again after a backoff while it fails in passing, `retries`
 * times at most; a host that gives no answer is left at once when another source
 * follows (a dead hub is not knocked on five times per file). A try that brought
 * bytes (the .part grew) is no failure: a cut on flaky Wi-Fi from a healthy hub
 * starts the count over and never marks the host failing, so the file is not
 * finished over the WAN and later files keep their full round of tries there.
 */
/** Tries at one file from one source, progress or not: past this the next source is tried. */
const MAX_TRIES = 32;

async function fromSource(
  url: string,
  job: BlobJob,
  ctx: RunContext,
  p: ReturnType<typeof paths>,
  retries: number,
  othersFollow: boolean,
  tally: { fetched: number; tries: number },
): Promise<DownloadResult> {
  const host = new URL(url).host;
  // A try that carried the .part on by a real step (1 MiB, or an eighth of a small
  // file) past the furthest point reached, by resuming it, starts the count over:
  // flaky Wi-Fi from a healthy hub is no failing hub. A source that sends a few
  // bytes and cuts, or restarts the file each time, makes no such progress; and
  // no source gets more than MAX_TRIES tries at one file.
  const step = Math.min(1 << 20, Math.max(1, Math.ceil(job.size / 8)));
  let furthest = partSize(p.part);
  let total = 0;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      const delay = (ctx.backoffMs ?? 500) * 2 ** (attempt - 1);
      await pause(delay / 2 + Math.random() * delay, ctx.signal);
      // Left by the run meanwhile (other files found it dead): no more tries at it.
      if (ctx.hosts?.dead(host)) throw new HostGivenUp(host);
    }
    tally.tries++;
    total++;
    const before = partSize(p.part);
    try {
      const got = await fetchPatiently(url, job, ctx, p);
      failing.delete(host);
      return got;
    } catch (err) {
      if (!(err instanceof Retryable)) throw err;
      if (ctx.signal?.aborted) throw stopped();
      ctx.onTrouble?.(host, (err as Error).message);
      // What this try brought over the network counts, kept in the .part or thrown away.
      tally.fetched += (err as { fetched?: number }).fetched ?? 0;
      // Out of patience with a host that keeps saying later: its own limit, already spent.
      if (err instanceof Pending) throw err;
      if (err instanceof Unreachable && othersFollow) {
        ctx.hosts?.fileUnanswered(host);
        throw err;
      }
      const after = partSize(p.part);
      const fetched = (err as { fetched?: number }).fetched ?? 0;
      const resumed = fetched <= after - before; // a restart (a 200 to a Range) fetched what it kept and more
      if (resumed && after >= furthest + step && total < MAX_TRIES) {
        furthest = after;
        failing.delete(host);
        attempt = 0; // the next try waits the first backoff
        continue;
      }
      furthest = Math.max(furthest, after);
      if (attempt >= retries) {
        failing.set(host, Date.now() + TROUBLE_MS);
        if (err instanceof Unreachable) ctx.hosts?.fileUnanswered(host);
        throw err;
      }
    }
  }
}

/**
 * How long this process has waited on each host's Retry-After since it last
 * answered with a file: the patience is the host's, not each file's, so a CDN
 * that says "later" all night fails its files after `pendingMs`, not each after
 * that long.
 */
const patience = new Map<string, { waited: number; at: number }>();

/** Waits `ms`, or ends with "sync stopped" when `signal` aborts first. */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throw stopped();
  }
}

/** fetchOnce, coming back as often as the server asks (Retry-After, up to a minute each) while the host's patience lasts. */
async function fetchPatiently(url: string, job: BlobJob, ctx: RunContext, p: ReturnType<typeof paths>) {
  const host = new URL(url).host;
  for (;;) {
    try {
      const got = await fetchOnce(url, job, ctx, p);
      patience.delete(host);
      return got;
    } catch (err) {
      if (!(err instanceof Pending)) throw err;
      const limit = ctx.pendingMs ?? 20 * 60_000;
      // A host not heard saying "later" for as long as the patience lasts starts with all of it again: the next
      // night's run waits for a hub that is still pulling, where last night's spent patience failed it at once.
      const kept = patience.get(host);
      const waited = kept && Date.now() - kept.at < limit ? kept.waited : 0;
      if (waited >= limit) {
        patience.set(host, { waited, at: Date.now() });
        throw err;
      }
      const ms = Math.min(Math.max(err.retryAfterS, 1) * 1000, 60_000);
      patience.set(host, { waited: waited + ms, at: Date.now() + ms });
      await pause(ms, ctx.signal);
    }
  }
}

async function fetchOnce(url: string, job: BlobJob, ctx: RunContext, p: ReturnType<typeof paths>): Promise<DownloadResult> {
  let { hash, have } = await resumeHash(p.part);
  if (have > job.size) {
    dropPart(p);
    ({ hash, have } = await resumeHash(p.part));
  }
  const state = readPartState(p.state);
  const origin = new URL(url).origin;
  const resuming = have > 0 && have < job.size;
  // No-cache once, on the fresh try straight after bad bytes: each such request
  // makes a hub re-hash the whole file, so no retry or Range resume sends it again.
  const headers: Record<string, string> = ctx.noCache && !resuming ? { 'cache-control': 'no-cache', pragma: 'no-cache' } : {};
  ctx.noCache = false;
  if (resuming) {
    headers.range = `bytes=${have}-`;
    if (state.validator && state.origin === origin) headers['if-range'] = state.validator;
  }

  // Under a cap, the first bytes are paid for before asking: a paused cap (by
  // day) opens no connection, which would hang until the night, to be dropped by
  // the server or a school proxy and cost a retry then.
  let prepaid = 0;
  if (have < job.size && ctx.bucket.limited) {
    prepaid = Math.min(job.size - have, PREPAID);
    await ctx.bucket.take(prepaid, ctx.signal);
  }

  const host = new URL(url).host;
  const stallMs = ctx.stallMs ?? 30_000;
  let res: GetResponse;
  const asked = performance.now();
  try {
    res = have === job.size ? (null as never) : await httpGet(url, { headers, signal: ctx.signal, headersTimeout: stallMs, bodyTimeout: stallMs });
  } catch (err) {
    // A redirect loop, or a redirect to file: or ftp:, is how that server is set up: no retry mends it tonight.
    if (err instanceof AppError && err.code === 'refused') throw new SourceRefused((err as Error).message, 0);
    // Nobody there, or nobody answering for the whole stall timeout: not a server's passing trouble.
    const waited = performance.now() - asked;
    const unanswered = NO_ANSWER.has((err as NodeJS.ErrnoException).code ?? '') || waited >= stallMs;
    if (unanswered && !ctx.signal?.aborted) {
      if (waited >= Math.min(stallMs, SLOW_NO_ANSWER_MS)) silent.set(host, Date.now() + TROUBLE_MS);
      ctx.hosts?.unanswered(host);
      throw new Unreachable(`${host}: ${(err as Error).message}`);
    }
    throw new Retryable(`${host}: ${(err as Error).message}`);
  }
  if (res) {
    silent.delete(host);
    ctx.hosts?.answered(host);
  }

  let resumedFrom = 0;
  if (have < job.size) {
    const status = res.statusCode;
    if (status === 404) {
      const reason = await shortReason(res);
      // Stopped while the error body drained: a stop, not a missing file.
      if (ctx.signal?.aborted) throw stopped();
      throw new NotHere(`${host} answered HTTP 404`, reason && `${host}: ${reason}`, res.headers[UNUSABLE_HEADER] !== undefined);
    }
    const retryAfter = Number(res.headers['retry-after']);
    if (status === 503 && Number.isInteger(retryAfter) && retryAfter >= 0) {
      await res.body.dump();
      throw new Pending(`${new URL(url).host} is still fetching the file (HTTP 503, Retry-After ${retryAfter})`, retryAfter);
    }
    if (status === 507) {
      // A hub whose own disk is full (mirror.ts): asking it again tonight brings the same answer; its words say why.
      const reason = await shortReason(res);
      if (ctx.signal?.aborted) throw stopped();
      throw new SourceRefused(`${host} answered HTTP 507${reason ? `: ${reason}` : ''}`, 507);
    }
    if (status >= 500 || status === 429 || status === 408) {
      await res.body.dump();
      throw new Retryable(`${new URL(url).host} answered HTTP ${status}`);
    }
    // A resume past the end of the server's copy: that copy is shorter than the feed says (a truncated upload).
    // Its .part goes, or every night would ask for the same range and hear the same 416.
    if (status === 416 && have > 0) {
      await res.body.dump();
      dropPart(p);
      const cr = String(res.headers['content-range'] ?? '');
      throw new WrongSize('refused', `${host} holds a shorter copy of ${job.sha256.slice(0, 12)}… (${cr || 'HTTP 416'}) than its ${job.size} bytes`);
    }
    // A whole file of another length than the feed says, told by its headers: not fetched to find out.
    const length = Number(res.headers['content-length'] ?? NaN);
    if (status === 200 && !res.headers['content-encoding'] && Number.isInteger(length) && length !== job.size) {
      await res.body.dump();
      throw new WrongSize('refused', `${host} serves ${job.sha256.slice(0, 12)}… as ${length} bytes, not the ${job.size} the feed says`);
    }
    if (status === 200) {
      // A 200 to a Range request is the whole file: start that file over.
      if (have > 0) {
        fs.rmSync(p.part, { force: true });
        hash = crypto.createHash('sha256');
        have = 0;
      }
    } else if (status === 206) {
      const cr = String(res.headers['content-range'] ?? '');
      if (cr !== `bytes ${have}-${job.size - 1}/${job.size}`) {
        await res.body.dump();
        dropPart(p);
        const Kind = /\/(\d+)$/.exec(cr)?.[1] === String(job.size) ? BadBytes : WrongSize;
        throw new Kind('refused', `${new URL(url).host} sent Content-Range "${cr}" for bytes ${have}- of ${job.size}`);
      }
      resumedFrom = have;
    } else {
      await res.body.dump();
      if (ctx.signal?.aborted) throw stopped();
      throw new SourceRefused(`${new URL(url).host} answered HTTP ${status}`, status);
    }
    // If-Range needs a strong validator: a server that keeps RFC 9110 answers a weak ETag (W/"…", Apache with
    // mod_deflate) with the whole file, so every resume would start over. Last-Modified then, or none.
    const etag = res.headers.etag as string | undefined;
    const validator = (etag && !etag.startsWith('W/') ? etag : undefined) ?? (res.headers['last-modified'] as string | undefined) ?? null;
    let out: fs.promises.FileHandle;
    try {
      // Not flushed: a state file a power cut tears reads as "no validator".
      await fs.promises.writeFile(p.state, JSON.stringify({ validator, origin } satisfies PartState));
      out = await fs.promises.open(p.part, 'a');
    } catch (err) {
      res.body.destroy();
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw diskFull();
      throw diskError(`cannot write the partial file of ${job.sha256.slice(0, 12)}…: ${(err as Error).message}`);
    }
    let fetchedNow = 0;
    // Writes go out in ~1 MiB batches (writev: no copy into one buffer) on libuv's
    // pool, one in flight per file, and the fsync too: the main thread (which
    // serves the teaching UI in Electron) only reads the socket and hashes.
    // Every few MiB written are flushed to disk while the body still arrives, so
    // the disk works alongside the network instead of all at the fsync before the
    // rename (which then has little left to do).
    let batch: Buffer[] = [];
    let batched = 0;
    let writing: Promise<void> = Promise.resolve();
    let flushing: Promise<void> = Promise.resolve();
    let unflushed = 0;
    let writeError: unknown = null;
    const failed = (err: unknown) => {
      writeError ??= err;
    };
    const flush = async () => {
      await writing;
      if (writeError) throw writeError;
      if (batched === 0) return;
      const bufs = batch;
      const n = batched;
      batch = [];
      batched = 0;
      writing = writeAll(out, bufs, n).then(() => {
        unflushed += n;
        if (unflushed < FLUSH_EVERY) return;
        unflushed = 0;
        flushing = flushing.then(() => out.datasync()).catch(failed);
      }, failed);
    };
    /** Everything handed to the disk has landed (or failed): before closing the file. */
    const settled = async () => {
      await writing;
      await flushing;
    };
    try {
      for await (const chunk of res.body) {
        if (have + chunk.length > job.size) {
          res.body.destroy();
          batch = [];
          batched = 0;
          await settled();
          await out.close();
          dropPart(p);
          throw new WrongSize('refused', `${new URL(url).host} sent more than the ${job.size} bytes ${job.sha256.slice(0, 12)}… has`);
        }
        if (ctx.bucket.limited) {
          const paid = Math.min(prepaid, chunk.length);
          prepaid -= paid;
          if (chunk.length > paid) await ctx.bucket.take(chunk.length - paid, ctx.signal);
        }
        batch.push(chunk);
        batched += chunk.length;
        if (batched >= 1 << 20) await flush();
        hash.update(chunk);
        have += chunk.length;
        fetchedNow += chunk.length;
        ctx.onBytes?.(chunk.length);
      }
      await flush();
      await settled();
      if (writeError) throw writeError;
    } catch (err) {
      // Keep what arrived intact for the resume (the next try re-hashes the .part).
      try {
        await flush();
        await settled();
      } catch {
        // the disk itself failed; handled below
      }
      if (((writeError ?? err) as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw diskFull();
      }
      // The disk failed, not the server: fetching again would not help.
      if (writeError) throw diskError(`cannot write ${job.sha256.slice(0, 12)}… to disk: ${(writeError as Error).message}`);
      if (err instanceof AppError) throw err;
      // A cut connection: what arrived stays in the .part for the next try.
      throw Object.assign(new Retryable(`${new URL(url).host}: ${(err as Error).message}`), { fetched: fetchedNow });
    } finally {
      await out.close().catch(() => {});
    }
    if (have < job.size) throw Object.assign(new Retryable(`${new URL(url).host} ended the body at ${have} of ${job.size} bytes`), { fetched: fetchedNow });
    try {
      await finish(job, ctx, p, hash);
    } catch (err) {
      // Fetched, then thrown away (bad bytes, or a file of the wrong size): counted.
      if (err instanceof HashMismatch || err instanceof Retryable) Object.assign(err, { fetched: fetchedNow });
      throw err;
    }
    return { fetched: fetchedNow, resumedFrom };
  }
  // An empty file (a feed may list one) needs no request: it is made here, then verified and renamed as any other.
  if (job.size === 0) await fs.promises.writeFile(p.part, '', { flag: 'a' });
  return { ...(await finish(job, ctx, p, hash)), resumedFrom: have };
}

/**
 * Appends every byte of `bufs`. A write cut short (the disk filled, or failed,
 * part-way) reports the bytes it wrote and drops the error: the rest is written
 * again, which either completes or reports the disk's error itself.
 */
async function writeAll(out: fs.promises.FileHandle, bufs: Buffer[], n: number): Promise<void> {
  let written = (await out.writev(bufs)).bytesWritten;
  while (written < n) {
    const rest = Buffer.concat(bufs).subarray(written);
    const { bytesWritten } = await out.write(rest);
    if (bytesWritten === 0) throw Object.assign(new Error('the disk accepted no more bytes'), { code: 'ENOSPC' });
    written += bytesWritten;
  }
}

/** Verifies the whole file and renames it into the cache, or quarantines it. */
async function finish(job: BlobJob, ctx: RunContext, p: ReturnType<typeof paths>, hash: crypto.Hash): Promise<DownloadResult> {
  // The hash covers the bytes as they arrived; the file must also hold exactly them.
  const onDisk = fs.statSync(p.part).size;
  if (onDisk !== job.size) {
    dropPart(p);
    throw new Retryable(`the partial file of ${job.sha256.slice(0, 12)}… holds ${onDisk} bytes, not ${job.size}: fetching it again`);
  }
  const actual = hash.digest('hex');
  if (actual !== job.sha256) {
    ctx.blobs.quarantine(p.part, job.sha256);
    fs.rmSync(p.state, { force: true });
    throw new HashMismatch('refused', `downloaded bytes do not match sha256 ${job.sha256.slice(0, 12)}… (quarantined)`);
  }
  // Durable before the rename into the cache, also a .part an earlier run
  // completed. A flush that fails (EIO, ENOSPC) is a failed write: the file stays
  // out of the cache, its .part kept for the next run.
  try {
    const fh = await fs.promises.open(p.part, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw diskFull();
    }
    throw diskError(`cannot flush ${job.sha256.slice(0, 12)}… to disk: ${(err as Error).message}`);
  }
  const dest = ctx.blobs.pathFor(job.sha256);
  const madeDir = fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.renameSync(p.part, dest);
  fs.rmSync(p.state, { force: true });
  // The rename itself made durable before the library lists the file: after a
  // power cut a listed file must be there (the planner trusts the list). A new
  // <aa> folder must survive too, in the cache's own folder.
  try {
    await syncDirAsync(path.dirname(dest));
    if (madeDir) await syncDirAsync(ctx.blobs.root);
  } catch (err) {
    // In place but not listed: the next run finds it present and lists it.
    throw diskError(`cannot flush the cache folder of ${job.sha256.slice(0, 12)}… to disk: ${(err as Error).message}`);
  }
  ctx.blobs.record(job);
  return { fetched: 0, resumedFrom: 0 };
}
