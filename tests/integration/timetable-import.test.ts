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
  it('refuses a title that several resources share, naming the row and asking for the id', async () => {
    const ok = await s.router.call('timetable:import-csv', { csv: '星期,节次,开始,结束,班级,课程\n1,1,8:00,8:40,三（2）班,三角形的内角和（第一课时）\n' });
    expect(ok).toEqual({ ok: true, value: { saved: 1 } });
    // 学习任务单 is the title of one task sheet per lesson in the demo library: it took the first silently.
    const r = await s.router.call('timetable:import-csv', { csv: '星期,节次,开始,结束,班级,课程\n1,1,8:00,8:40,三（2）班,\n1,2,8:55,9:35,三（2）班,学习任务单\n' });
    expect(r.ok).toBe(false);
    const message = !r.ok ? r.error.message : '';
    expect(message).toMatch(/^课表第 3 行无法识别/);
    expect(message).toMatch(/“学习任务单”有 \d+ 个同名资源/);
    expect(message).toMatch(/资源 id/);
    expect(message).toContain('cn.classboard.demo/');
    // Refused whole; the id of one of them is taken.
    const id = /(cn\.classboard\.demo\/[\w-]+)/.exec(message)![1]!;
    const byId = await s.router.call('timetable:import-csv', { csv: `1,2,8:55,9:35,三（2）班,${id}\n` });
    expect(byId).toEqual({ ok: true, value: { saved: 1 } });
    const monday = await s.router.invoke('timetable:today', { weekday: 1 });
    expect(monday.ok && monday.value.lessons.map((l) => l.resource?.id)).toEqual([id]);
  });
});
