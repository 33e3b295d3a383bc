// The composition root: every Node-side service built from one data folder, and
// the router both hosts bind to. Nothing here imports 'electron'.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isHttpUrl, pickRendition, type ImportSummary } from '../preload/contract';
import { createEventBus, type EventBus } from './api/events';
import { createRouter, type Handlers, type Router } from './api/router';
import { BlobStore } from './cache/blob-store';
import { createAnnotations } from './library/annotations';
import { createPlans } from './library/plans';
import { createTimetable } from './library/timetable';
import { otherCommits } from './library/data-version';
import { openLibrary, type Db } from './library/db';
import { importFeed, type ImportOptions, type ImportProgress } from './library/import';
import { createQueries, type LibraryQueries } from './library/queries';
import { layoutTreeCounts, searchLibrary } from './library/search';
import { warmSearchInWorker } from './library/search-warm';
import type { MediaLookup } from './media/range';
import { fetchShardsWithinCap, type CapContext } from './sync/catalog-within-cap';
import { createSyncController, type SyncController, type SyncControllerOptions } from './sync/controller';
import { createSelection, planDownloads, type Selection } from './sync/plan';
import { createLessonReadiness } from './library/lesson-ready';
import { createPresence, type Presence } from './sync/presence';

export interface ServicesOptions {
  dataDir: string;
  host: 'electron' | 'hub';
  /** Prefix the renderer loads cached files from: "cb-media://media/" or "/media/". */
  mediaBase: string;
  /** Folder holding demo-feed/ and demo-feed.pub.json. */
  assetsDir: string;
  version: string;
  locale?: string;
  log?: (msg: string) => void;
  /** Host hooks for the sync (the Electron host keeps the PC awake during a run). */
  sync?: Omit<SyncControllerOptions, 'log'>;
  /** Build the catalog's layout (search, tree counts) at start, in a worker: for long-running hosts, not one-off commands. */
  warmAtStart?: boolean;
}

export interface Services {
  readonly dataDir: string;
  readonly db: Db;
  readonly blobs: BlobStore;
  readonly queries: LibraryQueries;
  readonly router: Router;
  readonly events: EventBus;
  readonly media: MediaLookup;
  /** What is kept offline. */
  readonly selection: Selection;
  /** Settings, schedule, status and progress of the nightly sync (a host calls start()). */
  readonly sync: SyncController;
  /** Set when a corrupt library was moved aside at start. */
  readonly recoveredFrom: string | null;
  /** `cap`: a sync's rate cap; a remote feed's changed shards are fetched within it, before the import's turn. */
  importFeed(source: string, opts?: ImportOptions & { cap?: CapContext }): Promise<ImportSummary>;
  /** Whether a lesson is on any screen; a host's sync scheduler listens. */
  readonly presenting: Presence;
  /** Imports the embedded demo library when the library has no feeds yet. */
  ensureDemoLibrary(): Promise<ImportSummary | null>;
  close(): void;
}

const DemoKey = z.object({ keyId: z.string(), publicKey: z.string() });

export function createServices(opts: ServicesOptions): Services {
  const log = opts.log ?? (() => {});
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const dbFile = path.join(opts.dataDir, 'library.db');
  const { db, recoveredFrom } = openLibrary(dbFile);
  if (recoveredFrom) log(`资料库文件已损坏，已移至 ${recoveredFrom} 并新建资料库 / the library was corrupt: moved aside to ${recoveredFrom}`);
  const blobs = new BlobStore(path.join(opts.dataDir, 'cache', 'blobs'), db);
  const feedsDir = path.join(opts.dataDir, 'feeds');
  const events = createEventBus();
  // The selection is made below; its look-up is only called once requests come in.
  const queries = createQueries(db, blobs, (sha) => `${opts.mediaBase}${sha}`, (nodeId) => selection.keepsNode(nodeId));
  const annotations = createAnnotations(db);
  const plans = createPlans(db);
  // At the rendition and quota the sync applies (read when asked: the controller is made below).
  const waiting = createLessonReadiness(db, blobs, {
    rendition: () => {
      const { maxHeight, quotaBytes } = sync.settings();
      return { maxHeight, quotaBytes };
    },
    fetchWould: (ids, { maxHeight, quotaBytes }) =>
      new Set(planDownloads(db, selection, { maxHeight, quotaBytes: quotaBytes ?? undefined, only: ids }).jobs.map((j) => j.sha256)),
  });
  const timetable = createTimetable(db, queries, waiting);
  const mimeOf = db.prepare('SELECT mime FROM resource_files WHERE sha256 = ? LIMIT 1').pluck();

  // The catalog's in-memory layout (search, the tree's counts) is built in a
  // worker at start and after each change; searches and tree reads wait for it
  // rather than build it on this thread (~0.6 s + 0.16 s at 150,000 resources).
  let warming: Promise<void> = Promise.resolve();
  let warmingNow = false;
  const warmLayout = () => {
    warmingNow = true;
    warming = warmSearchInWorker(db).then(
      () => void (warmingNow = false),
      (err: Error) => {
        warmingNow = false;
        log(`search warm-up failed: ${err.message}`);
      },
    );
  };
  if (opts.warmAtStart && db.prepare('SELECT EXISTS (SELECT 1 FROM resources)').pluck().get()) warmLayout();
  // A catalog changed by another process (an admin's `feeds add` on a running
  // hub's folder) leaves the installed layout behind: rebuilt in the worker too,
  // not by the next tree read or search on this thread.
  const changedElsewhere = otherCommits(db);
  const layoutReady = () => {
    // Not a second rebuild beside one under way (the applier's own clean-up commits after an import).
    if (changedElsewhere() && !warmingNow && !layoutTreeCounts(db)) warmLayout();
    return warming;
  };

  // One import at a time: two writers reconciling the same feed would race.
  let queue: Promise<unknown> = Promise.resolve();
  const lib = { db, dbFile, blobs, feedsDir };
  const runImport = async (source: string, { cap, ...importOpts }: ImportOptions & { cap?: CapContext } = {}) => {
    const onProgress = (p: ImportProgress) => {
      importOpts.onProgress?.(p);
      events.emit('import:progress', p);
    };
    // Waiting on the cap happens outside the queue: only this sync waits.
    if (cap?.bucket.limited && isHttpUrl(source)) await fetchShardsWithinCap(lib, source, cap, { ...importOpts, onProgress });
    const next = queue.then(() => importNow(source, { ...importOpts, onProgress }));
    queue = next.catch(() => {});
    return next;
  };
  const importNow = async (source: string, importOpts: ImportOptions) => {
    const summary = await importFeed(lib, source, importOpts);
    changedElsewhere(); // its worker's commit: warmed below, not again by the next read
    queries.invalidate();
    sync.forgetQueue();
    if (summary.outcome === 'applied') warmLayout();
    events.emit('library:changed', { feedId: summary.feedId, revision: summary.revision });
    return summary;
  };

  const presenting = createPresence();
  const selection = createSelection(db);
  // Built once the services object exists (the controller runs syncs over it).
  let sync!: SyncController;

  const handlers: Handlers = {
    'app:info': () => ({
      name: 'Classboard',
      version: opts.version,
      host: opts.host,
      locale: opts.locale ?? 'zh-CN',
      dataDir: opts.host === 'electron' ? opts.dataDir : null,
      libraryRecoveredFrom: recoveredFrom,
    }),
    'library:status': () => queries.status(),
    'library:tree': async ({ parent }) => {
      await layoutReady();
      return queries.tree(parent);
    },
    'library:search': async (req) => {
      await layoutReady();
      const found = searchLibrary(db, req);
      return { ...found, results: queries.withReady(found.results) };
    },
    'library:resource': ({ id }) => queries.resource(id),
    'library:open': ({ id }) => queries.open(id),
    'library:waiting': ({ id }) => {
      queries.resource(id); // an id not in the library is refused as not-found
      return waiting([id]).get(id) ?? { waiting: [], total: 1 };
    },
    'library:favourite': ({ id, favourite }) => {
      queries.setFavourite(id, favourite);
      sync.forgetQueue();
      return { id, favourite };
    },
    'library:favourites': () => ({ items: queries.favourites() }),
    'library:recent': ({ limit }) => ({ items: queries.recent(limit ?? 20) }),
    'annotations:list': ({ target, page }) => ({ strokes: annotations.list(target, page) }),
    'annotations:add': ({ target, page, stroke }) => {
      annotations.add(target, page, stroke);
      return { saved: true as const };
    },
    'annotations:remove': ({ target, page, ids }) => ({ removed: annotations.remove(target, page, ids) }),
    'annotations:clear': ({ target, page }) => ({ removed: annotations.clear(target, page) }),
    'annotations:batch': ({ target, page, add, remove }) => annotations.batch(target, page, add, remove),
    'plans:list': () => ({ plans: plans.list() }),
    'plans:get': ({ id }) => plans.get(id),
    'plans:save': ({ id, title, items }) => ({ id: plans.save(id, title, items) }),
    'plans:delete': ({ id }) => ({ deleted: plans.remove(id) }),
    'timetable:set': ({ entries }) => {
      const saved = timetable.set(entries);
      sync.forgetQueue();
      return { saved };
    },
    'timetable:today': ({ weekday }) => timetable.today(weekday),
    'timetable:import-csv': ({ csv }) => {
      const imported = timetable.importCsv(csv);
      sync.forgetQueue();
      return imported;
    },
    'sync:presenting': ({ screen, presenting: on }) => {
      presenting.set(screen, on);
      return { presenting: presenting.current };
    },
    'sync:status': () => sync.status(),
    'sync:now': () => {
      const started = !sync.scheduler.isRunning;
      void sync.runNow();
      return { started };
    },
    // An id not in the library is refused as not-found (fetchTarget).
    'sync:fetch': ({ id }) => sync.fetchNow(id),
    'sync:fetching': () => ({ items: sync.fetching() }),
    'sync:settings': () => sync.settings(),
    'sync:configure': (patch) => sync.configure(patch),
    'sync:selection': ({ parent }) => sync.selection(parent),
    'sync:keep': ({ ids, keep }) => sync.keep(ids, keep),
  };
  const router = createRouter(handlers, { onError: (channel, err) => log(`${channel} failed: ${(err as Error).stack ?? String(err)}`) });

  const services: Services = {
    dataDir: opts.dataDir,
    db,
    blobs,
    queries,
    router,
    events,
    recoveredFrom,
    selection,
    get sync() {
      return sync;
    },
    media: {
      fileFor: (sha) => (blobs.held(sha) ? blobs.pathFor(sha) : null),
      resourceBlob(id) {
        try {
          return pickRendition(queries.resource(id).files)?.sha256 ?? null;
        } catch {
          return null;
        }
      },
      mimeFor: (sha) => (mimeOf.get(sha) as string | undefined) ?? 'application/octet-stream',
      touched: (sha) => blobs.touch(sha),
    },
    importFeed: runImport,
    presenting,
    async ensureDemoLibrary() {
      const hasFeeds = db.prepare('SELECT count(*) FROM feeds').pluck().get() as number;
      if (hasFeeds > 0) return null;
      const key = DemoKey.parse(JSON.parse(fs.readFileSync(path.join(opts.assetsDir, 'demo-feed.pub.json'), 'utf8')));
      const summary = await runImport(path.join(opts.assetsDir, 'demo-feed'), { keys: { [key.keyId]: key.publicKey } });
      log(`已导入示例资源库：${summary.resources} 个资源 / imported the demo library (${summary.resources} resources)`);
      return summary;
    },
    close() {
      presenting.close();
      sync.stop();
      db.close();
    },
  };
  sync = createSyncController(services, { ...opts.sync, log });
  return services;
}
