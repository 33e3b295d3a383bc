// Ink strokes, one row per stroke: each is durable as soon as it is drawn.
import type { Stroke } from '../../preload/contract';
import type { Db } from './db';

export function createAnnotations(db: Db) {
  const st = {
    list: db.prepare('SELECT stroke FROM annotations WHERE target = ? AND page = ? ORDER BY seq').pluck(),
    nextSeq: db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM annotations WHERE target = ? AND page = ?').pluck(),
    upsert: db.prepare(
      `INSERT INTO annotations(id, target, page, seq, stroke, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET stroke = excluded.stroke`,
    ),
    remove: db.prepare('DELETE FROM annotations WHERE target = ? AND page = ? AND id = ?'),
    clear: db.prepare('DELETE FROM annotations WHERE target = ? AND page = ?'),
  };
  return {
    list: (target: string, page: string): Stroke[] => (st.list.all(target, page) as string[]).map((s) => JSON.parse(s) as Stroke),
    add(target: string, page: string, stroke: Stroke): void {
      st.upsert.run(stroke.id, target, page, st.nextSeq.get(target, page), JSON.stringify(stroke), Date.now());
    },
    remove: db.transaction((target: string, page: string, ids: string[]) => ids.reduce((n, id) => n + st.remove.run(target, page, id).changes, 0)),
    clear: (target: string, page: string): number => st.clear.run(target, page).changes,
    /** All or nothing: a page shows either the whole change or none of it. */
    batch: db.transaction((target: string, page: string, add: Stroke[], remove: string[]) => {
      const removed = remove.reduce((n, id) => n + st.remove.run(target, page, id).changes, 0);
      const now = Date.now();
      for (const s of add) st.upsert.run(s.id, target, page, st.nextSeq.get(target, page), JSON.stringify(s), now);
      return { added: add.length, removed };
    }),
  };
}
