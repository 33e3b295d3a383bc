// `classboard timetable import` of one class teacher's sheet after another's, and
// `timetable list`, as a school's IT admin runs them: the built bin, a real data folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../fixtures/cli';

let data: string;
const cli = (...args: string[]) => cliIn(data, ...args);
const HEADER = '星期,节次,开始,结束,班级,课程';
function sheet(name: string, rows: string[]) {
  const file = path.join(data, name);
  fs.writeFileSync(file, `${[HEADER, ...rows].join('\n')}\n`);
  return file;
}
const lines = (r: { stdout: string }) => r.stdout.trim().split('\n');

beforeAll(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-timetable-'));
  const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8'));
  expect((await cli('import', 'assets/demo-feed', '--key', `${pub.keyId}=${pub.publicKey}`)).code).toBe(0);
});
afterAll(() => fs.rmSync(data, { recursive: true, force: true }));

describe('classboard timetable', () => {
  it('lists nothing yet, saying how to import', async () => {
    const r = await cli('timetable', 'list');
    expect(r.code).toBe(0);
    expect(lines(r)).toEqual(['还没有课表。可用 classboard timetable import 课表.csv 导入，或在课表页逐节添加。']);
    expect(JSON.parse((await cli('--json', 'timetable', 'list')).stdout)).toEqual({ periods: [] });
  });

  it("imports one class's sheet after another's, keeping both, and says what it replaced and what it left", async () => {
    const a = sheet('a.csv', ['周一,1,8:00,8:40,三(1)班,花的学校（第一课时）', '周二,1,8:00,8:40,三(1)班,找春天（第一课时）']);
    const b = sheet('b.csv', ['周一,1,8:00,8:40,三(2)班,']);
    expect(lines(await cli('timetable', 'import', a))).toEqual(['已导入课表：2 节课（三(1)班）']);
    // Before: 已导入课表：1 节课, and 三(1)班's periods were gone.
    const r = await cli('timetable', 'import', b);
    expect(r.stderr).toBe('');
    expect(lines(r)).toEqual(['已导入课表：1 节课（三(2)班）', '其他班级的 2 节课未改动（三(1)班 2 节）']);
    // 三(1)班's sheet again, with one period: its two are replaced. The row without a class comes first: under a
    // row naming one, an empty class is that one (a merged cell).
    const again = await cli('timetable', 'import', sheet('a2.csv', ['周三,3,9:50,10:30,,', '周三,2,9:00,9:40,三(1)班,找春天（第一课时）']));
    expect(lines(again)).toEqual(['已导入课表：2 节课（未写班级 1 节、三(1)班 1 节）', '替换了三(1)班原有的 2 节课；其他班级的 1 节课未改动（三(2)班 1 节）']);
    const json = JSON.parse((await cli('--json', 'timetable', 'import', b)).stdout);
    expect(json).toMatchObject({ saved: 1, kept: 0, unmatched: [], classes: [{ className: '三(2)班', saved: 1, replaced: 1 }], warnings: [] });

    const list = await cli('timetable', 'list');
    expect(list.code).toBe(0);
    expect(lines(list)).toEqual([
      '星期一  第  1 节  08:00–08:40  三(2)班  未选课程',
      '星期三  第  2 节  09:00–09:40  三(1)班  找春天（第一课时）',
      '星期三  第  3 节  09:50–10:30  未写班级  未选课程',
      '共 3 节课',
    ]);
    const listed = JSON.parse((await cli('--json', 'timetable', 'list')).stdout);
    expect(listed.periods).toHaveLength(3);
    expect(listed.periods[1]).toEqual({
      weekday: 3,
      period: 2,
      starts: '09:00',
      ends: '09:40',
      className: '三(1)班',
      lesson: { id: expect.stringMatching(/^cn\.classboard\.demo\//), title: '找春天（第一课时）', ready: expect.any(Boolean) },
    });
  });

  it('reads a header with the columns in another order, takes 第1节, and warns of overlapping periods and one in the night', async () => {
    const file = path.join(data, 'order.csv');
    fs.writeFileSync(file, '班级,节次,星期,开始,结束,课程\n三(2)班,第1节,周四,8:00,8:40,\n三(2)班,第2节,周四,8:30,9:10,\n三(2)班,第3节,周五,上午12:30,上午1:10,\n');
    const r = await cli('timetable', 'import', file);
    expect(r.code).toBe(0);
    expect(lines(r)).toEqual([
      '已导入课表：3 节课（三(2)班）',
      '替换了三(2)班原有的 1 节课；其他班级的 2 节课未改动（三(1)班 1 节、未写班级 1 节）',
      '注意：第 4 行 星期五第 3 节 00:30–01:10 在半夜，已照文件导入，请检查（上午12:30 是半夜 0:30；中午的 12:30 请写 12:30 或 下午12:30）',
      '注意：星期四 三(2)班 第 1 节（08:00–08:40，第 2 行）与第 2 节（08:30–09:10，第 3 行）时间重叠，已照文件导入，请检查',
    ]);
  });

  it('sets the lesson a row names by its title or lesson id over the one chosen before, below the sheet\'s title', async () => {
    // The physics lesson chosen for Wednesday's first period of 三年级(2)班 (at the board, or by an earlier file).
    const before = path.join(data, 'physics.csv');
    fs.writeFileSync(before, `${HEADER}\n星期三,1,8:00,8:40,三年级(2)班,声音的产生与传播（第一课时）\n`);
    expect((await cli('timetable', 'import', before)).code).toBe(0);
    // Before: 分数的初步认识, l-hdxx and cn.classboard.demo/l-sjxnjh were 资源库里没有找到, and period 1 kept the physics lesson.
    const file = path.join(data, 'lessons.csv');
    const rows = ['星期三,1,8:00,8:40,三年级(2)班,分数的初步认识', ',2,8:50,9:30,,l-hdxx', ',3,10:00,10:40,,cn.classboard.demo/l-sjxnjh'];
    fs.writeFileSync(file, `2026-2027学年第一学期 三年级(2)班课表,,,,,\r\n${HEADER}\r\n${rows.join('\r\n')}\r\n`);
    const r = await cli('timetable', 'import', file);
    expect(r.stderr).toBe('');
    expect(lines(r)[0]).toBe('已导入课表：3 节课（三年级(2)班）');
    expect(lines(r)).toContain('表头上方的第 1 行（2026-2027学年第一学期 三年级(2)班课表）不是课，未导入');
    expect(lines(await cli('timetable', 'list')).filter((l) => l.includes('三年级(2)班'))).toEqual([
      '星期三  第  1 节  08:00–08:40  三年级(2)班  分数的初步认识（第一课时）',
      '星期三  第  2 节  08:50–09:30  三年级(2)班  花的学校（第一课时）',
      '星期三  第  3 节  10:00–10:40  三年级(2)班  三角形的内角和（第一课时）',
    ]);
  });
});
