// Worker thread entry: applies catalog changes on its own connection, so a
// 150,000-resource import never blocks the Electron main thread or the hub.
// Kept warm between imports (util/worker.ts workerService).
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { toApiError } from '../api/errors';
import { applyCatalog, type ApplyInput } from './catalog';
import { connectLibrary, type Db } from './db';

/** Connections kept open between changes: a warm page cache is most of a small change's speed. */
const open = new Map<string, { db: Db; ino: number }>();

function connection(file: string): Db {
  const ino = fs.statSync(file).ino;
  const known = open.get(file);
  // A library moved aside and recreated at the same path is another file.
  if (known && known.ino === ino && known.db.open) return known.db;
  known?.db.close();
  const db = connectLibrary(file);
  // A bulk writer: a larger page cache keeps index pages of a big catalog in memory.
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = memory');
  open.delete(file);
  open.set(file, { db, ino });
  // One library per app in practice; a test process opens many: keep the newest few.
  for (const [f, c] of open) {
    if (open.size <= 4) break;
    c.db.close();
    open.delete(f);
  }
  return db;
}

parentPort!.on('message', ({ id, req }: { id: number; req: { dbFile: string; input: ApplyInput } }) => {
  try {
    parentPort!.postMessage({ id, ok: true, value: applyCatalog(connection(req.dbFile), req.input) });
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, error: toApiError(err) });
  }
});
