// Imports a feed into the library: index → signature → revision → changed shards
// (size + hash) → catalog applied in a worker → blobs copied in verified. Any
// refusal happens before the worker commits, so the library stays as it was.
import fs from 'node:fs';
import path from 'node:path';
import { isHttpUrl, type ImportSummary } from '../../preload/contract';
import { AppError } from '../api/errors';
import { recordBlobs, type BlobStore, type Expected } from '../cache/blob-store';
import { diskFree, hasRoom, type Room } from '../cache/evict';
import { sha256Hex, verifySignature } from '../feed/keys';
import { LIMITS, type FeedIndex } from '../feed/schema';
import { folderSource, type FeedSource } from '../feed/source';
import { checkRemoteBlobBases, httpSource, type HttpFeedSource, type Validators } from '../sync/http-source';
import { stageFileAsync } from '../util/atomic-write';
import { inLanes } from '../util/lanes';
import { workerService } from '../util/worker';
import type { ApplyAnswer, ApplyRequest } from './apply-worker';
import type { ApplyInput } from './catalog';
import type { Db } from './db';
import { foldExports, listedFile } from './fold-export';

export interface LibraryContext {
  db: Db;
  dbFile: string;
  blobs: BlobStore;
  /** <data>/feeds: the verified feed.json + signature of each subscription, as received. */
  feedsDir: string;
}

export type ImportProgress = {
  feedId: string | null;
  phase: 'index' | 'shards' | 'catalog' | 'blobs' | 'done';
  done: number;
  total: number;
  /** With phase 'done' after a catalog change: the applier's time per step (ms). */
  timings?: ApplyAnswer['timings'];
};

/** One warm catalog applier per process, shared by every library it opens. */
const applier = workerService<ApplyRequest, ApplyAnswer | FeedIndex | null>('apply-worker', import.meta.url);
let lastSession = 0;
/** A remote feed's import copies no files: they come with the sync. */
const NO_BLOBS: ImportSummary['blobs'] = { copied: 0, present: 0, missing: 0, rejected: 0, bytes: 0 };

export interface ImportOptions {
  /** Accept a feed without a signature (a teacher's own folder). */
  unsigned?: boolean;
  /** Trusted publisher keys by keyId (base64 of the raw 32 bytes). */
  keys?: Record<string, string>;
  mirrors?: string[];
  /** The cache quota and free-disk floor a teacher's stick fills the cache within (the sync settings'). */
  room?: Room;
  onProgress?: (p: ImportProgress) => void;
}

interface FeedRow {
  source: string;
  etag: string | null;
  last_modified: string | null;
  unsigned: number;
  keys_json: string;
  mirrors_json: string;
  revision: number;
  index_sha256: string | null;
}

/**
 * `from`: an http(s) URL (fetched by the applier's thread) or a folder / file:// URL (read there).
 * A teacher's stick imported as its own feed before this classroom subscribed to
 * its lessons' feed is then folded into it (foldExports), whichever came first:
 * no lesson shows twice, but for one the platform revised since the export (its
 * copy stays the stick's, to play until the new files come).
 */
export async function importFeed(lib: LibraryContext, from: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const summary = await importOnce(lib, from, opts);
  const touched = [summary.feedId, ...(summary.fromExport ? [summary.fromExport.exportId, ...summary.fromExport.feeds.map((f) => f.id)] : [])];
  const folded = foldExports(lib.db, lib.feedsDir, touched);
  if (folded.length === 0) return summary;
  // The stick's earlier copy just folded in whole: nothing left to remove by hand.
  const earlier = summary.fromExport?.earlierFeed;
  if (summary.fromExport && earlier && !lib.db.prepare('SELECT 1 FROM feeds WHERE id = ?').pluck().get(earlier)) {
    const { earlierFeed: _, ...fromExport } = summary.fromExport;
    return { ...summary, fromExport, folded };
  }
  return { ...summary, folded };
}

async function importOnce(lib: LibraryContext, from: string, opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  if (!isHttpUrl(from) && /^[a-z][a-z0-9+.-]*:\/\//i.test(from) && !/^file:/i.test(from)) {
    throw new AppError('bad-request', `只支持 http(s):// 地址或文件夹 / a feed is an http(s):// address or a folder, not ${from.slice(0, 80)}`);
  }
  const source: FeedSource = isHttpUrl(from) ? httpSource(from) : folderSource(from);
  const progress = opts.onProgress ?? (() => {});
  progress({ feedId: null, phase: 'index', done: 0, total: 1 });

  const read = await readIndex(lib, source);
  if ('unchanged' in read) {
    // The keys as they would be saved must verify the index kept for this feed: a
    // wrong --key saved now would refuse the platform's next publication, days later.
    if (opts.keys && Object.keys(opts.keys).length > 0) await checkKeptIndex(lib, read.unchanged, opts.keys);
    updateSubscription(lib, read.unchanged, opts);
    // A shard verify removed would otherwise stay gone while feed.json answers 304, and the hub serves the feed whole.
    await keepShards(lib, source, read.unchanged);
    return unchangedSummary(lib, read.unchanged, started);
  }
  const { bytes: indexBytes, validators } = read;
  if (!('readIndex' in source)) {
    const filled = await fillFromExport(lib, source, indexBytes, opts, progress, started);
    if (filled) return filled;
  }
  const { index, indexSha, existing, unsigned, keys, sig } = await verifyIndex(lib, source, indexBytes, opts);
  const dir = path.join(lib.feedsDir, index.id);

  let result: ApplyAnswer | null = null;
  /** After an apply: the applied index's shards the cache lacks, found while it wrote. */
  let lacking: IndexShard[] | undefined;
  if (!existing || existing.index_sha256 !== indexSha) {
    const changed = changedShards(lib, index);
    progress({ feedId: index.id, phase: 'shards', done: 0, total: changed.length });
    const { stored, session } = await fetchAndParse(lib, source, changed, (done) =>
      progress({ feedId: index.id, phase: 'shards', done, total: changed.length }),
    );
    // From here on, a failure drops the parse session (its cache writes done) and lists the shards written.
    let staging: ReturnType<typeof stageIndex> | null = null;
    try {
      progress({ feedId: index.id, phase: 'catalog', done: 0, total: 1 });
      // A USB stick brings a newer revision of a platform feed: the subscription
      // stays with the platform (and its validators), or the nightly sync would stop.
      const keepsRemote = existing !== undefined && isHttpUrl(existing.source) && !isHttpUrl(source.location);
      const input: ApplyInput = {
        feed: {
          id: index.id,
          title: index.title,
          source: keepsRemote ? existing.source : source.location,
          unsigned,
          keys,
          mirrors: opts.mirrors ?? (existing ? JSON.parse(existing.mirrors_json) : []),
          revision: index.revision,
          published: index.published ?? null,
          indexSha256: indexSha,
          blobBases: index.blobBases ?? ['blobs/'],
          etag: keepsRemote ? existing.etag : validators.etag,
          lastModified: keepsRemote ? existing.last_modified : validators.lastModified,
        },
        shards: index.shards.map(({ path: p, sha256, size }) => ({ path: p, sha256, size })),
        changed: changed.map(({ path: p, sha256, size }) => ({ path: p, sha256, size })),
        stored,
      };
      // The index and signature are kept exactly as received (the hub mirror serves
      // them): flushed while the catalog is applied, visible once it is.
      staging = stageIndex(dir, indexBytes, sig);
      staging.catch(() => {});
      const applying = applier.call({ op: 'apply', session, dbFile: lib.dbFile, input });
      applying.catch(() => {}); // awaited below
      // While the applier writes: the shards this index keeps as they were, checked
      // in the cache (a stat each) on this thread, which would otherwise wait idle.
      // Read before or after the commit, those rows are the same: the index lists them unchanged.
      const kept = new Set(index.shards.map((s) => s.path));
      for (const s of changed) kept.delete(s.path);
      // A failed read must not fail an apply that goes on: keepShards then asks again after it.
      try {
        lacking = shardsLacking(lib, index.id).filter((s) => kept.has(s.path));
      } catch {
        lacking = undefined;
      }
      result = (await applying) as ApplyAnswer;
      // And a changed one written for this apply but gone since (another run's clean-up of files nothing listed yet).
      lacking?.push(...changed.filter((s) => !lib.blobs.has(s.sha256)));
    } catch (err) {
      // After a failed apply the session is gone already: the drop is then a no-op.
      await applier.call({ op: 'drop', session }).catch(() => {});
      listWritten(lib, stored);
      if (staging) await Promise.all((await staging.catch(() => [])).map((f) => f?.discard()));
      throw err;
    }
    // The catalog is in: a copy that could not be kept (a full disk) is not a failed
    // import. The next check finds it missing, fetches feed.json whole and keeps it.
    await staging!.then((staged) => commitIndex(dir, staged)).catch(() => {});
  } else if (!keptCopy(dir, unsigned)) {
    // The same index as applied, but its copy (or signature) was lost (a failed write): kept again, as verified now.
    await commitIndex(dir, await stageIndex(dir, indexBytes, sig));
  }

  // Every shard of the applied index is kept in the cache, so a hub can serve the
  // feed whole: also those this import did not parse (removed by verify, or a
  // folder's from before they were kept). After a new catalog is in, one that
  // cannot be had now is not a failed import: the next check tries it again.
  try {
    await keepShards(lib, source, index.id, lacking);
  } catch (err) {
    if (!result) throw err;
  }

  if (!result && (validators.etag || validators.lastModified)) {
    lib.db.prepare('UPDATE feeds SET etag = ?, last_modified = ? WHERE id = ?').run(validators.etag, validators.lastModified, index.id);
  }
  if (!result) updateSubscription(lib, index.id, opts, source.location);
  // A remote feed's files come through the sync engine, not the import: skip the
  // scan of every file the catalog lists (most of a small change's time at 150,000).
  const blobs = 'readIndex' in source ? { ...NO_BLOBS } : await copyBlobs(lib, source, index.id, index.blobBases ?? ['blobs/'], progress);
  progress({ feedId: index.id, phase: 'done', done: 1, total: 1, timings: result?.timings });
  const resources = result?.resources ?? (lib.db.prepare('SELECT resource_count FROM feeds WHERE id = ?').pluck().get(index.id) as number);
  return {
    feedId: index.id,
    title: index.title,
    revision: index.revision,
    outcome: result ? 'applied' : 'unchanged',
    resources,
    added: result?.added ?? 0,
    updated: result?.updated ?? 0,
    removed: result?.removed ?? 0,
    blobs,
    durationMs: Math.round(performance.now() - started),
  };
}

/** feed.json as the source has it; over HTTP asked for conditionally, and a 304 ends the check (`unchanged`: the feed's id). */
async function readIndex(lib: LibraryContext, source: FeedSource): Promise<{ unchanged: string } | { bytes: Buffer; validators: Validators }> {
  let validators: Validators = { etag: null, lastModified: null };
  let bytes: Buffer | null;
  if ('readIndex' in source) {
    const known = lib.db.prepare('SELECT id, etag, last_modified AS lastModified, unsigned FROM feeds WHERE source = ?').get(source.location) as
      | (Validators & { id: string; unsigned: number })
      | undefined;
    // Validators only while the feed.json they stand for is kept, with its signature:
    // one lost to a failed write after its catalog was applied is fetched whole and
    // kept again (a 304 checks a --key against the kept copy).
    const kept = known && keptCopy(path.join(lib.feedsDir, known.id), known.unsigned === 1);
    const got = await (source as HttpFeedSource).readIndex(LIMITS.indexBytes, kept ? { etag: known.etag, lastModified: known.lastModified } : validators);
    if (got === 'not-modified' && known) return { unchanged: known.id };
    if (got === 'not-modified') throw new AppError('unavailable', `${source.location} answered 304 to a request without validators`);
    bytes = got?.bytes ?? null;
    if (got) validators = got.validators;
  } else {
    bytes = await source.read('feed.json', LIMITS.indexBytes);
  }
  if (!bytes) throw new AppError('not-found', `${source.location} 不是资源库：缺少 feed.json / no feed.json there`);
  return { bytes, validators };
}

/** An index checked against what the library trusts: its signature (read from the source), no rollback, no rewritten revision. */
async function verifyIndex(lib: LibraryContext, source: FeedSource, indexBytes: Buffer, opts: ImportOptions) {
  // Parsed by the applier: zod took 20–40 ms of the UI's thread on a 600-shard index (cold, once a night).
  // The signature is asked for meanwhile: one round trip less on a nightly change.
  // An index refused before its signature is needed drops that request (a stalled server held it open for minutes).
  const unwanted = new AbortController();
  const sigRead = source.read('feed.json.sig', 4096, unwanted.signal);
  sigRead.catch(() => {}); // awaited below, once the index parsed
  let index: FeedIndex;
  let existing: FeedRow | undefined;
  try {
    index = (await applier.call({ op: 'index', bytes: indexBytes })) as FeedIndex;
    if ('readIndex' in source) checkRemoteBlobBases(index.blobBases ?? ['blobs/']);
    existing = lib.db
      .prepare('SELECT source, etag, last_modified, unsigned, keys_json, mirrors_json, revision, index_sha256 FROM feeds WHERE id = ?')
      .get(index.id) as FeedRow | undefined;
    if (existing && !existing.unsigned && opts.unsigned) {
      throw new AppError('refused', `资源库 ${index.id} 已按签名方式订阅，不能改为未签名导入 / feed ${index.id} is subscribed as signed`);
    }
  } catch (err) {
    unwanted.abort();
    throw err;
  }
  const indexSha = sha256Hex(indexBytes);
  const unsigned = opts.unsigned ?? (existing ? existing.unsigned === 1 : false);
  const keys: Record<string, string> = { ...(existing ? JSON.parse(existing.keys_json) : {}), ...opts.keys };
  const sig = await sigRead;
  // The index the library has applied, again: a signature that fails is the key given now.
  if (!unsigned && existing?.index_sha256 === indexSha) checkGivenKey(index, indexBytes, sig, opts.keys);
  if (!unsigned) checkSignature(index, indexBytes, sig, keys);

  if (existing && index.revision < existing.revision) {
    throw new AppError(
      'refused',
      `资源库 ${index.id} 的版本 ${index.revision} 低于已有版本 ${existing.revision}，已拒绝回退 / revision ${index.revision} is older than ${existing.revision}: rollback refused`,
    );
  }
  if (existing && index.revision === existing.revision && existing.index_sha256 !== indexSha) {
    throw new AppError('refused', `资源库 ${index.id} 的版本 ${index.revision} 内容与已有的不同 / same revision, different content: refused`);
  }
  return { index, indexSha, existing, unsigned, keys, sig };
}

/** The index's shards whose bytes the library does not have applied. */
function changedShards(lib: LibraryContext, index: FeedIndex): IndexShard[] {
  const have = new Map(
    (lib.db.prepare('SELECT path, sha256 FROM shards WHERE feed_id = ?').all(index.id) as { path: string; sha256: string }[]).map((r) => [
      r.path,
      r.sha256,
    ]),
  );
  return index.shards.filter((s) => have.get(s.path) !== s.sha256);
}

/**
 * The shards a remote feed's import would fetch now, each with its URL, from its
 * index verified as the import verifies it: those changed since the library's
 * copy and not in the cache, and the applied ones the cache lacks (verify removed
 * them), which the import brings back on every check, a 304 too. A sync fetches
 * them within its rate cap before the import, which then finds them in the cache.
 * `kept`: only kept, not applied tonight; once a new revision is in, one that
 * cannot be had is not a failed import (it waits for the next check).
 */
export async function shardsToFetch(lib: LibraryContext, from: string, opts: ImportOptions = {}) {
  const source = httpSource(from);
  const at = (kept: boolean) => (s: IndexShard) => ({ path: s.path, sha256: s.sha256, size: s.size, url: source.url(s.path).href, kept });
  const read = await readIndex(lib, source);
  if ('unchanged' in read) return { feedId: read.unchanged, shards: shardsLacking(lib, read.unchanged).map(at(false)) };
  const { index, indexSha, existing } = await verifyIndex(lib, source, read.bytes, opts);
  const lacking = shardsLacking(lib, index.id);
  if (existing?.index_sha256 === indexSha) return { feedId: index.id, shards: lacking.map(at(false)) };
  // Applied shards the new index still lists as they are: kept by the import after its apply.
  const listed = new Set(index.shards.map((s) => `${s.path}\0${s.sha256}`));
  const changed = changedShards(lib, index).filter((s) => !lib.blobs.has(s.sha256));
  const kept = lacking.filter((s) => listed.has(`${s.path}\0${s.sha256}`));
  return { feedId: index.id, shards: [...changed.map(at(false)), ...kept.map(at(true))] };
}

/** feed.json and its signature, written aside and flushed, to be made visible once the catalog is applied. */
async function stageIndex(dir: string, indexBytes: Buffer, sig: Buffer | null) {
  await fs.promises.mkdir(dir, { recursive: true });
  return Promise.all([stageFileAsync(path.join(dir, 'feed.json'), indexBytes), sig ? stageFileAsync(path.join(dir, 'feed.json.sig'), sig) : null]);
}

/** The feed's feed.json is kept, and for a signed feed its signature too. */
function keptCopy(dir: string, unsigned: boolean): boolean {
  return fs.existsSync(path.join(dir, 'feed.json')) && (unsigned || fs.existsSync(path.join(dir, 'feed.json.sig')));
}

/**
 * After a 304: the keys given, merged with those saved, checked against the kept
 * feed.json and signature (readIndex sent validators only with both kept), as an
 * index fetched whole is checked.
 */
async function checkKeptIndex(lib: LibraryContext, feedId: string, given: Record<string, string>): Promise<void> {
  const row = lib.db.prepare('SELECT unsigned, keys_json FROM feeds WHERE id = ?').get(feedId) as { unsigned: number; keys_json: string };
  if (row.unsigned) return;
  const dir = path.join(lib.feedsDir, feedId);
  const [indexBytes, sig] = await Promise.all([fs.promises.readFile(path.join(dir, 'feed.json')), fs.promises.readFile(path.join(dir, 'feed.json.sig'))]);
  const index = (await applier.call({ op: 'index', bytes: indexBytes })) as FeedIndex;
  checkGivenKey(index, indexBytes, sig, given);
  checkSignature(index, indexBytes, sig, { ...JSON.parse(row.keys_json), ...given });
}

/** A key given for the index's key id that does not verify the index the library already holds: the key is wrong, not the platform. */
function checkGivenKey(index: FeedIndex, indexBytes: Buffer, sig: Buffer | null, given: Record<string, string> | undefined): void {
  const keyId = index.keyId;
  const key = keyId ? given?.[keyId] : undefined;
  if (!keyId || !key || !sig || verifySignature(indexBytes, sig.toString('utf8'), key)) return;
  throw new AppError(
    'refused',
    `--key ${keyId} 无法验证资源库 ${index.id} 的签名，未保存；请核对平台提供的公钥 / --key ${keyId} does not verify the signature of feed ${index.id}: not saved; check the public key the platform gave`,
  );
}

/** Makes the staged feed.json visible, with its signature (or without a stale one). */
async function commitIndex(dir: string, [feedJson, feedSig]: Awaited<ReturnType<typeof stageIndex>>): Promise<void> {
  await Promise.all([feedJson.commit(), feedSig ? feedSig.commit() : fs.promises.rm(path.join(dir, 'feed.json.sig'), { force: true })]);
}

/**
 * Subscribing again to an unchanged feed still records new mirrors and keys, and
 * an http(s) address (the platform, or the school hub) replaces the one kept: the
 * demo library or a USB stick may have brought the same feed first. A folder
 * never replaces an address (see the apply).
 */
function updateSubscription(lib: LibraryContext, feedId: string, opts: ImportOptions, location?: string): void {
  if (location && isHttpUrl(location)) lib.db.prepare('UPDATE feeds SET source = ? WHERE id = ?').run(location, feedId);
  if (opts.mirrors) lib.db.prepare('UPDATE feeds SET mirrors_json = ? WHERE id = ?').run(JSON.stringify(opts.mirrors), feedId);
  if (opts.keys && Object.keys(opts.keys).length > 0) {
    const row = lib.db.prepare('SELECT keys_json FROM feeds WHERE id = ?').pluck().get(feedId) as string;
    lib.db.prepare('UPDATE feeds SET keys_json = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(row), ...opts.keys }), feedId);
  }
}

/**
 * The answer when the publisher says nothing changed (HTTP 304), from the feed's
 * row alone: counting which of 150,000 files are present took ~400 ms of the
 * UI's thread on every night's check. A remote feed's files are the sync's to
 * count (its plan), as after an applied import.
 */
function unchangedSummary(lib: LibraryContext, feedId: string, started: number): ImportSummary {
  const row = lib.db.prepare('SELECT title, revision, resource_count AS resources FROM feeds WHERE id = ?').get(feedId) as {
    title: string;
    revision: number;
    resources: number;
  };
  return {
    feedId,
    title: row.title,
    revision: row.revision,
    outcome: 'unchanged',
    resources: row.resources,
    added: 0,
    updated: 0,
    removed: 0,
    blobs: { ...NO_BLOBS },
    durationMs: Math.round(performance.now() - started),
  };
}

export function checkSignature(index: FeedIndex, indexBytes: Buffer, sig: Buffer | null, keys: Record<string, string>): void {
  if (!sig) {
    // Most often a teacher's USB stick, made by `classboard export` without --sign-key: say how to take it.
    throw new AppError(
      'refused',
      `资源库 ${index.id} 缺少签名 feed.json.sig，是未签名的资源库；如果这是老师自己导出的文件夹，并且你信任它，可以加 --unsigned 导入 / the feed ${index.id} is not signed (no feed.json.sig); a teacher's own exported folder can be imported with --unsigned, only if you trust it`,
    );
  }
  const keyId = index.keyId;
  const key = keyId ? keys[keyId] : undefined;
  if (!keyId || !key) {
    throw new AppError('refused', `资源库 ${index.id} 的签名密钥 ${keyId ?? '(none)'} 不受信任，请用 --key 添加平台提供的公钥 / unknown signing key ${keyId ?? '(none)'}; add it with --key`);
  }
  if (!verifySignature(indexBytes, sig.toString('utf8'), key)) {
    throw new AppError('refused', `资源库 ${index.id} 的签名无效，已拒绝；请核对 --key ${keyId} 是否为平台提供的公钥 / bad signature on feed.json: refused; check that --key ${keyId} is the platform's public key`);
  }
}

type IndexShard = { path: string; sha256: string; size: number };

/**
 * Has the applier fetch (over HTTP) or read (from a folder or the cache) each
 * changed shard, a few at a time (one round trip each would add up over
 * hundreds of volumes), parse it and, when fetched, write it to the cache.
 * Parsing 150,000 resources overlaps the download, and the shards' 48 MB never
 * touch this (the UI's) thread: received here, they formed 40–70 ms tasks of
 * reads, copies and GC at loopback speed. Returns the parse session, once
 * every shard is parsed.
 */
async function fetchAndParse(
  lib: LibraryContext,
  source: FeedSource,
  changed: IndexShard[],
  onFetched: (done: number) => void,
): Promise<{ stored: IndexShard[]; session: number }> {
  const session = ++lastSession;
  const remote = 'readIndex' in source ? source.location : null;
  const keep = { dbFile: lib.dbFile, cacheRoot: lib.blobs.root };
  const stored: IndexShard[] = [];
  let done = 0;
  try {
    // 8 at a time: a night's change (a few volumes' shards) is one round of requests.
    await inLanes(changed, 8, async (s, index) => {
      const shard = { path: s.path, sha256: s.sha256, size: s.size };
      if (lib.blobs.has(s.sha256)) {
        await applier.call({ op: 'parse', session, index, shard: { ...shard, file: lib.blobs.pathFor(s.sha256) } });
      } else if (remote) {
        // Fetched now and written to the cache by the applier: listed with the catalog.
        await applier.call({ op: 'fetch', session, index, location: remote, shard, keep });
      } else {
        const file = source.localFile(s.path);
        if (!file || !fs.existsSync(file)) throw new AppError('refused', `shard ${s.path} is listed in feed.json but missing`);
        // Kept in the cache too, as a fetched one is: the catalog then outlives the USB stick, and a hub can serve it.
        await applier.call({ op: 'parse', session, index, shard: { ...shard, file }, keep });
      }
      stored.push(s);
      onFetched(++done);
    });
  } catch (err) {
    // Dropping waits for the applier's cache writes, so what is on disk is what gets listed.
    await applier.call({ op: 'drop', session }).catch(() => {});
    listWritten(lib, stored);
    throw err;
  }
  return { stored, session };
}

/**
 * Brings back the applied index's shards the cache lacks (its file, or its row),
 * from the feed's source (fetched, or read from the folder), verified and listed
 * as an import keeps them. On every night's 304: one query and a stat per shard
 * (~3 ms at 600; fs.promises took 15 ms to dispatch as many), the files being
 * what the hub's mirror serves.
 */
async function keepShards(lib: LibraryContext, source: FeedSource, feedId: string, lacking?: IndexShard[]): Promise<void> {
  const missing = lacking ?? shardsLacking(lib, feedId);
  if (missing.length === 0) return;
  const { stored, session } = await fetchAndParse(lib, source, missing, () => {});
  // Dropping the session waits for its cache writes; bytes that did not match their hash were not written.
  await applier.call({ op: 'drop', session });
  listWritten(lib, stored);
  const lost = missing.filter((s) => !lib.blobs.has(s.sha256));
  if (lost.length > 0) {
    throw new AppError(
      'refused',
      `资源库 ${feedId} 的目录分片 ${lost.map((s) => s.path).join('、')} 与 feed.json 不符，未保存 / shard ${lost[0]!.path} does not match its sha256 in feed.json: not kept`,
    );
  }
}

/** The applied shards of a feed the cache lacks: not listed, or no file on disk. keepShards brings them back; a capped sync fetches them first (shardsToFetch). */
function shardsLacking(lib: LibraryContext, feedId: string): IndexShard[] {
  const shards = lib.db
    .prepare('SELECT path, sha256, size, EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = s.sha256) AS listed FROM shards s WHERE feed_id = ?')
    .all(feedId) as (IndexShard & { listed: number })[];
  return shards.filter((s) => !s.listed || !lib.blobs.has(s.sha256)).map(({ listed: _, ...s }) => s);
}

/** After a refusal: shards written to the cache stay, listed, so eviction collects them if nothing ever refers to them. */
function listWritten(lib: LibraryContext, stored: IndexShard[]): void {
  const written = stored.filter((b) => lib.blobs.has(b.sha256));
  lib.db.transaction(() => recordBlobs(lib.db, written))();
}

async function copyBlobs(
  lib: LibraryContext,
  source: FeedSource,
  feedId: string,
  blobBases: string[],
  progress: (p: ImportProgress) => void,
): Promise<ImportSummary['blobs']> {
  // What the cache index does not list yet; the source's blobs are listed once.
  const wanted = lib.db
    .prepare(
      `SELECT DISTINCT f.sha256, f.size FROM resource_files f JOIN resources r ON r.rid = f.rid
       WHERE r.feed_id = ? AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = f.sha256)`,
    )
    .all(feedId) as { sha256: string; size: number }[];
  const total = lib.db
    .prepare('SELECT count(DISTINCT f.sha256) FROM resource_files f JOIN resources r ON r.rid = f.rid WHERE r.feed_id = ?')
    .pluck()
    .get(feedId) as number;
  const out = { copied: 0, present: total - wanted.length, missing: 0, rejected: 0, bytes: 0 };
  const available = wanted.length > 0 ? source.listBlobs(blobBases) : new Set<string>();
  const rejected: string[] = [];
  for (const [i, blob] of wanted.entries()) {
    if (i % 256 === 0) progress({ feedId, phase: 'blobs', done: i, total: wanted.length });
    const file = available.has(blob.sha256) ? source.localBlob(blobBases, blob.sha256) : null;
    if (!file) out.missing++;
    else await copyIn(lib, file, blob, out, rejected);
  }
  return withIncomplete(lib, out, rejected, [feedId]);
}

/**
 * The lessons whose files failed their check, named in the summary: importing the
 * same stick again cannot mend them, the teacher has to copy it again at its source.
 */
function withIncomplete(lib: LibraryContext, out: ImportSummary['blobs'], rejected: string[], feedIds: string[]): ImportSummary['blobs'] {
  if (rejected.length === 0) return out;
  const titles = lib.db
    .prepare(
      `SELECT DISTINCT r.title FROM resource_files f JOIN resources r ON r.rid = f.rid
       WHERE f.sha256 IN (SELECT value FROM json_each(?)) AND r.feed_id IN (SELECT value FROM json_each(?)) ORDER BY r.title`,
    )
    .pluck()
    .all(JSON.stringify(rejected), JSON.stringify(feedIds)) as string[];
  return { ...out, incomplete: titles };
}

/** One file from a folder into the cache, verified by size and hash on the way, counted in `out` (a refused one's hash in `rejected`). */
async function copyIn(lib: LibraryContext, file: string, blob: Expected, out: ImportSummary['blobs'], rejected: string[]): Promise<void> {
  let result: 'copied' | 'present';
  try {
    result = await lib.blobs.putFile(file, blob);
  } catch (err) {
    // A damaged or half-copied file on the stick: skip it (never visible), keep importing the rest.
    if (err instanceof AppError && err.code === 'refused') {
      out.rejected++;
      rejected.push(blob.sha256);
      return;
    }
    throw err;
  }
  if (result === 'present') {
    out.present++;
    return;
  }
  out.copied++;
  out.bytes += blob.size;
}

/**
 * A teacher's export (`classboard export`) whose lessons all come from feeds this
 * classroom subscribes to already (its feed.json's `origins`): the stick's files go
 * into the cache and no second copy of the lessons is added. Each file is taken
 * only as the subscribed catalogs list it (size and SHA-256), so the stick, signed
 * or not, is trusted for nothing; files they do not list are left and counted.
 * null: not such an export, imported as its own feed.
 */
async function fillFromExport(
  lib: LibraryContext,
  source: FeedSource,
  indexBytes: Buffer,
  opts: ImportOptions,
  progress: (p: ImportProgress) => void,
  started: number,
): Promise<ImportSummary | null> {
  const index = (await applier.call({ op: 'index', bytes: indexBytes })) as FeedIndex;
  const origins = index.origins ?? [];
  if (origins.length === 0 || origins.some((o) => o.id === index.id)) return null;
  const feedRow = lib.db.prepare('SELECT id, title, revision, resource_count AS resources FROM feeds WHERE id = ?');
  const feeds = origins.map((o) => feedRow.get(o.id) as { id: string; title: string; revision: number; resources: number } | undefined);
  // Some lessons from a feed not subscribed here: the export stays one feed of its own, as before.
  if (feeds.some((f) => !f)) return null;
  const subscribed = feeds as { id: string; title: string; revision: number; resources: number }[];
  const listed = lib.db.prepare(`${listedFile('?', 'r.feed_id IN (SELECT value FROM json_each(?))')} LIMIT 1`);
  const ids = JSON.stringify(subscribed.map((f) => f.id));
  const bases = index.blobBases ?? ['blobs/'];
  const onStick = [...source.listBlobs(bases)];
  const out = { copied: 0, present: 0, missing: 0, rejected: 0, bytes: 0 };
  const rejected: string[] = [];
  let ignored = 0;
  let noRoom = 0;
  for (const [i, sha256] of onStick.entries()) {
    if (i % 256 === 0) progress({ feedId: subscribed[0]!.id, phase: 'blobs', done: i, total: onStick.length });
    const blob = listed.get(sha256, ids) as Expected | undefined;
    const file = blob ? source.localBlob(bases, sha256) : null;
    if (!blob || !file) {
      ignored++;
      continue;
    }
    // The sync's own check for each file it starts: within the quota, above the floor.
    if (opts.room && !lib.blobs.has(sha256) && !hasRoom(lib.db, blob.size, opts.room, diskFree(lib.blobs.root))) {
      noRoom++;
      continue;
    }
    await copyIn(lib, file, blob, out, rejected);
  }
  progress({ feedId: subscribed[0]!.id, phase: 'done', done: 1, total: 1 });
  return {
    feedId: subscribed[0]!.id,
    title: subscribed.map((f) => f.title).join('、'),
    revision: subscribed[0]!.revision,
    outcome: 'unchanged',
    resources: subscribed.reduce((n, f) => n + f.resources, 0),
    added: 0,
    updated: 0,
    removed: 0,
    blobs: withIncomplete(lib, out, rejected, subscribed.map((f) => f.id)),
    fromExport: {
      exportId: index.id,
      feeds: subscribed.map(({ id, title }) => ({ id, title })),
      ignored,
      noRoom,
      // Imported as its own feed before this classroom subscribed (or before exports said where they came from): said, not removed, as a timetable may point at its copy.
      ...(feedRow.get(index.id) ? { earlierFeed: index.id } : {}),
    },
    durationMs: Math.round(performance.now() - started),
  };
}
