// A sync's catalog within its rate cap. The shards an import would fetch are
// downloaded first by the download engine (capped, resumable across nights,
// verified, retried), and the import that follows reads them from the cache.
// This happens before the import takes its turn in the queue: a paused cap (by
// day, or a trickle while a lesson is presented) holds this sync only, never a
// teacher's USB import queued behind it.
import { shardsToFetch, type ImportOptions, type ImportProgress, type LibraryContext } from '../library/import';
import { inLanes } from '../util/lanes';
import { downloadBlob, type DownloadContext } from './downloader';

export type CapContext = Omit<DownloadContext, 'blobs' | 'onBytes'>;

/** Shards fetched a few at a time, as files are. */
const LANES = 3;

export async function fetchShardsWithinCap(
  lib: LibraryContext,
  from: string,
  cap: CapContext,
  opts: Pick<ImportOptions, 'keys' | 'unsigned' | 'onProgress'> = {},
): Promise<void> {
  const { feedId, shards } = await shardsToFetch(lib, from, opts);
  if (shards.length === 0) return;
  const progress = (done: number) => opts.onProgress?.({ feedId, phase: 'shards', done, total: shards.length } satisfies ImportProgress);
  progress(0);
  let done = 0;
  // One failure fails the catalog, as the import would; but a shard only kept
  // (not applied tonight) does not hold back a new revision: the import tries it
  // once more after its apply and lets it wait for the next check.
  await inLanes(shards, LANES, async ({ sha256, size, url, kept }) => {
    try {
      await downloadBlob({ sha256, size, urls: [url] }, { ...cap, blobs: lib.blobs });
    } catch (err) {
      if (!kept || cap.signal?.aborted) throw err;
    }
    progress(++done);
  });
}
