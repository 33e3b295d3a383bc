// A school's hub takes one timetable sheet per class teacher: importing one class's file
// replaces that class's periods and keeps the others', on a real library with the demo feed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../main/services';
import { parseTimetableCsv } from '../../main/library/timetable-csv';
import { hubServices } from '../fixtures/services';

let data: string;
let s: Services;

const HEADER = '星期,节次,开始,结束,班级,课程';
const A = `${HEADER}\n周一,1,8:00,8:40,三(1)班,花的学校（第一课时）\n周二,1,8:00,8:40,三(1)班,找春天（第一课时）\n`;
const B = `${HEADER}\n周一,1,8:00,8:40,三(2)班,花的学校（第一课时）\n`;

async function importCsv(csv: string) {
  const r = await s.router.invoke('timetable:import-csv', { csv });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
async function week() {
  const days = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((weekday) => s.router.invoke('timetable:today', { weekday })));
  return days.flatMap((d) => (d.ok ? d.value.lessons.map((l) => [d.value.weekday, l.period, l.className, l.resource?.title ?? null]) : []));
}

beforeAll(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-timetable-classes-'));
  s = hubServices(data, 't');
  await s.ensureDemoLibrary();
});
afterAll(() => {
  s.close();
  fs.rmSync(data, { recursive: true, force: true });
});

describe('importing one class\'s timetable', () => {
  it('keeps the other classes\' periods and says which classes it replaced', async () => {
    expect(await importCsv(A)).toMatchObject({ saved: 2, classes: [{ className: '三(1)班', saved: 2, replaced: 0 }], others: [], warnings: [] });
    // Before: 三(1)班's two periods were gone, and the answer said only "1 节课".
    expect(await importCsv(B)).toMatchObject({ saved: 1, classes: [{ className: '三(2)班', saved: 1, replaced: 0 }], others: [{ className: '三(1)班', periods: 2 }] });
    expect(await week()).toEqual([
      [1, 1, '三(1)班', '花的学校（第一课时）'],
      [1, 1, '三(2)班', '花的学校（第一课时）'],
      [2, 1, '三(1)班', '找春天（第一课时）'],
    ]);
    // 三(1)班's new sheet has one period: its two are replaced, 三(2)班's stays.
    const again = await importCsv(`${HEADER}\n周三,2,9:00,9:40,三(1)班,找春天（第一课时）\n`);
    expect(again).toMatchObject({ saved: 1, classes: [{ className: '三(1)班', saved: 1, replaced: 2 }], others: [{ className: '三(2)班', periods: 1 }] });
    expect(await week()).toEqual([
      [1, 1, '三(2)班', '花的学校（第一课时）'],
      [3, 2, '三(1)班', '找春天（第一课时）'],
    ]);
  });

  it('treats rows without a class as a class of their own, and keeps a lesson chosen at the board', async () => {
    const noClass = await importCsv(`${HEADER}\n周四,1,8:00,8:40,,数学\n`);
    expect(noClass).toMatchObject({ classes: [{ className: '', saved: 1, replaced: 0 }], others: [{ className: '三(1)班' }, { className: '三(2)班' }] });
    // 三(2)班's sheet again, naming a subject where its period has a lesson: the period keeps it.
    // The row without a class comes first: under a row naming one, an empty class is that one (a merged cell).
    const again = await importCsv(`${HEADER}\n周四,1,8:00,8:40,,数学\n周一,1,8:00,8:40,三(2)班,语文\n`);
    expect(again).toMatchObject({ saved: 2, kept: 1, unmatched: [{ line: 2, cell: '数学' }], others: [{ className: '三(1)班', periods: 1 }] });
    expect(await week()).toEqual([
      [1, 1, '三(2)班', '花的学校（第一课时）'],
      [3, 2, '三(1)班', '找春天（第一课时）'],
      [4, 1, '', null],
    ]);
  });

  it('refuses a broken file without touching any class', async () => {
    const r = await s.router.invoke('timetable:import-csv', { csv: `${HEADER}\n周一,1,8:00,8:40,三(1)班,\n周一,2,8点,8:40,三(2)班,\n` });
    expect(r.ok).toBe(false);
    expect(await week()).toHaveLength(3);
  });
});

describe('reading a timetable file', () => {
  const resolve = () => [] as string[];
  const parse = (csv: string) => parseTimetableCsv(csv, resolve);

  it('reads the header when it names the columns, in whatever order', () => {
    // Before: 第 2 行：节次“周一”无法识别.
    expect(parse('节次,星期,开始,结束,班级,课程\n1,周一,8:00,8:40,三(1)班,数学\n').entries).toEqual([
      { weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '三(1)班', resourceId: null },
    ]);
    expect(parse('Class,Day,Period,Start,End,Lesson\n3B,Tue,2,8:50,9:30,Maths\n')).toMatchObject({ entries: [{ weekday: 2, period: 2, starts: '08:50', className: '3B' }], unmatched: [{ line: 2, cell: 'Maths' }] });
    // Without a class or lesson column, those are empty.
    expect(parse('上课时间,下课时间,星期,节次\n8:00,8:40,周五,3\n').entries).toEqual([{ weekday: 5, period: 3, starts: '08:00', ends: '08:40', className: '', resourceId: null }]);
    // A full-width separated file with the lesson not last: the lesson is its own cell.
    expect(parse('课程，星期，节次，开始，结束，班级\n数学，周一，1，8:00，8:40，三(1)班\n')).toMatchObject({ entries: [{ className: '三(1)班' }], unmatched: [{ cell: '数学' }] });
    // No header: the columns where README lists them, as before.
    expect(parse('周一,1,8:00,8:40,三(1)班,\n').entries[0]).toMatchObject({ weekday: 1, period: 1, className: '三(1)班' });
  });

  it('takes 第1节 and 中午12:30', () => {
    expect(parse(`${HEADER}\n周一,第1节,8:00,8:40,,\n周一,第 3 节,中午12:30,中午1:10,,\n周一,5节,下午2:00,下午2:40,,\n周一,第12节,19:00,19:40,,\n`).entries.map((e) => [e.period, e.starts, e.ends])).toEqual([
      [1, '08:00', '08:40'],
      [3, '12:30', '13:10'],
      [5, '14:00', '14:40'],
      [12, '19:00', '19:40'],
    ]);
    expect(() => parse(`${HEADER}\n周一,第21节,8:00,8:40,,\n`)).toThrow(/节次“第21节”无法识别/);
  });

  it('warns of overlapping periods of a class on a day, and of a period in the night, importing them as written', () => {
    const r = parse(`${HEADER}\n周一,1,8:00,8:40,三(1)班,\n周一,2,8:30,9:10,三(1)班,\n周一,2,8:30,9:10,三(2)班,\n周二,1,上午12:30,上午1:10,三(1)班,\n`);
    expect(r.entries).toHaveLength(4);
    expect(r.warnings).toEqual([
      { kind: 'night', weekday: 2, className: '三(1)班', line: 5, period: 1, starts: '00:30', ends: '01:10' },
      {
        kind: 'overlap',
        weekday: 1,
        className: '三(1)班',
        first: { line: 2, period: 1, starts: '08:00', ends: '08:40' },
        second: { line: 3, period: 2, starts: '08:30', ends: '09:10' },
      },
    ]);
  });
});
