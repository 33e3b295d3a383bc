// Worker thread entry: builds the search layout after a catalog change on its
// own read-only connection and hands it to the main thread, which would
// otherwise stall for ~0.6 s at 150,000 resources building it itself.
import { parentPort } from 'node:worker_threads';
import { toApiError } from '../api/errors';
import { connectLibrary } from './db';
import { buildSearchLayout, layoutTransferList } from './search';

parentPort!.on('message', ({ id, req }: { id: number; req: { dbFile: string } }) => {
  try {
    const db = connectLibrary(req.dbFile, { readonly: true });
    try {
      const layout = buildSearchLayout(db);
      parentPort!.postMessage({ id, ok: true, value: layout }, layout ? layoutTransferList(layout) : []);
    } finally {
      db.close();
    }
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, error: toApiError(err) });
  }
});
