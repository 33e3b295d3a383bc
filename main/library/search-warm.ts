// After a catalog change: the search layout is built in a worker and installed
// here, so the teacher's first keystroke is fast and the UI's thread never
// spends ~0.6 s (at 150,000 resources) building it.
import { workerService } from '../util/worker';
import type { Db } from './db';
import { installSearchLayout, type SearchLayout } from './search';

const builder = workerService<{ dbFile: string }, SearchLayout | null>('search-worker', import.meta.url);

/** Resolves true when a fresh layout was installed (false: the index changed meanwhile, or needs a repair). */
export async function warmSearchInWorker(db: Db): Promise<boolean> {
  const layout = await builder.call({ dbFile: db.name });
  return layout !== null && db.open && installSearchLayout(db, layout);
}
