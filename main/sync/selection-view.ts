// The offline-selection tree as the sync page and `classboard selection` show
// it: per node, bytes at the classroom's rendition and bytes downloaded, and
// whether it is kept. Computed in the plan worker (reading every file of a
// 150,000-lesson catalog takes most of a second), sizes cached per library
// state (PRAGMA data_version changes with any other connection's commit).
import type { Res, SelectionNode } from '../../preload/contract';
import { AppError } from '../api/errors';
import type { Db } from '../library/db';
import { chooseFiles, loadParents, type Selection } from './plan';

interface Sizes {
  key: string;
  parents: ReturnType<typeof loadParents>;
  perNode: Map<string, { bytes: number; cachedBytes: number }>;
  perResource: { rid: number; nodeId: string; bytes: number }[];
}

const cache = new WeakMap<Db, Sizes>();

function sizesOf(db: Db, maxHeight: number): Sizes {
  const key = `${maxHeight}:${db.pragma('data_version', { simple: true }) as number}`;
  const known = cache.get(db);
  if (known?.key === key) return known;
  const parents = loadParents(db);
  const rows = db
    .prepare(
      `SELECT r.node_id AS nodeId, f.rid, f.role, f.height, f.size, EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = f.sha256) AS present
       FROM resource_files f JOIN resources r ON r.rid = f.rid ORDER BY f.rid`,
    )
    .all() as { nodeId: string; rid: number; role: string; height: number | null; size: number; present: 0 | 1 }[];
  // Sizes per lesson first, then each lesson's total up its ancestors: a walk per
  // node rather than per resource.
  const own = new Map<string, { bytes: number; cachedBytes: number }>();
  const perResource: Sizes['perResource'] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j < rows.length && rows[j]!.rid === rows[i]!.rid) j++;
    const { chosen } = chooseFiles(rows.slice(i, j), maxHeight);
    const bytes = chosen.reduce((a, f) => a + f.size, 0);
    const cached = chosen.reduce((a, f) => a + (f.present ? f.size : 0), 0);
    const nodeId = rows[i]!.nodeId;
    const e = own.get(nodeId) ?? own.set(nodeId, { bytes: 0, cachedBytes: 0 }).get(nodeId)!;
    e.bytes += bytes;
    e.cachedBytes += cached;
    perResource.push({ rid: rows[i]!.rid, nodeId, bytes });
    i = j;
  }
  const perNode = new Map<string, { bytes: number; cachedBytes: number }>();
  for (const [nodeId, { bytes, cachedBytes }] of own) {
    for (let n: string | null = nodeId; n !== null; n = parents.get(n)?.parent ?? null) {
      const e = perNode.get(n) ?? perNode.set(n, { bytes: 0, cachedBytes: 0 }).get(n)!;
      e.bytes += bytes;
      e.cachedBytes += cachedBytes;
    }
  }
  const sizes = { key, parents, perNode, perResource };
  cache.set(db, sizes);
  return sizes;
}

/** Lessons kept whatever the selection says, as the planner keeps them: timetabled and favourite ones (rids). */
function alwaysKept(db: Db): Set<number> {
  const rids = db
    .prepare(
      `SELECT rid FROM resources WHERE id IN (
         SELECT resource_id FROM timetable WHERE resource_id IS NOT NULL UNION SELECT resource_id FROM favourites)`,
    )
    .pluck()
    .all() as number[];
  return new Set(rids);
}

/** Bytes of every lesson the selection keeps, and of those kept regardless. */
export function keptBytes(db: Db, selection: Selection, maxHeight: number, always = alwaysKept(db)): number {
  const { parents, perResource } = sizesOf(db, maxHeight);
  const keeps = selection.resolver(parents);
  return perResource.reduce((a, r) => a + (keeps(r.nodeId) || always.has(r.rid) ? r.bytes : 0), 0);
}

export function selectionView(db: Db, selection: Selection, parent: string | null, maxHeight: number): Res<'sync:selection'> {
  const { parents, perNode, perResource } = sizesOf(db, maxHeight);
  if (parent !== null && !parents.has(parent)) throw new AppError('not-found', `没有这个目录节点 / no such node: ${parent}`);
  const marks = selection.marks();
  const keeps = selection.resolver(parents, marks);
  // A node is "some" when a decision inside it differs from its own.
  const mixed = new Set<string>();
  for (const [id, keep] of marks) {
    for (let p = parents.get(id)?.parent ?? null; p !== null; p = parents.get(p)?.parent ?? null) if (keeps(p) !== keep) mixed.add(p);
  }
  const children = db
    .prepare(
      `SELECT n.id, n.title, n.kind, (SELECT count(*) FROM nodes c WHERE c.parent = n.id) AS childCount
       FROM nodes n WHERE n.parent IS ? ORDER BY n.ord, n.title`,
    )
    .all(parent) as { id: string; title: string; kind: SelectionNode['kind']; childCount: number }[];
  const trail: { id: string; title: string }[] = [];
  for (let n = parent; n !== null; n = parents.get(n)?.parent ?? null) trail.unshift({ id: n, title: parents.get(n)!.title });
  const total = [...parents.entries()].filter(([, v]) => v.parent === null).reduce((a, [id]) => a + (perNode.get(id)?.bytes ?? 0), 0);
  // What the timetable and favourites keep under each node (a few lessons, walked up).
  const always = alwaysKept(db);
  const alwaysUnder = new Map<string, number>();
  for (const r of perResource) {
    if (!always.has(r.rid)) continue;
    for (let n: string | null = r.nodeId; n !== null; n = parents.get(n)?.parent ?? null) alwaysUnder.set(n, (alwaysUnder.get(n) ?? 0) + r.bytes);
  }
  return {
    everything: selection.everything(),
    trail,
    nodes: children.map((c) => ({
      ...c,
      bytes: perNode.get(c.id)?.bytes ?? 0,
      cachedBytes: perNode.get(c.id)?.cachedBytes ?? 0,
      keep: mixed.has(c.id) ? 'some' : keeps(c.id) ? 'all' : 'none',
      alwaysBytes: alwaysUnder.get(c.id) ?? 0,
    })),
    keptBytes: keptBytes(db, selection, maxHeight, always),
    totalBytes: total,
  };
}
