// Worker thread entry: applies catalog changes on its own connection, so a
// 150,000-resource import never blocks the Electron main thread or the hub.
// Kept warm between imports (util/worker.ts workerService), with its connection.
//
// An import is a session: each changed shard is parsed here as soon as the main
// thread has fetched it (fetching and parsing overlap), then one `apply` writes
// them all in one transaction, so the write lock is held only while writing.
import { parentPort } from 'node:worker_threads';
import { AppError, toApiError } from '../api/errors';
import { applyCatalog, parseShard, type ApplyInput, type ApplyResult, type ParsedShard, type ChangedShard } from './catalog';
import { keptConnection, type Db } from './db';

export type ApplyRequest =
  | { op: 'parse'; session: number; index: number; shard: ChangedShard }
  | { op: 'apply'; session: number; dbFile: string; input: ApplyInput }
  | { op: 'drop'; session: number };

// A bulk writer: a larger page cache keeps index pages of a big catalog in memory.
// The WAL is checkpointed after answering (see below), not inside the commit.
const bulk = (db: Db) => {
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = memory');
  if (!process.env.CB_AUTOCKPT) db.pragma('wal_autocheckpoint = 0');
};

const sessions = new Map<number, { parsed: ParsedShard[]; parseMs: number }>();

function handle(req: ApplyRequest): ApplyResult | null {
  if (req.op === 'drop') {
    sessions.delete(req.session);
    return null;
  }
  if (req.op === 'parse') {
    const session = sessions.get(req.session) ?? { parsed: [], parseMs: 0 };
    sessions.set(req.session, session);
    const t0 = performance.now();
    session.parsed[req.index] = parseShard(req.shard);
    session.parseMs += performance.now() - t0;
    return null;
  }
  const { parsed, parseMs } = sessions.get(req.session) ?? { parsed: [], parseMs: 0 };
  sessions.delete(req.session);
  if (parsed.length !== req.input.changed.length || parsed.includes(undefined as never)) {
    throw new AppError('internal', `catalog session ${req.session}: ${parsed.length} of ${req.input.changed.length} shards parsed`);
  }
  const result = applyCatalog(keptConnection(req.dbFile, {}, bulk), req.input, parsed);
  result.timings.parse = Math.round(parseMs);
  return result;
}

parentPort!.on('message', ({ id, req }: { id: number; req: ApplyRequest }) => {
  let value: ApplyResult | null;
  try {
    value = handle(req);
  } catch (err) {
    if (req.op !== 'drop') sessions.delete(req.session);
    parentPort!.postMessage({ id, ok: false, error: toApiError(err) });
    return;
  }
  if (req.op !== 'apply') {
    parentPort!.postMessage({ id, ok: true, value });
    return;
  }
  // The caller has its answer; copying a big commit from the WAL into the
  // database (~0.3 s at 150,000 resources) happens after, and never on the UI's
  // thread. PASSIVE: readers and writers carry on meanwhile.
  parentPort!.postMessage({ id, ok: true, value, more: true });
  try {
    keptConnection(req.dbFile, {}, bulk).pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Housekeeping only: the next checkpoint (any connection's) catches up.
  }
  parentPort!.postMessage({ idle: true });
});
