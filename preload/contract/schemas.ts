// Domain shapes shared by every channel. Types are inferred from these schemas,
// never written twice by hand.
import { z } from 'zod';

/** A feed-scoped id: "<feedId>/<localId>". */
export const GlobalId = z.string().min(3).max(1100).regex(/^[a-z0-9.-]{1,64}\/.+$/, 'expected "<feed>/<id>"');

export const NodeKind = z.enum(['stage', 'grade', 'subject', 'edition', 'volume', 'unit', 'lesson']);
export type NodeKind = z.infer<typeof NodeKind>;

export const ResourceType = z.enum(['video', 'audio', 'pdf', 'image', 'document', 'exercise']);
export type ResourceType = z.infer<typeof ResourceType>;

export const TreeNode = z.object({
  id: GlobalId,
  parent: GlobalId.nullable(),
  kind: NodeKind,
  title: z.string(),
  order: z.number(),
  /** Child nodes (0 for a lesson). */
  childCount: z.number().int(),
  /** Resources under this node, all depths. */
  resourceCount: z.number().int(),
  /** A lesson's resources that are not on this PC (its row says 未下载); absent for other kinds. */
  notReady: z.number().int().optional(),
});
export type TreeNode = z.infer<typeof TreeNode>;

export const ResourceSummary = z.object({
  id: GlobalId,
  title: z.string(),
  type: ResourceType,
  /** Titles of the nodes from the stage down to the lesson. */
  path: z.array(z.string()),
  /** A main file is in the cache: it opens at once (lists mark the rest 未下载). */
  ready: z.boolean(),
});
export type ResourceSummary = z.infer<typeof ResourceSummary>;

export const FileRole = z.enum(['main', 'poster', 'subtitle', 'attachment']);

export const ResourceFile = z.object({
  role: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  mime: z.string(),
  height: z.number().int().positive().nullable(),
  /** True when the verified bytes are in the local cache. */
  cached: z.boolean(),
  /** Where the renderer loads it from (media scheme or hub route); null if not cached. */
  url: z.string().nullable(),
});
export type ResourceFile = z.infer<typeof ResourceFile>;

export const Resource = ResourceSummary.extend({
  feedId: z.string(),
  nodeId: GlobalId,
  /** What its node is: a lesson, or (the protocol allows it) a unit or a volume holding material for all of it. */
  nodeKind: NodeKind,
  revision: z.number().int(),
  duration: z.number().nullable(),
  favourite: z.boolean(),
  files: z.array(ResourceFile),
  /** Its feed is subscribed over http(s): a missing file comes with the night's sync; else only its folder has it. */
  syncable: z.boolean(),
  /** The night's sync fetches it: the offline selection keeps it, or it is timetabled or a favourite. */
  kept: z.boolean(),
});
export type Resource = z.infer<typeof Resource>;

export const FeedStatus = z.object({
  id: z.string(),
  title: z.string(),
  source: z.string(),
  revision: z.number().int(),
  published: z.string().nullable(),
  unsigned: z.boolean(),
  resources: z.number().int(),
  nodes: z.number().int(),
});
export type FeedStatus = z.infer<typeof FeedStatus>;

export const LibraryStatus = z.object({
  feeds: z.array(FeedStatus),
  resources: z.number().int(),
  nodes: z.number().int(),
  cachedBlobs: z.number().int(),
  cachedBytes: z.number().int(),
});
export type LibraryStatus = z.infer<typeof LibraryStatus>;

export const ImportSummary = z.object({
  feedId: z.string(),
  title: z.string(),
  revision: z.number().int(),
  /** "applied", or "unchanged" when this revision was already in the library. */
  outcome: z.enum(['applied', 'unchanged']),
  resources: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  blobs: z.object({
    copied: z.number().int(),
    present: z.number().int(),
    /** Not in this source (to be synced from a mirror later). */
    missing: z.number().int(),
    /** Present in the source but failing their size or hash check: skipped. */
    rejected: z.number().int(),
    bytes: z.number().int(),
    /** The lessons (titles) those rejected files belong to: the copy on the stick is incomplete, to copy again at its source. */
    incomplete: z.array(z.string()).optional(),
  }),
  /**
   * A teacher's export of lessons from feeds subscribed already: their files went
   * into the cache (`blobs`), no lessons were added. `ignored`: files on the stick
   * the subscribed catalogs do not list; `noRoom`: over the cache quota or the floor.
   */
  fromExport: z
    .object({
      exportId: z.string(),
      feeds: z.array(z.object({ id: z.string(), title: z.string() })),
      ignored: z.number().int(),
      noRoom: z.number().int(),
      /** This export was imported here before as a feed of its own (a second copy of these lessons): its id, to remove. */
      earlierFeed: z.string().optional(),
    })
    .optional(),
  /**
   * Teachers' sticks imported here as feeds of their own before this feed was
   * subscribed: their copies of its lessons are now its own (shown once, their
   * files counted, favourites, timetable, plans and ink moved over). `kept`: its
   * copies of this feed's resources whose files this feed does not list (revised
   * since the export), still in the stick's feed, which plays them. `left`: the
   * stick's resources this feed does not hold, still in its feed (both 0: it is gone).
   */
  folded: z
    .array(
      z.object({
        exportId: z.string(),
        into: z.object({ id: z.string(), title: z.string() }),
        resources: z.number().int(),
        kept: z.number().int(),
        left: z.number().int(),
      }),
    )
    .optional(),
  durationMs: z.number(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;
