import { describe, expect, it } from 'vitest';
import { parseTimetableCsv } from '../../main/library/timetable-csv';

const lessons: Record<string, string> = { '分数的初步认识（第一课时）': 'demo/fs-v1', 'demo/dqs-v1': 'demo/dqs-v1' };
const resolve = (cell: string) => lessons[cell] ?? null;

describe('timetable CSV', () => {
  it('reads a school spreadsheet export with Chinese headers, weekdays and a BOM', () => {
    const csv = '\uFEFF星期,节次,开始,结束,班级,课程\n星期一,1,8:00,8:40,三（2）班,分数的初步认识（第一课时）\n周二,2,08:55,09:35,"三（2）班, 实验",demo/dqs-v1\n五,3,10:00,10:40,三（2）班,\n';
    expect(parseTimetableCsv(csv, resolve)).toEqual([
      { weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '三（2）班', resourceId: 'demo/fs-v1' },
      { weekday: 2, period: 2, starts: '08:55', ends: '09:35', className: '三（2）班, 实验', resourceId: 'demo/dqs-v1' },
      { weekday: 5, period: 3, starts: '10:00', ends: '10:40', className: '三（2）班', resourceId: null },
    ]);
  });

  it('reads English weekdays without a header', () => {
    expect(parseTimetableCsv('Mon,1,08:00,08:40,3B,\n', resolve)[0]).toMatchObject({ weekday: 1, period: 1 });
  });

  it('names the line that cannot be read', () => {
    expect(() => parseTimetableCsv('星期,节次,开始,结束,班级,课程\n星期八,1,8:00,8:40,x,\n', resolve)).toThrow(/第 2 行/);
    expect(() => parseTimetableCsv('1,1,8:00,8:40,x,不存在的课\n', resolve)).toThrow(/no lesson/);
    expect(() => parseTimetableCsv('1,1,8点,8:40,x,\n', resolve)).toThrow(/HH:MM/);
  });
});
