import { describe, expect, it } from 'vitest';
import { decodeCsv } from '../../preload/contract/timetable';
import { parseTimetableCsv } from '../../main/library/timetable-csv';

const lessons: Record<string, string[]> = {
  '分数的初步认识（第一课时）': ['demo/fs-v1'],
  'demo/dqs-v1': ['demo/dqs-v1'],
  '春天，你好（第一课时）': ['demo/spring-1'],
  春天: ['demo/spring-unit'],
  学习任务单: ['demo/a', 'demo/b', 'demo/c'],
};
const resolve = (cell: string) => lessons[cell] ?? [];
const parse = (csv: string) => parseTimetableCsv(csv, resolve).entries;

describe('timetable CSV', () => {
  it('reads a school spreadsheet export with Chinese headers, weekdays and a BOM', () => {
    const csv = '\uFEFF星期,节次,开始,结束,班级,课程\n星期一,1,8:00,8:40,三（2）班,分数的初步认识（第一课时）\n周二,2,08:55,09:35,"三（2）班, 实验",demo/dqs-v1\n五,3,10:00,10:40,三（2）班,\n';
    expect(parse(csv)).toEqual([
      { weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '三（2）班', resourceId: 'demo/fs-v1' },
      { weekday: 2, period: 2, starts: '08:55', ends: '09:35', className: '三（2）班, 实验', resourceId: 'demo/dqs-v1' },
      { weekday: 5, period: 3, starts: '10:00', ends: '10:40', className: '三（2）班', resourceId: null },
    ]);
  });

  it('reads periods in Chinese numerals, as a school sheet writes them (第一节 … 第十二节, or 一 … 十二)', () => {
    // Before: 节次“第一节”无法识别, and a whole term's sheet had to be retyped as digits.
    const names = ['第一节', '第二节', '第三节', '第四节', '第五节', '第六节', '第七节', '第八节', '第九节', '第十节', '第十一节', '第十二节'];
    const csv = names.map((p, i) => `星期一,${p},${String(6 + i).padStart(2, '0')}:00,${String(6 + i).padStart(2, '0')}:40,三（2）班,`).join('\n');
    expect(parse(`星期,节次,开始,结束,班级,课程\n${csv}\n`).map((e) => e.period)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(parse('星期二,一,8:00,8:40,x,\n周三,十二,18:00,18:40,x,\n周四,二十节,19:00,19:40,x,\n')).toMatchObject([{ period: 1 }, { period: 12 }, { period: 20 }]);
  });

  it('reads English weekdays without a header', () => {
    expect(parse('Mon,1,08:00,08:40,3B,\n')[0]).toMatchObject({ weekday: 1, period: 1 });
  });

  it('names the line that cannot be read', () => {
    expect(() => parseTimetableCsv('星期,节次,开始,结束,班级,课程\n星期八,1,8:00,8:40,x,\n', resolve)).toThrow(/第 2 行/);
    expect(() => parseTimetableCsv('1,1,8点,8:40,x,\n', resolve)).toThrow(/HH:MM/);
  });

  it('says what is wrong with a line, in words', () => {
    // Before: "timetable line 2: [", the first line of zod's JSON.
    expect(() => parseTimetableCsv('1,x,8:00,8:40,3B,\n', resolve)).toThrow(/^课表第 1 行：节次“x”无法识别，请写成 1 到 20 的整数 \/ timetable line 1: period "x"/);
    expect(() => parseTimetableCsv('1,1,8:40,8:00,3B,\n', resolve)).toThrow(/^课表第 1 行：结束时间 08:00 须晚于开始时间 08:40 \/ timetable line 1: a period must end after it starts$/);
    // A header alone would replace the timetable with nothing.
    expect(() => parseTimetableCsv('星期,节次,开始,结束,班级,课程\n', resolve)).toThrow(/no periods/);
    expect(() => parseTimetableCsv('\r\n  \n', resolve)).toThrow(/no periods/);
  });

  it('takes a first line that starts with a weekday for a lesson, not a header', () => {
    expect(parse('星期一,1,8:00,8:40,3B,\n星期二,1,8:00,8:40,3B,\n')).toHaveLength(2);
    expect(parse('Monday,1,8:00,8:40,3B,\n')).toHaveLength(1);
  });

  it('reads the GB18030 file Excel writes on a Chinese Windows, and UTF-8', () => {
    const text = '星期,节次,开始,结束,班级,课程\n星期一,1,8:00,8:40,三（2）班,\n';
    const gbk = Buffer.from('d0c7c6da', 'hex'); // 星期 in GBK
    expect(decodeCsv(gbk)).toBe('星期');
    expect(decodeCsv(Buffer.from(text))).toBe(text);
    expect(parse(decodeCsv(new TextEncoder().encode(text)))[0]).toMatchObject({ weekday: 1, className: '三（2）班' });
  });
});

describe('timetable CSV as Excel saves it', () => {
  it('skips rows of only commas (formatted empty cells) and keeps real line numbers', () => {
    const csv = '星期,节次,开始,结束,班级,课程\r\n星期一,1,8:00,8:40,3B,\r\n,,,,,\r\n星期二,1,8:00,8:40,3B,\r\n,,,,,\r\n，，，\r\n"","",,,,\r\n';
    expect(parse(csv).map((e) => e.weekday)).toEqual([1, 2]);
    // The bad line is named by its place in the file, counting the skipped ones.
    expect(() => parseTimetableCsv('星期,节次,开始,结束,班级,课程\n,,,,,\n\n星期八,1,8:00,8:40,x,\n', resolve)).toThrow(/第 4 行/);
    expect(() => parseTimetableCsv('星期,节次,开始,结束,班级,课程\n,,,,,\n,,,,,\n', resolve)).toThrow(/no periods/);
  });

  it("reads Excel's H:MM:SS times and H:MM", () => {
    const [e] = parse('星期一,1,8:00:00,8:40:00,3B,\n');
    expect(e).toMatchObject({ starts: '08:00', ends: '08:40' });
    expect(parse('1,2,13:05,13:45:00,3B,\n')[0]).toMatchObject({ starts: '13:05', ends: '13:45' });
    // Seconds that are not 00 would be lost: refused rather than rounded.
    expect(() => parseTimetableCsv('1,1,8:00:30,8:40,3B,\n', resolve)).toThrow(/第 1 行/);
  });
});

describe('timetable CSV: what a refused row says', () => {
  const refusal = (csv: string) => {
    try {
      parseTimetableCsv(csv, resolve);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('not refused');
  };
  /** The page shows the part before " / ": it must name the cell, what is wrong, and what to write. */
  const chinese = (csv: string) => refusal(csv).split(' / ')[0];

  it('names the cell and what to write, in Chinese as well as English', () => {
    // Before: "课表第 2 行无法识别 / timetable line 2: time "8点" is not HH:MM", the reason in English only.
    expect(refusal('星期,节次,开始,结束,班级,课程\n1,1,8点,8:40,x,\n')).toBe(
      '课表第 2 行：开始时间“8点”无法识别，请写成 08:50 这样的 24 小时制 / timetable line 2: start time "8点" is not HH:MM',
    );
    expect(chinese('1,1,8:00,9点,x,\n')).toBe('课表第 1 行：结束时间“9点”无法识别，请写成 08:50 这样的 24 小时制');
    expect(chinese('星期八,1,8:00,8:40,x,\n')).toBe('课表第 1 行：星期“星期八”无法识别，请写成星期一到星期日（或 1 到 7）');
    // 第一节 is read now (a school's sheet writes it so: see "reads periods in Chinese numerals"); past 20 is still refused by name.
    expect(chinese('星期一,第二十一节,8:00,8:40,x,\n')).toBe('课表第 1 行：节次“第二十一节”无法识别，请写成 1 到 20 的整数');
    expect(chinese('星期一,第一二节,8:00,8:40,x,\n')).toBe('课表第 1 行：节次“第一二节”无法识别，请写成 1 到 20 的整数');
    expect(chinese('星期一,21,8:00,8:40,x,\n')).toBe('课表第 1 行：节次“21”无法识别，请写成 1 到 20 的整数');
    expect(chinese('星期一,1,8:00,,x,\n')).toBe('课表第 1 行：结束时间这一栏是空的，请写成 08:50 这样的 24 小时制');
    expect(chinese('星期一,1,8:00,24:10,x,\n')).toMatch(/结束时间“24:10”无法识别/);
    expect(chinese(`星期一,1,8:00,8:40,${'班'.repeat(101)},\n`)).toBe('课表第 1 行：班级这一栏超过 100 个字，请写短一些');
    // No reason is left in English only.
    for (const csv of ['1,1,8点,8:40,x,\n', 'x,1,8:00,8:40,x,\n', '1,0,8:00,8:40,x,\n', '1,1,9:00,8:00,x,\n', ',1,8:00,8:40,x,\n']) {
      expect(chinese(csv)).toMatch(/^课表第 1 行：.*[\u4e00-\u9fff].*(请|须)/);
    }
  });

  it("reads a Chinese Excel's 上午/下午 times as 24-hour", () => {
    expect(parse('星期一,1,上午8:50,上午9:30,x,\n星期一,5,下午2:10,下午2:50,x,\n星期一,6,下午12:05,下午12:45,x,\n星期一,7,下午14:00,下午14:40,x,\n')).toMatchObject([
      { starts: '08:50', ends: '09:30' },
      { starts: '14:10', ends: '14:50' },
      { starts: '12:05', ends: '12:45' },
      { starts: '14:00', ends: '14:40' },
    ]);
    expect(parse('1,1,上午 8:50:00,上午 9:30:00,x,\n1,2,2:10 PM,2:50 PM,x,\n')).toMatchObject([
      { starts: '08:50', ends: '09:30' },
      { starts: '14:10', ends: '14:50' },
    ]);
    expect(chinese('1,1,上午13:00,下午2:00,x,\n')).toMatch(/开始时间“上午13:00”无法识别/);
  });
});

describe('timetable CSV: the full-width comma', () => {
  it("keeps a title's own “，” whole in Excel's comma-separated file", () => {
    // Excel quotes only cells with an ASCII comma: this title arrives unquoted, and was cut to 春天, another lesson.
    const csv = '星期,节次,开始,结束,班级,课程\r\n星期一,1,8:00,8:40,一（1）班,春天，你好（第一课时）\r\n';
    const r = parseTimetableCsv(csv, resolve);
    expect(r.entries).toEqual([{ weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '一（1）班', resourceId: 'demo/spring-1' }]);
    expect(r.unmatched).toEqual([]);
    // A tab-separated file (Excel's "Unicode 文本") too.
    expect(parse('星期\t节次\t开始\t结束\t班级\t课程\n星期一\t1\t8:00\t8:40\t一（1）班\t春天，你好（第一课时）\n')[0]!.resourceId).toBe('demo/spring-1');
  });

  it('separates cells with "，" in a file typed without ASCII commas or tabs', () => {
    const csv = '星期，节次，开始，结束，班级，课程\n星期一，1，8:00，8:40，一（1）班，分数的初步认识（第一课时）\n星期二，1，8:00，8:40，一（1）班，春天，你好（第一课时）\n星期三，1，8:00，8:40，一（1）班，\n，，，，，\n';
    expect(parse(csv)).toEqual([
      { weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '一（1）班', resourceId: 'demo/fs-v1' },
      // The lesson is the last column: a title's own "，" stays in it.
      { weekday: 2, period: 1, starts: '08:00', ends: '08:40', className: '一（1）班', resourceId: 'demo/spring-1' },
      { weekday: 3, period: 1, starts: '08:00', ends: '08:40', className: '一（1）班', resourceId: null },
    ]);
  });
});

describe('timetable CSV: lessons that name no resource, or several', () => {
  it('imports every period and lists the lesson cells it could not link', () => {
    const csv = '星期,节次,开始,结束,班级,课程\n星期一,1,8:00,8:40,三（2）班,数学\n星期一,2,8:55,9:35,三（2）班,分数的初步认识（第一课时）\n,,,,,\n星期一,3,10:00,10:40,三（2）班,学习任务单\n星期一,4,10:55,11:35,三（2）班,\n';
    // Before: the whole file refused at 数学 (no lesson "数学" in the library).
    const r = parseTimetableCsv(csv, resolve);
    expect(r.entries.map((e) => [e.period, e.resourceId])).toEqual([
      [1, null],
      [2, 'demo/fs-v1'],
      [3, null],
      [4, null],
    ]);
    expect(r.unmatched).toEqual([
      { line: 2, cell: '数学', matches: 0 },
      { line: 5, cell: '学习任务单', matches: 3 },
    ]);
  });

  it('still refuses the whole file for a row that is itself broken', () => {
    expect(() => parseTimetableCsv('1,1,8:00,8:40,x,数学\n1,2,8点,9:35,x,数学\n', resolve)).toThrow(/^课表第 2 行：开始时间“8点”/);
  });
});
