// Timetable CSVs as school sheets are laid out and Excel/WPS save them: a weekday (or class)
// merged over its periods, the sheet's title above the header, one 时间 column of ranges.
import { describe, expect, it } from 'vitest';
import { decodeCsv } from '../../preload/contract/timetable';
import { parseTimetableCsv } from '../../main/library/timetable-csv';

const resolve = (cell: string) => (cell.endsWith('（第一课时）') ? [`demo/${cell}`] : []);
const parse = (csv: string) => parseTimetableCsv(csv, resolve);
const refusal = (csv: string) => {
  try {
    parse(csv);
  } catch (err) {
    return (err as Error).message.split(' / ')[0];
  }
  throw new Error('not refused');
};

describe('timetable CSV with merged cells', () => {
  it('takes an empty weekday and class as the ones above, as Excel saves a merged cell (GB18030)', () => {
    // 星期,节次,开始,结束,班级,课程 / 星期三,第一节,8:00,8:40,三年级(2)班,分数的初步认识（第一课时）
    // ,第二节,8:50,9:30,,花的学校（第一课时） / (blank) / ,第三节,10:00,10:40,三年级(2)班,三角形的内角和（第一课时）
    // 星期四,第一节,8:00,8:40,, / ，，，，， / ,,,,,
    const bytes = Buffer.from(
      'd0c7c6da2cbddab4ce2cbfaacabc2cbde1caf82cb0e0bcb62cbfceb3cc0d0ad0c7c6dac8fd2cb5dad2bbbdda2c383a30302c383a34302cc8fdc4eabcb6283229b0e02cb7d6cafdb5c4b3f5b2bdc8cfcab6a3a8b5dad2bbbfcecab1a3a90d0a2cb5dab6febdda2c383a35302c393a33302c2cbba8b5c4d1a7d0a3a3a8b5dad2bbbfcecab1a3a90d0a0d0a2cb5dac8fdbdda2c31303a30302c31303a34302cc8fdc4eabcb6283229b0e02cc8fdbdc7d0ceb5c4c4dabdc7bacda3a8b5dad2bbbfcecab1a3a90d0ad0c7c6dacbc42cb5dad2bbbdda2c383a30302c383a34302c2c0d0aa3aca3aca3aca3aca3ac0d0a2c2c2c2c2c0d0a',
      'hex',
    );
    // Before: 课表第 3 行：星期一栏是空的, and nothing imported.
    const r = parse(decodeCsv(bytes));
    expect(r.entries.map((e) => [e.weekday, e.period, e.className, e.resourceId])).toEqual([
      [3, 1, '三年级(2)班', 'demo/分数的初步认识（第一课时）'],
      [3, 2, '三年级(2)班', 'demo/花的学校（第一课时）'],
      [3, 3, '三年级(2)班', 'demo/三角形的内角和（第一课时）'],
      [4, 1, '三年级(2)班', null],
    ]);
    expect(r.lines).toEqual([2, 3, 5, 6]);
  });

  it('names the empty column in words no one reads as 星期一 (Monday) when the first row has none', () => {
    // Before: "星期一栏是空的" read as "the Monday column is empty".
    expect(refusal('星期,节次,开始,结束,班级,课程\n,1,8:00,8:40,x,\n')).toBe('课表第 2 行：星期这一栏是空的，请写星期一到星期日（或 1 到 7）');
    expect(refusal('星期一,,8:00,8:40,x,\n')).toBe('课表第 1 行：节次这一栏是空的，请写 1 到 20 的整数');
    expect(refusal('星期一,1,,8:40,x,\n')).toBe('课表第 1 行：开始时间这一栏是空的，请写成 08:50 这样的 24 小时制');
    expect(refusal(`星期一,1,8:00,8:40,${'班'.repeat(101)},\n`)).toBe('课表第 1 行：班级这一栏超过 100 个字，请写短一些');
    for (const csv of ['星期,节次,开始,结束,班级,课程\n,1,8:00,8:40,x,\n', '星期一,,8:00,8:40,x,\n', '星期一,1,8:00,,x,\n']) expect(refusal(csv)).not.toMatch(/[^这]一栏/);
  });
});

describe("timetable CSV with the sheet's title above the header", () => {
  it('finds the header below the title, leaves the title out and says so; reads a 时间 column of ranges (GB18030)', () => {
    // 2026-2027学年第一学期 三年级(2)班课表,,,,, / 星期,节次,时间,班级,课程
    // 星期三,第一节,8:00-8:40,三(2)班,分数的初步认识（第一课时） / ,第二节,8：50－9：30,,
    const bytes = Buffer.from(
      '323032362d32303237d1a7c4eab5dad2bbd1a7c6da20c8fdc4eabcb6283229b0e0bfceb1ed2c2c2c2c2c0d0ad0c7c6da2cbddab4ce2ccab1bce42cb0e0bcb62cbfceb3cc0d0ad0c7c6dac8fd2cb5dad2bbbdda2c383a30302d383a34302cc8fd283229b0e02cb7d6cafdb5c4b3f5b2bdc8cfcab6a3a8b5dad2bbbfcecab1a3a90d0a2cb5dab6febdda2c38a3ba3530a3ad39a3ba33302c2c0d0a',
      'hex',
    );
    // Before: 课表第 1 行：星期“2026-2027学年第一学期 三年级(2)班课表”无法识别.
    const r = parse(decodeCsv(bytes));
    expect(r.entries).toEqual([
      { weekday: 3, period: 1, starts: '08:00', ends: '08:40', className: '三(2)班', resourceId: 'demo/分数的初步认识（第一课时）' },
      { weekday: 3, period: 2, starts: '08:50', ends: '09:30', className: '三(2)班', resourceId: null },
    ]);
    expect(r.skipped).toEqual([{ line: 1, text: '2026-2027学年第一学期 三年级(2)班课表' }]);
    expect(r.lines).toEqual([3, 4]);
  });

  it('looks a few lines down only, and reads a first line starting with a weekday as a lesson', () => {
    const notes = ['三年级(2)班课表', '班主任：王老师', '教室：302', '启用日期：9月1日', '备注'];
    expect(() => parse(`${notes.join('\n')}\n星期,节次,开始,结束\n星期一,1,8:00,8:40\n`)).toThrow(/第 1 行/);
    expect(parse(`${notes.slice(0, 2).join('\n')}\n星期,节次,开始,结束\n星期一,1,8:00,8:40\n`).skipped.map((s) => s.line)).toEqual([1, 2]);
    const r = parse('星期一,1,8:00,8:40,x,\n星期二,1,8:00,8:40,x,\n');
    expect(r).toMatchObject({ skipped: [], lines: [1, 2] });
  });

  it('reads the ranges school sheets write in a 时间 column', () => {
    const ranges = ['8:00-8:40', '8:00–8:40', '8:00—8:40', '8:00~8:40', '8:00～8:40', '8：00－8：40', '8:00 - 8:40', '08:00至08:40', '上午8:00-8:40'];
    const csv = `星期,节次,时间\n${ranges.map((t, i) => `星期一,${i + 1},${t}`).join('\n')}\n`;
    expect(parse(csv).entries.map((e) => `${e.starts}-${e.ends}`)).toEqual(ranges.map(() => '08:00-08:40'));
    // A half-day word written once is for both ends: 下午2:10-2:50 ends at 14:50, not before it starts.
    expect(parse('星期,节次,时间\n星期一,5,下午2:10-2:50\n').entries[0]).toMatchObject({ starts: '14:10', ends: '14:50' });
    expect(refusal('星期,节次,时间\n星期一,1,8:00\n')).toBe('课表第 2 行：时间“8:00”无法识别，请写成 8:00-8:40 这样的起止时间');
    expect(refusal('星期,节次,时间\n星期一,1,\n')).toBe('课表第 2 行：时间这一栏是空的，请写成 8:00-8:40 这样的起止时间');
    // With 开始 and 结束 named, a 时间 column beside them is not read.
    expect(parse('星期,节次,开始,结束,时间\n星期一,1,8:00,8:40,上午\n').entries[0]).toMatchObject({ starts: '08:00', ends: '08:40' });
  });
});

describe('timetable CSV headers as school sheets word them', () => {
  it('reads a 上课时间 column of ranges when the sheet has no end column', () => {
    // Before: 课表第 2 行：开始时间“8:00-8:40”无法识别 (上课时间 was the start, 班级 the end).
    const r = parse('星期,节次,上课时间,班级,课程\n星期一,1,8:00-8:40,三(2)班,分数的初步认识（第一课时）\n,2,8：50～9：30,,花的学校\n');
    expect(r.entries).toEqual([
      { weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '三(2)班', resourceId: 'demo/分数的初步认识（第一课时）' },
      { weekday: 1, period: 2, starts: '08:50', ends: '09:30', className: '三(2)班', resourceId: null },
    ]);
    // In another order, and in English.
    expect(parse('班级,星期,节次,开始时间\n三(2)班,星期二,3,下午2:10-2:50\n').entries[0]).toMatchObject({ weekday: 2, starts: '14:10', ends: '14:50', className: '三(2)班' });
    expect(parse('weekday,period,start,class\nMon,1,8:00 - 8:40,3-2\n').entries[0]).toMatchObject({ starts: '08:00', ends: '08:40', className: '3-2' });
    // A lone time there has no end: said so, not "无法识别".
    expect(refusal('星期,节次,上课时间,班级\n星期一,1,8:00,三(2)班\n')).toBe(
      '课表第 2 行：上课时间“8:00”只有开始，表里也没有下课时间这一栏，请写成 8:00-8:40 这样的起止时间，或加一栏下课时间',
    );
    // With an end column beside it, 上课时间 is still the start.
    expect(parse('星期,节次,上课时间,下课时间\n星期一,1,8:00,8:40\n').entries[0]).toMatchObject({ starts: '08:00', ends: '08:40' });
  });

  it('reads 班级名称 and 课程名称 as the class and the lesson', () => {
    // Before: both columns dropped without a word, every period imported with no class and no lesson.
    const r = parse('星期,节次,开始,结束,班级名称,课程名称\n星期三,1,8:00,8:40,三(2)班,分数的初步认识（第一课时）\n');
    expect(r.entries).toEqual([{ weekday: 3, period: 1, starts: '08:00', ends: '08:40', className: '三(2)班', resourceId: 'demo/分数的初步认识（第一课时）' }]);
  });

  it('names a header it does not know when the class or the lesson column is missing, instead of importing them empty', () => {
    // Before: imported, with an empty class in every row and no lesson.
    expect(refusal('星期,节次,开始,结束,年级班级,课程\n星期一,1,8:00,8:40,三(2)班,分数的初步认识（第一课时）\n')).toBe(
      '课表表头里的“年级班级”无法识别，表里也没有班级这一栏：如果它是班级，请把表头改成“班级”；如果不是，请删掉这一栏再导入',
    );
    expect(refusal('星期,节次,时间,班别,课题\n星期一,1,8:00-8:40,三(2)班,分数\n')).toBe(
      '课表表头里的“班别”“课题”无法识别，表里也没有班级和课程这两栏：请把班级、课程那两栏的表头改成“班级”“课程”，用不上的栏删掉，再导入',
    );
    expect(() => parse('weekday,period,starts,ends,class,topic\nMon,1,8:00,8:40,3-2,x\n')).toThrow(
      'the timetable header "topic" is not a known column, and there is no lesson column: if it is the lesson, name it "课程" (or "lesson"); if not, delete the column and import again',
    );
    // A column beside a known class and lesson (任课教师, 备注) is left out, as before; so is a sheet with neither and nothing else.
    expect(parse('星期,节次,开始,结束,班级,课程,任课教师\n星期一,1,8:00,8:40,三(2)班,,王老师\n').entries[0]).toMatchObject({ className: '三(2)班' });
    expect(parse('星期,节次,开始,结束\n星期一,1,8:00,8:40\n').entries[0]).toMatchObject({ className: '', resourceId: null });
  });

  it('imports one class’s sheet with a 任课教师 or 备注 column beside its lessons (those are never the class)', () => {
    const r = parse('星期,节次,时间,课程,任课教师,备注\n星期一,1,8:00-8:40,分数的初步认识（第一课时）,王老师,\n');
    expect(r.entries).toEqual([{ weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '', resourceId: 'demo/分数的初步认识（第一课时）' }]);
  });
});
