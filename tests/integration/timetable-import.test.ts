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
    expect(ok).toEqual({ ok: true, value: { saved: 1, unmatched: [] } });
    // A school's real timetable: subjects, and 学习任务单, the title of one task sheet per lesson in the demo library.
    // Before, one such row refused the whole file (taking the first 学习任务单 would timetable a lesson nobody chose).
    const csv = '星期,节次,开始,结束,班级,课程\n1,1,8:00,8:40,三（2）班,数学\n1,2,8:55,9:35,三（2）班,学习任务单\n1,3,10:00,10:40,三（2）班,三角形的内角和（第一课时）\n2,1,8:00,8:40,三（2）班,数学\n';
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
    expect(byId).toEqual({ ok: true, value: { saved: 1, unmatched: [] } });
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
