// A teacher's USB stick imported as a feed of its own (`classboard export`, feed id
// classboard.export.<hash>) before the classroom subscribed to the feed its lessons
// come from. export.ts writes each lesson under its origin's global id, so the
// stick's copy of `cn.x/l-1` is `classboard.export.<hash>/cn.x/l-1` here: once
// `cn.x/l-1` is in the library, the stick's copy is folded into it, as a stick
// brought after the subscription is (fillFromExport): shown once, its files (the
// same bytes, by hash) counted for the subscribed lesson, the teacher's
// favourites, timetable, plans and ink moved over. What the subscribed feed does
// not hold stays in the stick's feed, and so does a copy whose files the
// subscribed lesson does not list (the platform revised it since the export):
// folded, it would show 未下载 and its files, listed by no one, would be the
// next sync's orphans, deleted before the new ones come.
import fs from 'node:fs';
import path from 'node:path';
import { EXPORT_PREFIX } from '../sync/export';
import { createSelection } from '../sync/plan';
import type { Db } from './db';
import { updateSearchIndex } from './search';

export interface FoldedExport {
  exportId: string;
  into: { id: string; title: string };
  /** The stick's resources now shown (and kept) as the subscribed feed's. */
  resources: number;
  /** The stick's copies of this feed's resources in another version (a file it does not list): they stay in the stick's feed, which plays them. */
  kept: number;
  /** The stick's resources the subscribed feed does not hold: they stay in its feed (0 with no kept: the feed is gone). */
  left: number;
}

type Pair = { rid: number; from: string; exportId: string; fromNode: string; to: string; into: string; toNode: string; same: 0 | 1 };

/**
 * The one rule for taking a stick's file as a subscribed catalog's: the catalog lists
 * its SHA-256 (and the catalog's size is taken). `sha256`: an SQL expression;
 * `scope`: a condition on the catalog's resources `r`. fillFromExport (a stick
 * after the subscription) and foldExports (a stick before it) both go by it.
 */
export const listedFile = (sha256: string, scope: string): string =>
  `SELECT f.sha256, f.size FROM resource_files f JOIN resources r ON r.rid = f.rid WHERE f.sha256 = ${sha256} AND ${scope}`;

/** Each stick's copy `e` of a subscribed resource `s`; `same`: `s` lists every file of `e`. */
const PAIRS = `SELECT e.rid, e.id AS "from", e.feed_id AS exportId, e.node_id AS fromNode, s.id AS "to", s.feed_id AS "into", s.node_id AS toNode,
    NOT EXISTS (SELECT 1 FROM resource_files ef WHERE ef.rid = e.rid AND NOT EXISTS (${listedFile('ef.sha256', 'r.rid = s.rid')})) AS same
  FROM resources e JOIN resources s ON s.id = substr(e.id, length(e.feed_id) + 2)
  WHERE e.feed_id >= ? AND e.feed_id < ? AND NOT (s.feed_id >= ? AND s.feed_id < ?)`;

/** Every export feed id sorts between these two: '/' follows '.'. */
const EXPORTS = [EXPORT_PREFIX, `${EXPORT_PREFIX.slice(0, -1)}/`] as const;

/**
 * Folds every export feed's lessons that another (non-export) feed of the library
 * holds under the same id, with the same files, into that feed. One short write
 * transaction; a library without export feeds pays one index range look-up, and
 * no write lock.
 * `imported`: the feeds the import just brought; a stick's copies kept for their
 * other version are said, when none of theirs folded, only with an import of
 * their stick or their feed (not after each import of anything).
 */
export function foldExports(db: Db, feedsDir: string, imported: string[] = []): FoldedExport[] {
  if (!db.prepare('SELECT 1 FROM feeds WHERE id >= ? AND id < ? LIMIT 1').pluck().get(...EXPORTS)) return [];
  const emptied: string[] = [];
  const folded = db.transaction(() => {
    // Read in the write transaction: rids read before it could be another feed's rows by the time they are deleted.
    const all = db.prepare(PAIRS).all(...EXPORTS, ...EXPORTS) as Pair[];
    if (all.length === 0) return [];
    const pairs = all.filter((p) => p.same);
    repointTeacherData(db, pairs);
    keepWhatWasKept(db, pairs);
    const out: FoldedExport[] = [];
    for (const [exportId, ps] of groupBy(all, (p) => p.exportId)) {
      const fold = ps.filter((p) => p.same);
      const remaining = fold.length > 0 ? dropFromExport(db, exportId, fold) : (db.prepare('SELECT count(*) FROM resources WHERE feed_id = ?').pluck().get(exportId) as number);
      if (remaining === 0) emptied.push(exportId);
      const left = remaining - (ps.length - fold.length);
      for (const [into, qs] of groupBy(ps, (p) => p.into)) {
        const resources = qs.filter((p) => p.same).length;
        if (resources === 0 && !imported.includes(into) && !imported.includes(exportId)) continue;
        const title = db.prepare('SELECT title FROM feeds WHERE id = ?').pluck().get(into) as string;
        out.push({ exportId, into: { id: into, title }, resources, kept: qs.length - resources, left });
      }
    }
    return out;
  }).immediate();
  // Its kept feed.json too, as `feeds remove` does (an id the library held, so a plain folder name).
  for (const id of emptied) fs.rmSync(path.join(feedsDir, id), { recursive: true, force: true });
  return folded;
}

/** Map.groupBy, which Node 20 lacks. */
function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

/** Favourites, recent, plans, ink, the timetable and usage move from the stick's ids to the subscribed ones. */
function repointTeacherData(db: Db, pairs: Pair[]): void {
  const st = {
    favourite: db.prepare('UPDATE OR IGNORE favourites SET resource_id = @to WHERE resource_id = @from'),
    recent: db.prepare('UPDATE OR IGNORE recent SET resource_id = @to WHERE resource_id = @from'),
    // Marked on both copies: the subscribed one's row stays.
    dropFavourite: db.prepare('DELETE FROM favourites WHERE resource_id = @from'),
    dropRecent: db.prepare('DELETE FROM recent WHERE resource_id = @from'),
    plans: db.prepare("UPDATE lesson_plan_items SET resource_id = @to WHERE kind = 'resource' AND resource_id = @from"),
    timetable: db.prepare('UPDATE timetable SET resource_id = @to WHERE resource_id = @from'),
    usage: db.prepare('UPDATE usage_events SET resource_id = @to WHERE resource_id = @from'),
    inkPages: db.prepare('SELECT page, max(seq) AS top FROM annotations WHERE target = @to GROUP BY page'),
    // Ink on a page both copies have is drawn after the subscribed copy's.
    inkAfter: db.prepare('UPDATE annotations SET target = @to, seq = seq + @top WHERE target = @from AND page = @page'),
    ink: db.prepare('UPDATE annotations SET target = @to WHERE target = @from'),
  };
  for (const { from, to } of pairs) {
    const ids = { from, to };
    st.favourite.run(ids);
    st.dropFavourite.run(ids);
    st.recent.run(ids);
    st.dropRecent.run(ids);
    st.plans.run(ids);
    st.timetable.run(ids);
    st.usage.run(ids);
    for (const { page, top } of st.inkPages.all(ids) as { page: string; top: number }[]) st.inkAfter.run({ ...ids, page, top });
    st.ink.run(ids);
  }
}

/**
 * A lesson the selection kept offline on the stick's tree stays kept as the
 * subscribed feed's (marked on its lesson, not on the stick's 小学: that would
 * keep all of the platform's 小学, not the few lessons the stick brought).
 */
function keepWhatWasKept(db: Db, pairs: Pair[]): void {
  const selection = createSelection(db);
  const wanted = new Set(pairs.filter((p) => selection.keepsNode(p.fromNode)).map((p) => p.toNode));
  const mark = db.prepare('INSERT OR REPLACE INTO offline_selection(node_id, keep) VALUES (?, 1)');
  for (const node of [...wanted].filter((n) => !selection.keepsNode(n))) mark.run(node);
}

/**
 * Deletes the folded resources from the export feed, with the branches of its
 * tree left without a lesson, and their search entries; the feed itself when
 * nothing is left. Returns how many of its resources are left.
 */
function dropFromExport(db: Db, exportId: string, pairs: Pair[]): number {
  const rids = pairs.map((p) => p.rid);
  const drop = db.prepare('DELETE FROM resources WHERE rid = ?');
  for (const rid of rids) drop.run(rid);
  const left = db.prepare('SELECT count(*) FROM resources WHERE feed_id = ?').pluck().get(exportId) as number;
  if (left === 0) {
    // Cascades to its catalog rows; a trigger drops its search entries; a timetable row naming one of its nodes points at the subscribed one.
    repointNodes(db, exportId, db.prepare('SELECT id FROM nodes WHERE feed_id = ?').pluck().all(exportId) as string[]);
    db.prepare('DELETE FROM feeds WHERE id = ?').run(exportId);
    return 0;
  }
  const nodes = db.prepare('SELECT id, parent FROM nodes WHERE feed_id = ?').all(exportId) as { id: string; parent: string | null }[];
  const parentOf = new Map(nodes.map((n) => [n.id, n.parent]));
  const used = new Set<string>();
  for (const start of db.prepare('SELECT DISTINCT node_id FROM resources WHERE feed_id = ?').pluck().all(exportId) as string[]) {
    for (let n: string | null | undefined = start; n && !used.has(n); n = parentOf.get(n)) used.add(n);
  }
  const bare = nodes.map((n) => n.id).filter((id) => !used.has(id));
  repointNodes(db, exportId, bare);
  const dropNode = db.prepare('DELETE FROM nodes WHERE id = ?');
  for (const id of bare) dropNode.run(id);
  db.prepare('UPDATE feeds SET resource_count = ?, node_count = ? WHERE id = ?').run(left, nodes.length - bare.length, exportId);
  updateSearchIndex(db, { feedId: exportId, resourceRids: [], deletedRids: rids, nodeIds: bare });
  return left;
}

/** Timetable rows and selection marks on the stick's nodes that go away move to the subscribed feed's node of the same id, where there is one. */
function repointNodes(db: Db, exportId: string, ids: string[]): void {
  const exists = db.prepare('SELECT 1 FROM nodes WHERE id = ?').pluck();
  const timetable = db.prepare('UPDATE timetable SET node_id = ? WHERE node_id = ?');
  const dropMark = db.prepare('DELETE FROM offline_selection WHERE node_id = ?');
  for (const id of ids) {
    const to = id.slice(exportId.length + 1);
    if (exists.get(to)) timetable.run(to, id);
    dropMark.run(id);
  }
}
