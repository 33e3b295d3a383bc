// Worker thread entry: builds the search layout after a catalog change on its
// own read-only connection and hands it to the main thread, which would
// otherwise stall for ~0.6 s at 150,000 resources building it itself.
import { serveRequests, type Answer } from '../util/worker';
import { connectLibrary, heldAlone } from './db';
import { buildSearchLayout, layoutTransferList, type SearchLayout } from './search';

/** Also run on the caller's thread, on the connection it holds alone (a library opened on a full disk). */
export function handle({ dbFile }: { dbFile: string }): Answer<SearchLayout | null> {
  const held = heldAlone(dbFile);
  const db = held ?? connectLibrary(dbFile, { readonly: true });
  try {
    const layout = buildSearchLayout(db);
    return { value: layout, transfer: layout ? layoutTransferList(layout) : [] };
  } finally {
    if (!held) db.close();
  }
}

serveRequests(handle);
