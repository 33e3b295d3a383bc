// Whether a period's lesson is on this PC, whole: every resource of its lesson,
// each with the files the sync would bring for it (the planner's own choice,
// chooseFiles at the classroom's rendition), as 现在下载这节课 fetches them. A
// video alone on this PC with its 课件 missing is not a lesson ready for class.
// A resource on a unit's or a volume's node stands alone (as its fetch does).
import type { ResourceType } from '../../preload/contract';
import type { BlobStore } from '../cache/blob-store';
import { chooseFiles } from '../sync/plan';
import type { Db } from './db';

/** A resource of the lesson not (wholly) on this PC. */
export type Waiting = { id: string; title: string; type: ResourceType };

type Row = { asked: string; id: string; title: string; type: ResourceType; role: string | null; sha256: string | null; size: number; height: number | null; present: 0 | 1 };
type File = { role: string; sha256: string; size: number; height: number | null; present: 0 | 1 };

export interface LessonReadinessOptions {
  /** The classroom's rendition and quota, as the sync applies them. */
  rendition: () => { maxHeight: number; quotaBytes: number | null };
  /**
   * The files 现在下载这节课 would fetch for these resources (the planner with the quota): asked only when a lower
   * rendition is on disk beside a missing one at the height, the one case where the quota can change the choice.
   */
  fetchWould: (ids: string[], rendition: { maxHeight: number; quotaBytes: number | null }) => Set<string>;
}

/**
 * One query for a whole day (read on every home render): each asked resource's lesson (itself on a unit or a volume;
 * a node the catalog lacks reads as a lesson's, as queries.resource says), its resources in the lesson's order and
 * their files, each with whether the cache index holds it. By key: resources.id, nodes.id, resources_node,
 * resource_files' and blobs' keys.
 */
export const LESSON_FILES_SQL = `WITH asked(pos, id) AS (SELECT key, value FROM json_each(?))
  SELECT a.id AS asked, r.id, r.title, r.type, f.role, f.sha256, f.size, f.height,
         EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = f.sha256) AS present
  FROM asked a
  JOIN resources p ON p.id = a.id
  LEFT JOIN nodes n ON n.id = p.node_id
  JOIN resources r ON r.node_id = p.node_id AND (coalesce(n.kind, 'lesson') = 'lesson' OR r.rid = p.rid)
  LEFT JOIN resource_files f ON f.rid = r.rid
  ORDER BY a.pos, r.ord, r.rid, f.idx`;

export function createLessonReadiness(db: Db, blobs: BlobStore, opts: LessonReadinessOptions) {
  const st = db.prepare(LESSON_FILES_SQL);

  /**
   * For each id asked (a resource's): the resources of its lesson not on this PC, in the lesson's order ([] when all
   * are), and how many resources the lesson has. An id not in the library is left out.
   */
  return function waiting(ids: string[]): Map<string, { waiting: Waiting[]; total: number }> {
    const out = new Map<string, { waiting: Waiting[]; total: number }>();
    if (ids.length === 0) return out;
    const rows = st.all(JSON.stringify(ids)) as Row[];
    const rendition = opts.rendition();
    // asked → resource → its files
    const lessons = new Map<string, Map<string, { w: Waiting; files: File[] }>>();
    for (const row of rows) {
      let lesson = lessons.get(row.asked);
      if (!lesson) lessons.set(row.asked, (lesson = new Map()));
      let res = lesson.get(row.id);
      if (!res) lesson.set(row.id, (res = { w: { id: row.id, title: row.title, type: row.type }, files: [] }));
      if (row.sha256 !== null) res.files.push({ role: row.role!, sha256: row.sha256, size: row.size, height: row.height, present: row.present });
    }
    // In the index is what the planner goes by; on disk too is what opens (the test the library's ready mark makes).
    const here = (f: File) => f.present === 1 && blobs.has(f.sha256);
    for (const [asked, lesson] of lessons) {
      let fetched: Set<string> | undefined;
      const list: Waiting[] = [];
      for (const { w, files } of lesson.values()) {
        const { chosen } = chooseFiles(files.map((f) => ({ ...f, present: here(f) ? (1 as const) : (0 as const) })), rendition.maxHeight);
        if (chosen.every((f) => f.present === 1)) continue;
        // Under a quota, a lower rendition already here may be the one the fetch settles for (the one at the height
        // is bigger than the room left): the planner itself says, for the lesson as 现在下载这节课 plans it.
        const lowerHere = rendition.quotaBytes !== null && files.some((f) => f.role === 'main' && here(f));
        if (lowerHere) {
          fetched ??= opts.fetchWould([...lesson.keys()], rendition);
          if (!files.some((f) => fetched!.has(f.sha256))) continue;
        }
        list.push(w);
      }
      out.set(asked, { waiting: list, total: lesson.size });
    }
    return out;
  };
}
export type LessonReadiness = ReturnType<typeof createLessonReadiness>;
