// Read side of the library for the teaching UI: the textbook tree, one resource
// with its files, favourites, recent, and status. Statements are prepared once.
import type { LibraryStatus, Res, Resource, ResourceSummary, TreeNode } from '../../preload/contract';
import { AppError } from '../api/errors';
import type { BlobStore } from '../cache/blob-store';
import { otherCommits } from './data-version';
import type { Db } from './db';
import { layoutTreeCounts, type TreeCounts } from './search';

type NodeRow = { id: string; parent: string | null; kind: TreeNode['kind']; title: string; ord: number };
type ResRow = {
  rid: number;
  id: string;
  feed_id: string;
  node_id: string;
  type: Resource['type'];
  title: string;
  revision: number;
  duration: number | null;
  syncable?: 0 | 1;
  node_kind?: Resource['nodeKind'] | null;
};

export interface LibraryQueries {
  tree(parent: string | null): Res<'library:tree'>;
  resource(id: string): Resource;
  summaries(ids: string[]): ResourceSummary[];
  /** Search hits, each marked whether it opens at once. */
  withReady<T extends { id: string }>(hits: T[]): (T & { ready: boolean })[];
  pathTitles(nodeId: string): string[];
  open(id: string): Resource;
  setFavourite(id: string, favourite: boolean): void;
  favourites(): ResourceSummary[];
  recent(limit: number): ResourceSummary[];
  status(): LibraryStatus;
  /** Call after the catalog changed: drops cached counts. */
  invalidate(): void;
}

/** `keptBySelection`: whether the offline selection keeps a node (Selection.keepsNode). */
export function createQueries(
  db: Db,
  blobs: BlobStore,
  mediaUrl: (sha256: string) => string,
  keptBySelection: (nodeId: string) => boolean,
): LibraryQueries {
  const st = {
    node: db.prepare('SELECT id, parent, kind, title, ord FROM nodes WHERE id = ?'),
    children: db.prepare('SELECT id, parent, kind, title, ord FROM nodes WHERE parent IS ? ORDER BY ord, title'),
    roots: db.prepare('SELECT id, parent, kind, title, ord FROM nodes WHERE parent IS NULL ORDER BY ord, feed_id, title'),
    nodeResources: db.prepare(`SELECT r.rid, r.id, r.feed_id, r.node_id, r.type, r.title, r.revision, r.duration FROM resources r WHERE r.node_id = ? ORDER BY r.ord`),
    resource: db.prepare(
      `SELECT r.rid, r.id, r.feed_id, r.node_id, r.type, r.title, r.revision, r.duration, f.source LIKE 'http%' AS syncable,
              (SELECT kind FROM nodes WHERE id = r.node_id) AS node_kind
       FROM resources r JOIN feeds f ON f.id = r.feed_id WHERE r.id = ?`,
    ),
    // What can be shown: a main file whose bytes are in the cache folder (the same test as the media route's),
    // asked of the disk only for files the cache lists, so 200 search hits not downloaded cost no file look-ups.
    mainFiles: db.prepare("SELECT f.sha256 FROM resource_files f JOIN blobs b ON b.sha256 = f.sha256 WHERE f.rid = ? AND f.role = 'main'").pluck(),
    mainFilesOf: db.prepare(
      "SELECT f.sha256 FROM resources r JOIN resource_files f ON f.rid = r.rid AND f.role = 'main' JOIN blobs b ON b.sha256 = f.sha256 WHERE r.id = ?",
    ).pluck(),
    timetabled: db.prepare('SELECT 1 FROM timetable WHERE resource_id = ? LIMIT 1').pluck(),
    files: db.prepare('SELECT role, sha256, size, mime, height FROM resource_files WHERE rid = ? ORDER BY idx'),
    ancestors: db.prepare(
      `WITH RECURSIVE up(id, parent, title, depth) AS (
         SELECT id, parent, title, 0 FROM nodes WHERE id = ?
         UNION ALL SELECT n.id, n.parent, n.title, up.depth + 1 FROM nodes n JOIN up ON n.id = up.parent)
       SELECT id, title FROM up ORDER BY depth DESC`,
    ),
    isFavourite: db.prepare('SELECT 1 FROM favourites WHERE resource_id = ?').pluck(),
    addFavourite: db.prepare('INSERT OR IGNORE INTO favourites(resource_id, created_at) VALUES (?, ?)'),
    removeFavourite: db.prepare('DELETE FROM favourites WHERE resource_id = ?'),
    // CROSS JOIN keeps the teacher's short list as the outer loop: left to
    // itself, SQLite scanned all 150,000 resources for it (10-40 ms a call).
    favourites: db.prepare(
      `SELECT r.rid, r.id, r.feed_id, r.node_id, r.type, r.title, r.revision, r.duration
       FROM favourites f CROSS JOIN resources r ON r.id = f.resource_id ORDER BY f.created_at DESC`,
    ),
    touchRecent: db.prepare(
      'INSERT INTO recent(resource_id, opened_at) VALUES (?, ?) ON CONFLICT(resource_id) DO UPDATE SET opened_at = excluded.opened_at',
    ),
    recent: db.prepare(
      `SELECT r.rid, r.id, r.feed_id, r.node_id, r.type, r.title, r.revision, r.duration
       FROM recent x CROSS JOIN resources r ON r.id = x.resource_id ORDER BY x.opened_at DESC LIMIT ?`,
    ),
    usage: db.prepare('INSERT INTO usage_events(at, kind, resource_id, detail) VALUES (?, ?, ?, ?)'),
    feeds: db.prepare(
      `SELECT id, title, source, revision, published, unsigned, resource_count AS resources, node_count AS nodes
       FROM feeds ORDER BY id`,
    ),
    allNodes: db.prepare('SELECT id, parent FROM nodes'),
    perNode: db.prepare('SELECT node_id, count(*) AS n FROM resources GROUP BY node_id'),
    childCounts: db.prepare('SELECT parent, count(*) AS n FROM nodes WHERE parent IS NOT NULL GROUP BY parent'),
  };

  // Counts for the whole tree: from the search layout (built in a worker after
  // each change), else computed here in one pass; kept until the catalog changes,
  // here (invalidate) or by another connection (an admin's `feeds add` on a running hub).
  let counts: TreeCounts | null = null;
  const changedElsewhere = otherCommits(db);
  const getCounts = (): TreeCounts => {
    if (counts) return counts;
    const fromLayout = layoutTreeCounts(db);
    if (fromLayout) return (counts = fromLayout);
    const parentOf = new Map((st.allNodes.all() as { id: string; parent: string | null }[]).map((n) => [n.id, n.parent]));
    const resources = new Map<string, number>();
    for (const { node_id, n } of st.perNode.all() as { node_id: string; n: number }[]) {
      let cur: string | null | undefined = node_id;
      for (let guard = 0; cur && guard < 64; guard++) {
        resources.set(cur, (resources.get(cur) ?? 0) + n);
        cur = parentOf.get(cur);
      }
    }
    const children = new Map((st.childCounts.all() as { parent: string; n: number }[]).map((r) => [r.parent, r.n]));
    counts = { children: (id) => children.get(id) ?? 0, resources: (id) => resources.get(id) ?? 0 };
    return counts;
  };

  const toTreeNode = (n: NodeRow): TreeNode => {
    const c = getCounts();
    return {
      id: n.id,
      parent: n.parent,
      kind: n.kind,
      title: n.title,
      order: n.ord,
      childCount: c.children(n.id),
      resourceCount: c.resources(n.id),
    };
  };

  const pathTitles = (nodeId: string) => (st.ancestors.all(nodeId) as { title: string }[]).map((r) => r.title);
  const ready = (shas: string[]) => shas.some((sha) => blobs.has(sha));
  const summary = (r: ResRow): ResourceSummary => ({ id: r.id, title: r.title, type: r.type, path: pathTitles(r.node_id), ready: ready(st.mainFiles.all(r.rid) as string[]) });

  const resource = (id: string): Resource => {
    const r = st.resource.get(id) as ResRow | undefined;
    if (!r) throw new AppError('not-found', `找不到资源 ${id} / no such resource`);
    const files = (st.files.all(r.rid) as { role: string; sha256: string; size: number; mime: string; height: number | null }[]).map((f) => {
      const cached = blobs.has(f.sha256);
      return { ...f, cached, url: cached ? mediaUrl(f.sha256) : null };
    });
    const favourite = st.isFavourite.get(r.id) === 1;
    return {
      id: r.id,
      title: r.title,
      type: r.type,
      path: pathTitles(r.node_id),
      // From the files just looked up, not a second query (this is on the path from a tap to the first frame).
      ready: files.some((f) => f.role === 'main' && f.cached),
      feedId: r.feed_id,
      nodeId: r.node_id,
      // A resource on a node the catalog lacks (refused at apply; defensive) reads as a lesson's.
      nodeKind: r.node_kind ?? 'lesson',
      revision: r.revision,
      duration: r.duration,
      favourite,
      files,
      syncable: r.syncable === 1,
      // As the planner decides (main/sync/plan.ts): selected, timetabled or a favourite.
      kept: favourite || st.timetabled.get(r.id) === 1 || keptBySelection(r.node_id),
    };
  };

  return {
    tree(parent) {
      if (changedElsewhere()) counts = null;
      if (parent === null) return { trail: [], nodes: (st.roots.all() as NodeRow[]).map(toTreeNode), resources: [] };
      const node = st.node.get(parent) as NodeRow | undefined;
      if (!node) throw new AppError('not-found', `找不到目录 ${parent} / no such node`);
      const trail = (st.ancestors.all(parent) as { id: string }[]).map((a) => toTreeNode(st.node.get(a.id) as NodeRow));
      return {
        trail,
        nodes: (st.children.all(parent) as NodeRow[]).map((n) => {
          const node = toTreeNode(n);
          if (n.kind !== 'lesson') return node;
          // A unit's lesson rows say which lessons would not open at once, before one is tapped.
          const rows = st.nodeResources.all(n.id) as ResRow[];
          return { ...node, notReady: rows.filter((r) => !ready(st.mainFiles.all(r.rid) as string[])).length };
        }),
        resources: (st.nodeResources.all(parent) as ResRow[]).map(summary),
      };
    },
    resource,
    summaries(ids) {
      return ids.map((id) => st.resource.get(id) as ResRow | undefined).filter((r): r is ResRow => !!r).map(summary);
    },
    withReady: (hits) => hits.map((h) => ({ ...h, ready: ready(st.mainFilesOf.all(h.id) as string[]) })),
    pathTitles,
    open(id) {
      const r = resource(id);
      const now = Date.now();
      st.touchRecent.run(id, now);
      st.usage.run(now, 'open', id, null);
      for (const f of r.files) if (f.cached) blobs.touch(f.sha256);
      return r;
    },
    setFavourite(id, favourite) {
      if (!st.resource.get(id)) throw new AppError('not-found', `找不到资源 ${id} / no such resource`);
      if (favourite) st.addFavourite.run(id, Date.now());
      else st.removeFavourite.run(id);
    },
    favourites: () => (st.favourites.all() as ResRow[]).map(summary),
    recent: (limit) => (st.recent.all(limit) as ResRow[]).map(summary),
    status() {
      const feeds = (st.feeds.all() as { id: string; title: string; source: string; revision: number; published: string | null; unsigned: number; resources: number; nodes: number }[]).map(
        (f) => ({ ...f, unsigned: f.unsigned === 1 }),
      );
      const t = blobs.totals();
      return {
        feeds,
        resources: feeds.reduce((a, f) => a + f.resources, 0),
        nodes: feeds.reduce((a, f) => a + f.nodes, 0),
        cachedBlobs: t.blobs,
        cachedBytes: t.bytes,
      };
    },
    invalidate() {
      counts = null;
    },
  };
}
