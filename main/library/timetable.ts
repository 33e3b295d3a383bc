// Timetable entries and today's lessons with a ready mark.
import type { z } from 'zod';
import { AppError } from '../api/errors';
import type { Res, TodayLesson } from '../../preload/contract';
import { schoolWeekday, type TimetableEntryInput } from '../../preload/contract/timetable';
import type { Db } from './db';
import type { LessonReadiness } from './lesson-ready';
import type { LibraryQueries } from './queries';
import { parseTimetableCsv } from './timetable-csv';

// In the contract, so the board's timetable form counts today the same way.
export { schoolWeekday };

/** The number before a lesson's title in a textbook's contents: "2 ", "第1节 ", "第3课 ", "12. ", "三、". */
const LESSON_NUMBER = /^(?:第\s*[\d一二三四五六七八九十]+\s*[课节章]|\d+(?:\.\d+)*[.、．]?|[一二三四五六七八九十]+[、.．])\s*$/;

/** `waiting`: what of each period's lesson is not on this PC (lesson-ready.ts). */
export function createTimetable(db: Db, queries: LibraryQueries, waiting: LessonReadiness) {
  const st = {
    clear: db.prepare('DELETE FROM timetable'),
    clearClass: db.prepare('DELETE FROM timetable WHERE class_name = ?'),
    // Rows without a class last: the classes named first.
    perClass: db.prepare("SELECT class_name, COUNT(*) FROM timetable GROUP BY class_name ORDER BY class_name = '', class_name").raw(),
    insert: db.prepare('INSERT INTO timetable(weekday, period, starts, ends, class_name, resource_id, resource_title) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    byId: db.prepare('SELECT id FROM resources WHERE id = ?').pluck(),
    byTitle: db.prepare('SELECT id, node_id AS node FROM resources WHERE title = ? ORDER BY rid'),
    // Without its feed ("l-hdxx-v1"), as a sheet may write it: one a feed, so two feeds holding it name two.
    byBareId: db.prepare("SELECT id FROM resources WHERE id IN (SELECT f.id || '/' || ? FROM feeds f) ORDER BY rid").pluck(),
    // A lesson (the textbook tree's row, 分数的初步认识), by its id with or without its feed.
    lessonById: db.prepare("SELECT id FROM nodes WHERE kind = 'lesson' AND (id = @cell OR id IN (SELECT f.id || '/' || @cell FROM feeds f)) ORDER BY id").pluck(),
    // By its title, or its title after a number (the tree's "2 花的学校", "第1节 声音的产生与传播"): told apart in JS.
    lessonsTitled: db.prepare("SELECT id, title FROM nodes WHERE kind = 'lesson' AND substr(title, -length(@cell)) = @cell ORDER BY id"),
    // What a period naming a lesson shows: its first resource, as the lesson's page lists them (the video before its task sheet).
    firstOf: db.prepare('SELECT id FROM resources WHERE node_id = ? ORDER BY ord, rid LIMIT 1').pluck(),
    title: db.prepare('SELECT title FROM resources WHERE id = ?').pluck(),
    feeds: db.prepare('SELECT id FROM feeds').pluck(),
    chosen: db.prepare('SELECT weekday, period, class_name, resource_id FROM timetable WHERE resource_id IS NOT NULL').raw(),
    keptTitles: db.prepare('SELECT resource_id, resource_title FROM timetable WHERE resource_id IS NOT NULL AND resource_title IS NOT NULL').raw(),
    day: db.prepare(
      'SELECT period, starts, ends, class_name AS className, resource_id AS resourceId, resource_title AS resourceTitle FROM timetable WHERE weekday = ? ORDER BY starts, period',
    ),
  };
  /** One period per class at a time, however the timetable came (the page, the API, a CSV). */
  const checkSlots = (entries: z.output<typeof TimetableEntryInput>[]) => {
    const seen = new Set<string>();
    for (const e of entries) {
      const slot = `${e.weekday}/${e.period}/${e.className}`;
      if (seen.has(slot)) {
        const cls = e.className ? `（${e.className}）` : '';
        throw new AppError('bad-request', `星期${'一二三四五六日'[e.weekday - 1]}第 ${e.period} 节${cls}出现了两次 / weekday ${e.weekday}, period ${e.period} is listed twice`);
      }
      seen.add(slot);
    }
  };
  /** Replaces the whole timetable, or (`classes`) only those classes' periods. */
  const replace = db.transaction((entries: z.output<typeof TimetableEntryInput>[], classes?: Set<string>) => {
    checkSlots(entries);
    // Each lesson's title is kept beside its id, so a period whose lesson a later catalog
    // removes can still name it; a lesson already gone keeps the title it was saved with.
    const kept = new Map(st.keptTitles.all() as [string, string][]);
    const titleOf = (id: string | null) => (id ? ((st.title.get(id) as string | undefined) ?? kept.get(id) ?? null) : null);
    if (classes) for (const c of classes) st.clearClass.run(c);
    else st.clear.run();
    for (const e of entries) st.insert.run(e.weekday, e.period, e.starts, e.ends, e.className, e.resourceId, titleOf(e.resourceId));
    return entries.length;
  });
  /**
   * Importing a file whose cell names no single lesson (a subject such as 数学) keeps
   * the lesson the teacher chose for that period at the board (same weekday, period
   * and class); a cell that names one sets it. Read and replaced in one transaction.
   */
  const importEntries = db.transaction((entries: z.output<typeof TimetableEntryInput>[]) => {
    // Each class teacher sends a sheet of their own: a file replaces the classes it names (rows without a class are one
    // of their own), and the other classes' periods, their night-sync priority and eviction protection stay.
    const before = new Map(st.perClass.all() as [string, number][]);
    const named = new Set(entries.map((e) => e.className));
    const chosen = new Map((st.chosen.all() as [number, number, string, string][]).map(([w, p, c, id]) => [`${w}/${p}/${c}`, id]));
    const kept = new Set<number>();
    const merged = entries.map((e, i) => {
      const id = e.resourceId === null ? chosen.get(`${e.weekday}/${e.period}/${e.className}`) : undefined;
      if (!id) return e;
      kept.add(i);
      return { ...e, resourceId: id };
    });
    const saved = replace(merged, named);
    const classes = [...named].map((className) => ({ className, saved: entries.filter((e) => e.className === className).length, replaced: before.get(className) ?? 0 }));
    const others = [...before].filter(([c]) => !named.has(c)).map(([className, periods]) => ({ className, periods }));
    return { saved, kept, classes, others };
  });
  const firstOf = (lessons: string[]) => lessons.map((l) => st.firstOf.get(l) as string | undefined).filter((id): id is string => !!id);
  /** The resources a timetable cell names: by id (a resource's, else a lesson's), else by title (see titled). */
  const resourcesNamed = (cell: string): string[] => {
    if (st.byId.get(cell)) return [cell];
    const byId = [...(st.byBareId.all(cell) as string[]), ...firstOf(st.lessonById.all({ cell }) as string[])];
    return byId.length ? [...new Set(byId)] : titled(cell);
  };
  /**
   * Resources titled so, and lessons titled so (their first resource): 分数的初步认识 as the tree shows the lesson.
   * A lesson whose own resource is titled so is named by it. Two lessons of one title (two editions' 三角形的内角和) are two.
   */
  const titled = (cell: string): string[] => {
    const resources = st.byTitle.all(cell) as { id: string; node: string }[];
    const named = new Set(resources.map((r) => r.node));
    const lessons = (st.lessonsTitled.all({ cell }) as { id: string; title: string }[])
      .filter((n) => n.title === cell || LESSON_NUMBER.test(n.title.slice(0, n.title.length - cell.length)))
      .map((n) => n.id)
      .filter((id) => !named.has(id));
    return [...new Set([...resources.map((r) => r.id), ...firstOf(lessons)])];
  };
  return {
    set: (entries: z.output<typeof TimetableEntryInput>[]) => replace.immediate(entries),
    /**
     * A lesson cell may hold a resource's or a lesson's id or exact title (a lesson links its first
     * resource); one naming none, or a title several share (taking the first would timetable a lesson
     * nobody chose), is saved without a lesson and listed, unless its period keeps the lesson already
     * chosen for it (`kept` counts those).
     */
    importCsv(csv: string): Res<'timetable:import-csv'> {
      // Titles have no index: a school's file repeats a few subjects hundreds of times, so each is looked up once.
      const found = new Map<string, string[]>();
      const resolve = (cell: string) => found.get(cell) ?? found.set(cell, resourcesNamed(cell)).get(cell)!;
      const { entries, lines, unmatched, warnings, skipped } = parseTimetableCsv(csv, resolve);
      const { saved, kept, classes, others } = importEntries.immediate(entries);
      // A row whose period kept its lesson is not one to fix: `unmatched` lists the periods left without one.
      const keptLines = new Set([...kept].map((i) => lines[i]));
      return { saved, kept: kept.size, unmatched: unmatched.filter((u) => !keptLines.has(u.line)), classes, others, warnings, ...(skipped.length ? { skipped } : {}) };
    },
    today(weekday = schoolWeekday()): { weekday: number; lessons: TodayLesson[] } {
      const rows = st.day.all(weekday) as { period: number; starts: string; ends: string; className: string; resourceId: string | null; resourceTitle: string | null }[];
      // A resource id is "<feed>/<resource>": one whose feed is no longer subscribed left with `feeds remove`, an admin's doing.
      let feeds: string[] | undefined;
      const unsubscribed = (id: string) => !(feeds ??= (st.feeds.all() as string[]).map((f) => `${f}/`)).some((f) => id.startsWith(f));
      // The whole day's lessons in one query: this is read on every render of the home screen.
      const notHere = waiting(rows.flatMap((r) => (r.resourceId ? [r.resourceId] : [])));
      const lessons = rows.map((r): TodayLesson => {
        const resource = r.resourceId ? (queries.summaries([r.resourceId])[0] ?? null) : null;
        const lesson = { period: r.period, starts: r.starts, ends: r.ends, className: r.className, resource, ...(resource ? (notHere.get(resource.id) ?? { waiting: [], total: 1 }) : { waiting: [], total: 0 }) };
        // A lesson that left the library is named, and why, so the period does not read as one where none was chosen.
        if (!r.resourceId || resource) return lesson;
        const missing = { resourceId: r.resourceId, ...(r.resourceTitle ? { title: r.resourceTitle } : {}), ...(unsubscribed(r.resourceId) ? { unsubscribed: true } : {}) };
        return { ...lesson, missing };
      });
      return { weekday, lessons };
    },
  };
}
