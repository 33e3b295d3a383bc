// The offline-selection tree as the sync page and `classboard selection` show
// it: per node, bytes at the classroom's rendition and bytes downloaded, and
// whether it is kept. Computed in the plan worker (reading every file of a
// 150,000-lesson catalog takes most of a second), sizes cached per library
// state (PRAGMA data_version changes with any other connection's commit).
//
// Every figure counts a file (a sha256) once within what it sums: a grade's one
// worksheet hung on its 72 lessons is 83 KB there, not 6 MB, so the tree, the
// kept total, the queue (planned per file) and the disk agree.
import type { Res, SelectionNode } from '../../preload/contract';
import { AppError } from '../api/errors';
import type { Db } from '../library/db';
import { chooseFiles, loadParents, type Selection } from './plan';

type Parents = ReturnType<typeof loadParents>;
type Use = { rid: number; nodeId: string };

interface Sizes {
  key: string;
  parents: Parents;
  perNode: Map<string, { bytes: number; cachedBytes: number }>;
  /** Per resource, the bytes of the files no other resource chooses (most files). */
  perResource: { rid: number; nodeId: string; bytes: number }[];
  /** Files several resources choose, with those resources: counted once wherever they are summed. */
  shared: { size: number; present: boolean; uses: Use[] }[];
  /** Every file any resource chooses, once. */
  total: number;
}

const cache = new WeakMap<Db, Sizes>();

/** Adds a shared file to each node above any of its uses, once per node (the walks stop where another use's walk passed). */
function addUp(parents: Parents, nodeIds: Iterable<string>, add: (node: string) => void) {
  const seen = new Set<string>();
  for (const from of nodeIds) {
    for (let n: string | null = from; n !== null && !seen.has(n); n = parents.get(n)?.parent ?? null) {
      seen.add(n);
      add(n);
    }
  }
}

function sizesOf(db: Db, maxHeight: number): Sizes {
  const key = `${maxHeight}:${db.pragma('data_version', { simple: true }) as number}`;
  const known = cache.get(db);
  if (known?.key === key) return known;
  // One read, so that the files listed more than once are those of these rows.
  // Rows as arrays and the lessons apart from their files: building 450,000 row
  // objects, each with its lesson's id, was most of the time.
  const [parents, resources, rows, listedTwice] = db.transaction(() => [
    loadParents(db),
    db.prepare('SELECT rid, node_id FROM resources ORDER BY rid').raw().all() as [number, string][],
    db
      .prepare(`SELECT rid, sha256, role, height, size, EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = f.sha256) FROM resource_files f ORDER BY rid`)
      .raw()
      .all() as [number, string, string, number | null, number, 0 | 1][],
    // Files listed more than once (a worksheet on each of a grade's lessons), from the
    // sha256 index: only these go through a map (most files are one lesson's).
    new Set(db.prepare('SELECT sha256 FROM resource_files GROUP BY sha256 HAVING count(*) > 1').pluck().all() as string[]),
  ] as const)();
  const files = new Map<string, { size: number; present: boolean; uses: Sizes['perResource'] }>();
  // Sizes per lesson first, then each lesson's total up its ancestors: a walk per
  // node rather than per resource.
  const own = new Map<string, { bytes: number; cachedBytes: number }>();
  const perResource: Sizes['perResource'] = [];
  let total = 0;
  let k = 0;
  let r = { rid: 0, nodeId: '', bytes: 0 };
  let cachedBytes = 0;
  const add = (sha256: string, size: number, present: 0 | 1) => {
    if (!listedTwice.has(sha256)) {
      r.bytes += size;
      if (present) cachedBytes += size;
      return;
    }
    const e = files.get(sha256);
    if (!e) files.set(sha256, { size, present: present === 1, uses: [r] });
    else if (e.uses.at(-1) !== r) e.uses.push(r);
  };
  for (const [rid, nodeId] of resources) {
    while (k < rows.length && rows[k]![0] < rid) k++;
    const from = k;
    while (k < rows.length && rows[k]![0] === rid) k++;
    r = { rid, nodeId, bytes: 0 };
    cachedBytes = 0;
    perResource.push(r);
    // One file (most lessons' resources) is its own choice.
    if (k - from === 1) add(rows[from]![1], rows[from]![4], rows[from]![5]);
    else if (k > from) {
      const group = rows.slice(from, k).map(([, sha256, role, height, size, present]) => ({ sha256, role, height, size, present }));
      for (const f of chooseFiles(group, maxHeight).chosen) add(f.sha256, f.size, f.present);
    }
    const node = own.get(nodeId) ?? own.set(nodeId, { bytes: 0, cachedBytes: 0 }).get(nodeId)!;
    node.bytes += r.bytes;
    node.cachedBytes += cachedBytes;
    total += r.bytes;
  }
  // Chosen by one resource after all (another lists it at a rendition it does not take): that resource's alone.
  const shared: Sizes['shared'] = [];
  for (const f of files.values()) {
    total += f.size;
    if (f.uses.length > 1) {
      shared.push(f);
      continue;
    }
    const only = f.uses[0]!;
    only.bytes += f.size;
    const e = own.get(only.nodeId)!;
    e.bytes += f.size;
    if (f.present) e.cachedBytes += f.size;
  }
  const perNode = new Map<string, { bytes: number; cachedBytes: number }>();
  const at = (n: string) => perNode.get(n) ?? perNode.set(n, { bytes: 0, cachedBytes: 0 }).get(n)!;
  for (const [nodeId, { bytes, cachedBytes }] of own) {
    for (let n: string | null = nodeId; n !== null; n = parents.get(n)?.parent ?? null) {
      const e = at(n);
      e.bytes += bytes;
      e.cachedBytes += cachedBytes;
    }
  }
  for (const f of shared) {
    addUp(
      parents,
      f.uses.map((u) => u.nodeId),
      (n) => {
        const e = at(n);
        e.bytes += f.size;
        if (f.present) e.cachedBytes += f.size;
      },
    );
  }
  const sizes = { key, parents, perNode, perResource, shared, total };
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

/** Bytes of every file the selection keeps, and those kept regardless, each file once. */
export function keptBytes(db: Db, selection: Selection, maxHeight: number, always = alwaysKept(db)): number {
  const { parents, perResource, shared } = sizesOf(db, maxHeight);
  const keeps = selection.resolver(parents);
  const kept = (u: Use) => keeps(u.nodeId) || always.has(u.rid);
  let bytes = 0;
  for (const r of perResource) if (kept(r)) bytes += r.bytes;
  for (const f of shared) if (f.uses.some(kept)) bytes += f.size;
  return bytes;
}

export function selectionView(db: Db, selection: Selection, parent: string | null, maxHeight: number): Res<'sync:selection'> {
  const { parents, perNode, perResource, shared, total } = sizesOf(db, maxHeight);
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
  // What the timetable and favourites keep under each node (a few lessons, walked up).
  const always = alwaysKept(db);
  const alwaysUnder = new Map<string, number>();
  const add = (n: string, bytes: number) => alwaysUnder.set(n, (alwaysUnder.get(n) ?? 0) + bytes);
  for (const r of perResource) {
    if (!always.has(r.rid)) continue;
    for (let n: string | null = r.nodeId; n !== null; n = parents.get(n)?.parent ?? null) add(n, r.bytes);
  }
  if (always.size > 0) {
    for (const f of shared) {
      const nodes = f.uses.filter((u) => always.has(u.rid)).map((u) => u.nodeId);
      if (nodes.length > 0) addUp(parents, nodes, (n) => add(n, f.size));
    }
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
