// Worker thread entry: applies catalog changes on its own connection, so a
// 150,000-resource import never blocks the Electron main thread or the hub.
// Kept warm between imports (util/worker.ts workerService), with its connection.
//
// An import is a session: each changed shard is fetched here (a remote feed's),
// parsed as soon as it is in (fetching and parsing overlap), and written to the
// cache from here, so its bytes never reach the UI's thread; then one `apply`
// writes the catalog in one transaction, so the write lock is held only while
// writing.
import fs from 'node:fs';
import os from 'node:os';
import { AppError } from '../api/errors';
import { applyCatalog, parseIndex, parseShard, type ApplyInput, type ApplyResult, type ParsedShard, type ChangedShard } from './catalog';
import { BlobStore } from '../cache/blob-store';
import type { FeedIndex } from '../feed/schema';
import { keptConnection, type Db } from './db';
import { dropUnusedTexts } from './search';
import { serveRequests, type Answer } from '../util/worker';
import { httpSource, type HttpFeedSource } from '../sync/http-source';

/** What `apply` answers: the result, less what the worker keeps for itself. */
export type ApplyAnswer = Omit<ApplyResult, 'unusedTexts'>;

/** The library and cache a fetched shard is written into. */
type Keep = { dbFile: string; cacheRoot: string };

export type ApplyRequest =
  /** Validates a feed.json (answers the index). */
  | { op: 'index'; bytes: Uint8Array }
  /** A shard in a feed folder or already in the cache (`file`); `keep`: a folder's, written to the cache too. */
  | { op: 'parse'; session: number; index: number; shard: ChangedShard; keep?: Keep }
  /** Fetches the shard from the http(s) feed at `location`, then parses and keeps it. */
  | { op: 'fetch'; session: number; index: number; location: string; shard: Omit<ChangedShard, 'file' | 'bytes'>; keep: Keep }
  | { op: 'apply'; session: number; dbFile: string; input: ApplyInput }
  | { op: 'drop'; session: number };

// A bulk writer: a larger page cache keeps index pages of a big catalog in memory.
// The WAL is checkpointed after answering (see below), not inside the commit.
const bulk = (db: Db) => {
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = memory');
  db.pragma('wal_autocheckpoint = 0');
};

interface Session {
  parsed: ParsedShard[];
  parseMs: number;
  /** Shards being written to the cache, beside the parsing; the apply waits for them. */
  writes: Promise<void>[];
}
const sessions = new Map<number, Session>();
/** The cache a session writes shards into, by its folder (putBuffer needs no connection of its own). */
const caches = new Map<string, BlobStore>();

// Background work: under load the UI's thread should win the CPU. On Linux a
// thread is a task and priority 0 names this thread only; elsewhere (Windows)
// it would lower the whole app, so it is left alone.
if (process.platform === 'linux') {
  try {
    os.setPriority(0, 10);
  } catch {
    // Not allowed here (a container without the capability): run at normal priority.
  }
}

/** `keep`: the shard's bytes came from outside the cache (fetched, or a feed folder); write them to the cache too. */
function parse(req: Extract<ApplyRequest, { op: 'parse' }>): void {
  const session = sessions.get(req.session) ?? { parsed: [], parseMs: 0, writes: [] };
  sessions.set(req.session, session);
  const { keep } = req;
  // Read once: the bytes parsed are the bytes kept.
  const bytes = req.shard.bytes ?? (keep && req.shard.file ? fs.readFileSync(req.shard.file) : undefined);
  const t0 = performance.now();
  session.parsed[req.index] = parseShard(bytes ? { ...req.shard, bytes, file: undefined } : req.shard);
  session.parseMs += performance.now() - t0;
  if (keep && bytes) {
    const { dbFile, cacheRoot } = keep;
    let cache = caches.get(cacheRoot);
    if (!cache) caches.set(cacheRoot, (cache = new BlobStore(cacheRoot, keptConnection(dbFile, {}, bulk))));
    // parseShard verified these bytes' hash above (it throws otherwise).
    const write = cache.putBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), req.shard, { hashed: true });
    write.catch(() => {}); // surfaces at apply
    session.writes.push(write);
  }
}

/** One source per feed location: undici's agent (and its kept-alive connections) is this thread's. */
const remotes = new Map<string, HttpFeedSource>();

async function fetchShard(req: Extract<ApplyRequest, { op: 'fetch' }>): Promise<void> {
  let source = remotes.get(req.location);
  if (!source) remotes.set(req.location, (source = httpSource(req.location)));
  const { path, size } = req.shard;
  const bytes = await source.read(path, size);
  if (!bytes) throw new AppError('refused', `shard ${path} is listed in feed.json but missing`);
  if (bytes.length !== size) throw new AppError('refused', `shard ${path} is ${bytes.length} bytes; feed.json says ${size}`);
  parse({ op: 'parse', session: req.session, index: req.index, shard: { ...req.shard, bytes }, keep: req.keep });
}

async function apply(req: Extract<ApplyRequest, { op: 'apply' }>): Promise<ApplyResult> {
  const { parsed, parseMs, writes } = sessions.get(req.session) ?? { parsed: [], parseMs: 0, writes: [] };
  sessions.delete(req.session);
  if (parsed.length !== req.input.changed.length || parsed.includes(undefined as never)) {
    throw new AppError('internal', `catalog session ${req.session}: ${parsed.length} of ${req.input.changed.length} shards parsed`);
  }
  // The blobs rows the transaction adds must name files that are on disk.
  await Promise.all(writes);
  const result = applyCatalog(keptConnection(req.dbFile, {}, bulk), req.input, parsed);
  result.timings.parse = Math.round(parseMs);
  return result;
}

/** Forgets a session (an import that failed before its apply), once its cache writes have ended. */
async function drop(req: Extract<ApplyRequest, { op: 'drop' }>): Promise<null> {
  const session = sessions.get(req.session);
  sessions.delete(req.session);
  if (session) await Promise.allSettled(session.writes);
  return null;
}

// A failed parse or fetch keeps its session: the import then drops it, which
// waits for the cache writes of the shards before it.
serveRequests(async (req: ApplyRequest): Promise<Answer<ApplyAnswer | FeedIndex | null>> => {
  if (req.op === 'index') return { value: parseIndex(Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength)) };
  if (req.op === 'parse') {
    parse(req);
    return { value: null };
  }
  if (req.op === 'fetch') {
    await fetchShard(req);
    return { value: null };
  }
  if (req.op === 'drop') return { value: await drop(req) };
  const { unusedTexts, ...answer } = await apply(req);
  return {
    value: answer,
    // The caller has its answer; dropping search titles nothing uses any more,
    // and copying a big commit from the WAL into the database (~0.3 s at
    // 150,000 resources), happen after, and never on the UI's thread. PASSIVE:
    // readers and writers carry on; a failure is caught up by the next one.
    after: () => {
      const db = keptConnection(req.dbFile, {}, bulk);
      dropUnusedTexts(db, unusedTexts);
      db.pragma('wal_checkpoint(PASSIVE)');
    },
  };
});
