// One sync run: each subscribed http(s) feed's catalog (conditional, only
// changed shards), then the files the classroom needs, most urgent first, within
// one global rate cap. A failed file is reported with the lessons it belongs to;
// the rest carry on.
import { pickRendition } from '../../preload/contract';
import { diskFree, evictCache } from '../cache/evict';
import type { Services } from '../services';
import { downloadBlob, type BlobJob } from './downloader';
import { isHttpUrl } from './http-source';
import { TokenBucket } from './token-bucket';

export interface SyncOptions {
  /** Bytes per second; Infinity (default) for no cap. */
  rate?: number;
  /** A shared cap whose rate a scheduler changes while the run goes on (overrides `rate`). */
  bucket?: TokenBucket;
  concurrency?: number;
  /** The classroom's highest rendition (720 or 1080). */
  maxHeight?: number;
  retries?: number;
  backoffMs?: number;
  /** Cache quota and free-disk floor in bytes: eviction runs first; what still does not fit is reported. */
  quotaBytes?: number;
  floorBytes?: number;
  onProgress?: (p: { files: number; totalFiles: number; bytes: number; totalBytes: number }) => void;
}

export interface SyncSummary {
  feeds: { id: string; outcome: 'applied' | 'unchanged' | 'failed'; revision: number | null; error?: string }[];
  downloaded: { files: number; bytes: number };
  failed: { sha256: string; resources: string[]; error: string }[];
  skipped: number;
  durationMs: number;
}

type FeedRow = { id: string; source: string; bases: string; mirrors: string };

/** Where a blob can be fetched: the feed's blob bases (relative to the feed), then its mirrors. */
function blobUrls(feed: FeedRow, sha: string): string[] {
  const bases = [...(JSON.parse(feed.bases) as string[]), ...(JSON.parse(feed.mirrors) as string[])];
  return bases.map((b) => new URL(`${sha.slice(0, 2)}/${sha}`, new URL(b.endsWith('/') ? b : `${b}/`, feed.source)).href);
}

const feedRows = (services: Services) =>
  services.db.prepare('SELECT id, source, blob_bases_json AS bases, mirrors_json AS mirrors FROM feeds').all() as FeedRow[];

export function planUrls(services: Services, feedId: string, sha: string): string[] {
  const feed = feedRows(services).find((f) => f.id === feedId);
  return feed ? blobUrls(feed, sha) : [];
}

type FileRow = {
  sha256: string;
  size: number;
  role: string;
  height: number | null;
  rid: number;
  resourceId: string;
  title: string;
  feedId: string;
  priority: number;
  present: 0 | 1;
};

/** What to fetch: one rendition per resource (plus posters etc.), urgent lessons first. */
export function planDownloads(services: Services, maxHeight = 1080): { jobs: (BlobJob & { resources: string[]; priority: number })[]; skipped: number } {
  const { db } = services;
  const rows = db
    .prepare(
      `SELECT f.sha256, f.size, f.role, f.height, r.rid, r.id AS resourceId, r.title, r.feed_id AS feedId,
         EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = f.sha256) AS present,
         CASE WHEN EXISTS (SELECT 1 FROM timetable t WHERE t.resource_id = r.id) THEN 0
              WHEN EXISTS (SELECT 1 FROM favourites v WHERE v.resource_id = r.id) THEN 1
              ELSE 2 END AS priority
       FROM resource_files f JOIN resources r ON r.rid = f.rid JOIN feeds d ON d.id = r.feed_id
       WHERE d.source LIKE 'http%'`,
    )
    .all() as FileRow[];
  const byResource = new Map<number, FileRow[]>();
  for (const row of rows) (byResource.get(row.rid) ?? byResource.set(row.rid, []).get(row.rid)!).push(row);
  const feeds = new Map(feedRows(services).map((f) => [f.id, f]));
  const jobs = new Map<string, BlobJob & { resources: string[]; priority: number }>();
  let skipped = 0;
  for (const files of byResource.values()) {
    const mains = files.filter((f) => f.role === 'main');
    const chosen = pickRendition(mains.map((f) => ({ ...f, cached: true })), maxHeight);
    for (const f of files) {
      if (f.role === 'main' && f !== chosen && chosen && f.sha256 !== chosen.sha256) {
        skipped++;
        continue;
      }
      // The cache index, as the import trusts it (verify keeps it honest): no stat per file.
      if (f.present) continue;
      const urls = blobUrls(feeds.get(f.feedId)!, f.sha256);
      const job = jobs.get(f.sha256);
      if (job) {
        job.resources.push(f.title);
        job.priority = Math.min(job.priority, f.priority);
      } else jobs.set(f.sha256, { sha256: f.sha256, size: f.size, urls, resources: [f.title], priority: f.priority });
    }
  }
  return { jobs: [...jobs.values()].sort((a, b) => a.priority - b.priority), skipped };
}

export async function syncAll(services: Services, opts: SyncOptions = {}): Promise<SyncSummary> {
  const started = performance.now();
  const summary: SyncSummary = { feeds: [], downloaded: { files: 0, bytes: 0 }, failed: [], skipped: 0, durationMs: 0 };
  const sources = services.db.prepare('SELECT id, source FROM feeds ORDER BY id').all() as { id: string; source: string }[];
  for (const f of sources.filter((s) => isHttpUrl(s.source))) {
    try {
      const r = await services.importFeed(f.source);
      summary.feeds.push({ id: f.id, outcome: r.outcome, revision: r.revision });
    } catch (err) {
      // An unreachable platform tonight: keep the catalog we have, still fetch files.
      summary.feeds.push({ id: f.id, outcome: 'failed', revision: null, error: (err as Error).message });
    }
  }

  const limited = opts.quotaBytes !== undefined || opts.floorBytes !== undefined;
  if (limited) evictCache(services.db, services.blobs, { quotaBytes: opts.quotaBytes, floorBytes: opts.floorBytes });
  const { jobs, skipped } = planDownloads(services, opts.maxHeight);
  summary.skipped = skipped;
  const bucket = opts.bucket ?? new TokenBucket(opts.rate ?? Infinity);
  const totalBytes = jobs.reduce((a, j) => a + j.size, 0);
  let bytes = 0;
  let files = 0;
  const report = () => opts.onProgress?.({ files, totalFiles: jobs.length, bytes, totalBytes });
  let next = 0;
  let reserved = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      // Space is reserved when a file starts: three downloads at once must not each see room for one.
      if (
        limited &&
        (services.blobs.totals().bytes + reserved + job.size > (opts.quotaBytes ?? Infinity) ||
          diskFree(services.blobs.root) - reserved - job.size < (opts.floorBytes ?? 0))
      ) {
        summary.failed.push({ sha256: job.sha256, resources: job.resources, error: '超出缓存配额或磁盘余量 / over the cache quota or the free-disk floor' });
        files++;
        continue;
      }
      reserved += job.size;
      try {
        const r = await downloadBlob(job, {
          blobs: services.blobs,
          bucket,
          retries: opts.retries,
          backoffMs: opts.backoffMs,
          onBytes: (n) => {
            bytes += n;
            report();
          },
        });
        summary.downloaded.files++;
        summary.downloaded.bytes += r.fetched;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw err; // a full disk stops the run
        summary.failed.push({ sha256: job.sha256, resources: job.resources, error: (err as Error).message });
      } finally {
        reserved -= job.size;
      }
      files++;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 3) }, worker));
  services.queries.invalidate();
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}
