// Worker thread entry: applies one catalog change on its own connection, so a
// 150,000-resource import never blocks the Electron main thread or the hub.
import { parentPort, workerData } from 'node:worker_threads';
import { toApiError } from '../api/errors';
import { applyCatalog, type ApplyInput } from './catalog';
import { connectLibrary } from './db';

const { dbFile, input } = workerData as { dbFile: string; input: ApplyInput };
try {
  const db = connectLibrary(dbFile);
  // A bulk writer: a larger page cache keeps index pages of a big catalog in memory.
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = memory');
  try {
    parentPort!.postMessage({ ok: true, value: applyCatalog(db, input) });
  } finally {
    db.close();
  }
} catch (err) {
  parentPort!.postMessage({ ok: false, error: toApiError(err) });
}
