// A sync's catalog within its rate cap. The shards an import would fetch are
// downloaded first by the download engine (capped, resumable across nights,
// verified, retried), and the import that follows reads them from the cache.
// This happens before the import takes its turn in the queue: a paused cap (by
// day, or a trickle while a lesson is presented) holds this sync only, never a
// teacher's USB import queued behind it.
import { shardsToFetch, type ImportOptions, type ImportProgress, type LibraryContext } from '../library/import';
import { downloadBlob, type DownloadContext } from './downloader';

export type CapContext = Omit<DownloadContext, 'blobs' | 'onBytes'>;

/** Shards fetched a few at a time: one round trip each would add up over hundreds of volumes on a slow link. */
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
  let next = 0;
  let done = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < shards.length) {
      const { sha256, size, url } = shards[next++]!;
      await downloadBlob({ sha256, size, urls: [url] }, { ...cap, blobs: lib.blobs });
      progress(++done);
    }
  };
  const lanes = Array.from({ length: Math.min(LANES, shards.length) }, () => lane().catch((err) => ((failed = true), Promise.reject(err))));
  // One failure fails the catalog (the import would): the other lanes stop after their shard.
  const settled = await Promise.allSettled(lanes);
  const failure = settled.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
}
