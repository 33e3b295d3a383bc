import { describe, expect, it } from 'vitest';
import { decodeCsv } from '../../preload/contract/timetable';
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

  it('says what is wrong with a line, in words', () => {
    // Before: "timetable line 2: [", the first line of zod's JSON.
    expect(() => parseTimetableCsv('1,x,8:00,8:40,3B,\n', resolve)).toThrow(/line 1: period: /);
    expect(() => parseTimetableCsv('1,1,8:40,8:00,3B,\n', resolve)).toThrow(/line 1: ends: 下课时间须晚于上课时间/);
    // A header alone would replace the timetable with nothing.
    expect(() => parseTimetableCsv('星期,节次,开始,结束,班级,课程\n', resolve)).toThrow(/no periods/);
    expect(() => parseTimetableCsv('\r\n  \n', resolve)).toThrow(/no periods/);
  });

  it('takes a first line that starts with a weekday for a lesson, not a header', () => {
    expect(parseTimetableCsv('星期一,1,8:00,8:40,3B,\n星期二,1,8:00,8:40,3B,\n', resolve)).toHaveLength(2);
    expect(parseTimetableCsv('Monday,1,8:00,8:40,3B,\n', resolve)).toHaveLength(1);
  });

  it('reads the GB18030 file Excel writes on a Chinese Windows, and UTF-8', () => {
    const text = '星期,节次,开始,结束,班级,课程\n星期一,1,8:00,8:40,三（2）班,\n';
    const gbk = Buffer.from('d0c7c6da', 'hex'); // 星期 in GBK
    expect(decodeCsv(gbk)).toBe('星期');
    expect(decodeCsv(Buffer.from(text))).toBe(text);
    expect(parseTimetableCsv(decodeCsv(new TextEncoder().encode(text)), resolve)[0]).toMatchObject({ weekday: 1, className: '三（2）班' });
  });
});

describe('timetable CSV as Excel saves it', () => {
  it('skips rows of only commas (formatted empty cells) and keeps real line numbers', () => {
    const csv = '星期,节次,开始,结束,班级,课程\r\n星期一,1,8:00,8:40,3B,\r\n,,,,,\r\n星期二,1,8:00,8:40,3B,\r\n,,,,,\r\n，，，\r\n"","",,,,\r\n';
    expect(parseTimetableCsv(csv, resolve).map((e) => e.weekday)).toEqual([1, 2]);
    // The bad line is named by its place in the file, counting the skipped ones.
    expect(() => parseTimetableCsv('星期,节次,开始,结束,班级,课程\n,,,,,\n\n星期八,1,8:00,8:40,x,\n', resolve)).toThrow(/第 4 行/);
    expect(() => parseTimetableCsv('星期,节次,开始,结束,班级,课程\n,,,,,\n,,,,,\n', resolve)).toThrow(/no periods/);
  });

  it("reads Excel's H:MM:SS times and H:MM", () => {
    const [e] = parseTimetableCsv('星期一,1,8:00:00,8:40:00,3B,\n', resolve);
    expect(e).toMatchObject({ starts: '08:00', ends: '08:40' });
    expect(parseTimetableCsv('1,2,13:05,13:45:00,3B,\n', resolve)[0]).toMatchObject({ starts: '13:05', ends: '13:45' });
    // Seconds that are not 00 would be lost: refused rather than rounded.
    expect(() => parseTimetableCsv('1,1,8:00:30,8:40,3B,\n', resolve)).toThrow(/第 1 行/);
  });
});
