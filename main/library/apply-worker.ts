// Worker thread entry: applies catalog changes on its own connection, so a
// 150,000-resource import never blocks the Electron main thread or the hub.
// Kept warm between imports (util/worker.ts workerService).
import { parentPort } from 'node:worker_threads';
import { toApiError } from '../api/errors';
import { applyCatalog, type ApplyInput } from './catalog';
import { connectLibrary } from './db';

parentPort!.on('message', ({ id, req }: { id: number; req: { dbFile: string; input: ApplyInput } }) => {
  try {
    const db = connectLibrary(req.dbFile);
    // A bulk writer: a larger page cache keeps index pages of a big catalog in memory.
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = memory');
    try {
      parentPort!.postMessage({ id, ok: true, value: applyCatalog(db, req.input) });
    } finally {
      db.close();
    }
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, error: toApiError(err) });
  }
});
