// Importing a timetable CSV on a real library with the demo feed: lessons named by title.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';

let data: string;
let s: Services;

beforeAll(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-timetable-'));
  s = hubServices(data, 't');
  await s.ensureDemoLibrary();
});
afterAll(() => {
  s.close();
  fs.rmSync(data, { recursive: true, force: true });
});

describe('timetable CSV import by title', () => {
  it('links a lesson named by its exact title or id, and imports a period whose cell names none or several without one', async () => {
    const ok = await s.router.call('timetable:import-csv', { csv: '星期,节次,开始,结束,班级,课程\n1,1,8:00,8:40,三（2）班,三角形的内角和（第一课时）\n' });
    expect(ok).toMatchObject({ ok: true, value: { saved: 1, kept: 0, unmatched: [] } });
    // A school's real timetable: subjects, and 学习任务单, the title of one task sheet per lesson in the demo library.
    // Before, one such row refused the whole file (taking the first 学习任务单 would timetable a lesson nobody chose).
    const csv = '星期,节次,开始,结束,班级,课程\n1,1,8:00,8:40,三（2）班,数学\n1,2,8:55,9:35,三（2）班,学习任务单\n1,3,10:00,10:40,三（2）班,三角形的内角和（第一课时）\n2,1,8:00,8:40,三（2）班,数学\n';
    // Cleared first: a period whose cell names no lesson would keep the one the file above set (see below).
    expect((await s.router.invoke('timetable:set', { entries: [] })).ok).toBe(true);
    const r = await s.router.invoke('timetable:import-csv', { csv });
    expect(r.ok).toBe(true);
    const value = r.ok ? r.value : { saved: 0, unmatched: [] };
    expect(value.saved).toBe(4);
    expect(value.unmatched).toEqual([
      { line: 2, cell: '数学', matches: 0 },
      { line: 3, cell: '学习任务单', matches: expect.any(Number) },
      { line: 5, cell: '数学', matches: 0 },
    ]);
    expect(value.unmatched[1]!.matches).toBeGreaterThan(1);
    const monday = await s.router.invoke('timetable:today', { weekday: 1 });
    const titled = monday.ok ? monday.value.lessons.map((l) => [l.period, l.resource?.title ?? null]) : [];
    expect(titled).toEqual([
      [1, null],
      [2, null],
      [3, '三角形的内角和（第一课时）'],
    ]);
    // The id of one of them links that one.
    const search = await s.router.invoke('library:search', { query: '学习任务单', limit: 3 });
    const id = search.ok ? search.value.results.find((x) => x.title === '学习任务单')!.id : '';
    const byId = await s.router.call('timetable:import-csv', { csv: `1,2,8:55,9:35,三（2）班,${id}\n` });
    expect(byId).toMatchObject({ ok: true, value: { saved: 1, kept: 0, unmatched: [] } });
    const after = await s.router.invoke('timetable:today', { weekday: 1 });
    expect(after.ok && after.value.lessons.map((l) => l.resource?.id)).toEqual([id]);
  });

  it('refuses a broken row in both languages and keeps the timetable as it was', async () => {
    const r = await s.router.call('timetable:import-csv', { csv: '星期,节次,开始,结束,班级,课程\n1,1,8:00,8:40,三（2）班,数学\n1,2,8点55,9:35,三（2）班,数学\n' });
    expect(!r.ok && r.error.message).toBe('课表第 3 行：开始时间“8点55”无法识别，请写成 08:50 这样的 24 小时制 / timetable line 3: start time "8点55" is not HH:MM');
    const monday = await s.router.invoke('timetable:today', { weekday: 1 });
    expect(monday.ok && monday.value.lessons).toHaveLength(1);
  });
});

describe('re-importing a timetable', () => {
  it('keeps the lessons chosen at the board for periods whose cell names none, and counts them', async () => {
    // A school's file names subjects: its periods import without a lesson.
    expect((await s.router.invoke('timetable:set', { entries: [] })).ok).toBe(true);
    const csv = '星期,节次,开始,结束,班级,课程\n1,1,8:00,8:40,三（2）班,数学\n1,2,8:55,9:35,三（2）班,数学\n1,3,10:00,10:40,三（2）班,语文\n1,4,10:55,11:35,三（2）班,数学\n';
    expect(await s.router.call('timetable:import-csv', { csv })).toMatchObject({ ok: true, value: { saved: 4, kept: 0 } });
    const search = await s.router.invoke('library:search', { query: '学习任务单', limit: 3 });
    const sheet = search.ok ? search.value.results.find((x) => x.title === '学习任务单')!.id : '';
    const titled = await s.router.invoke('library:search', { query: '三角形的内角和（第一课时）', limit: 3 });
    const lesson = titled.ok ? titled.value.results.find((x) => x.title === '三角形的内角和（第一课时）')!.id : '';
    // The teacher chooses lessons for periods 1, 2 and 4 with the row's 选择课程 (a whole-timetable save).
    const row = (period: number, starts: string, ends: string, resourceId: string | null) => ({ weekday: 1, period, starts, ends, className: '三（2）班', resourceId });
    const chosen = [row(1, '08:00', '08:40', sheet), row(2, '08:55', '09:35', sheet), row(3, '10:00', '10:40', null), row(4, '10:55', '11:35', sheet)];
    expect((await s.router.invoke('timetable:set', { entries: chosen })).ok).toBe(true);

    // The updated file: period 4's cell now names a lesson (it is set), period 5 is new, another class's period 1 is not hers.
    const updated = `${csv.replace('1,4,10:55,11:35,三（2）班,数学', '1,4,10:55,11:35,三（2）班,三角形的内角和（第一课时）')}1,5,14:00,14:40,三（2）班,数学\n1,1,8:00,8:40,三（3）班,数学\n`;
    const r = await s.router.invoke('timetable:import-csv', { csv: updated });
    // Before, every chosen lesson was dropped: periods 1 and 2 came back without one.
    // `unmatched` lists only the periods left without a lesson: 语文, the new period 5 and the other class.
    expect(r.ok && { saved: r.value.saved, kept: r.value.kept, unmatched: r.value.unmatched.map((u) => u.line) }).toEqual({ saved: 6, kept: 2, unmatched: [4, 6, 7] });
    const monday = await s.router.invoke('timetable:today', { weekday: 1 });
    const ids = monday.ok ? monday.value.lessons.map((l) => [l.period, l.className, l.resource?.id ?? null]) : [];
    expect(ids).toEqual([
      [1, '三（2）班', sheet],
      [1, '三（3）班', null],
      [2, '三（2）班', sheet],
      [3, '三（2）班', null],
      [4, '三（2）班', lesson],
      [5, '三（2）班', null],
    ]);
  });
});
