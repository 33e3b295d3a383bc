// Lesson plans, saved whole in one transaction (a plan is small; replacing its
// items keeps the order exact and the write atomic).
import type { z } from 'zod';
import type { PlanItem, PlanItemInput } from '../../preload/contract/plans';
import { AppError } from '../api/errors';
import type { Db } from './db';

type ItemInput = z.infer<typeof PlanItemInput>;

export function createPlans(db: Db) {
  const st = {
    list: db.prepare(
      `SELECT p.id, p.title, p.updated_at AS updatedAt, (SELECT count(*) FROM lesson_plan_items i WHERE i.plan_id = p.id) AS items
       FROM lesson_plans p ORDER BY p.updated_at DESC`,
    ),
    get: db.prepare('SELECT id, title FROM lesson_plans WHERE id = ?'),
    items: db.prepare(
      `SELECT i.kind, i.resource_id AS resourceId, i.board AS template, r.title, r.type, r.node_id AS nodeId
       FROM lesson_plan_items i LEFT JOIN resources r ON r.id = i.resource_id WHERE i.plan_id = ? ORDER BY i.pos`,
    ),
    // A resource's textbook path, root first, as the library's queries build it.
    path: db
      .prepare(
        `WITH RECURSIVE up(id, parent, title, depth) AS (
           SELECT id, parent, title, 0 FROM nodes WHERE id = ?
           UNION ALL SELECT n.id, n.parent, n.title, up.depth + 1 FROM nodes n JOIN up ON n.id = up.parent)
         SELECT title FROM up ORDER BY depth DESC`,
      )
      .pluck(),
    insert: db.prepare('INSERT INTO lesson_plans(title, created_at, updated_at) VALUES (?, ?, ?)'),
    update: db.prepare('UPDATE lesson_plans SET title = ?, updated_at = ? WHERE id = ?'),
    clearItems: db.prepare('DELETE FROM lesson_plan_items WHERE plan_id = ?'),
    addItem: db.prepare('INSERT INTO lesson_plan_items(plan_id, pos, kind, resource_id, board) VALUES (?, ?, ?, ?, ?)'),
    remove: db.prepare('DELETE FROM lesson_plans WHERE id = ?'),
    // A plan's board pages are written on as target 'plan:<id>' (PresentView).
    removeInk: db.prepare('DELETE FROM annotations WHERE target = ?'),
  };

  const save = db.transaction((id: number | undefined, title: string, items: ItemInput[]): number => {
    const now = Date.now();
    let planId = id;
    if (planId === undefined) planId = Number(st.insert.run(title, now, now).lastInsertRowid);
    else if (st.update.run(title, now, planId).changes === 0) throw new AppError('not-found', `找不到备课 ${planId} / no such lesson plan`);
    st.clearItems.run(planId);
    items.forEach((it, pos) =>
      st.addItem.run(planId, pos, it.kind, it.kind === 'resource' ? it.resourceId : null, it.kind === 'board' ? it.template : null),
    );
    return planId;
  });

  return {
    list: () => st.list.all() as { id: number; title: string; items: number; updatedAt: number }[],
    get(id: number): { id: number; title: string; items: PlanItem[] } {
      const plan = st.get.get(id) as { id: number; title: string } | undefined;
      if (!plan) throw new AppError('not-found', `找不到备课 ${id} / no such lesson plan`);
      const rows = st.items.all(id) as { kind: 'resource' | 'board'; resourceId: string | null; template: string | null; title: string | null; type: string | null; nodeId: string | null }[];
      const items = rows.map((r) =>
        r.kind === 'board'
          ? { kind: 'board', template: r.template }
          : { kind: 'resource', resourceId: r.resourceId, title: r.title, type: r.type, ...(r.nodeId ? { path: st.path.all(r.nodeId) as string[] } : {}) },
      ) as PlanItem[];
      return { ...plan, items };
    },
    save: (id: number | undefined, title: string, items: ItemInput[]) => save.immediate(id, title, items),
    // Its ink goes with it: ids are rowids, so the next plan made could take this id and show that ink.
    remove: db.transaction((id: number): boolean => {
      st.removeInk.run(`plan:${id}`);
      return st.remove.run(id).changes > 0;
    }),
  };
}
