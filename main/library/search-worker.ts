// Worker thread entry: builds the search layout after a catalog change on its
// own read-only connection and hands it to the main thread, which would
// otherwise stall for ~0.6 s at 150,000 resources building it itself.
import { serveRequests } from '../util/worker';
import { connectLibrary } from './db';
import { buildSearchLayout, layoutTransferList } from './search';

serveRequests(({ dbFile }: { dbFile: string }) => {
  const db = connectLibrary(dbFile, { readonly: true });
  try {
    const layout = buildSearchLayout(db);
    return { value: layout, transfer: layout ? layoutTransferList(layout) : [] };
  } finally {
    db.close();
  }
});
