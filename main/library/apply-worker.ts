// Worker thread entry: applies catalog changes on its own connection, so a
// 150,000-resource import never blocks the Electron main thread or the hub.
// Kept warm between imports (util/worker.ts workerService), with its connection.
import { parentPort } from 'node:worker_threads';
import { toApiError } from '../api/errors';
import { applyCatalog, type ApplyInput } from './catalog';
import { keptConnection, type Db } from './db';

// A bulk writer: a larger page cache keeps index pages of a big catalog in memory.
const bulk = (db: Db) => {
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = memory');
};

parentPort!.on('message', ({ id, req }: { id: number; req: { dbFile: string; input: ApplyInput } }) => {
  try {
    parentPort!.postMessage({ id, ok: true, value: applyCatalog(keptConnection(req.dbFile, {}, bulk), req.input) });
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, error: toApiError(err) });
  }
});
