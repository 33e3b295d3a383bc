// A timetable file's 课程 cell naming a lesson as the textbook tree shows it (分数的初步认识,
// 2 花的学校) or by its lesson id, on a real library: the demo feed, and a second feed with
// another edition's 三角形的内角和.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFeed } from '../../main/feed/write';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';

let data: string;
let s: Services;
const HEADER = '星期,节次,开始,结束,班级,课程';
const DEMO = 'cn.classboard.demo';

beforeAll(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-timetable-lessons-'));
  s = hubServices(data, 't');
  await s.ensureDemoLibrary();
  // Another publisher's edition: a lesson of the same title as the demo's, and one whose title only it has.
  const nodes = [
    { id: 'bsd', parent: null, kind: 'edition' as const, title: '北师大版', order: 1 },
    { id: 'l-nj', parent: 'bsd', kind: 'lesson' as const, title: '三角形的内角和', order: 1 },
    { id: 'l-only', parent: 'bsd', kind: 'lesson' as const, title: '第3课 搭配中的学问', order: 2 },
  ];
  const resources = [
    { id: 'l-nj-v', node: 'l-nj', type: 'pdf' as const, title: '三角形内角和 课件', files: [] },
    { id: 'l-only-a', node: 'l-only', type: 'pdf' as const, title: '搭配（一）', files: [] },
    { id: 'l-only-b', node: 'l-only', type: 'pdf' as const, title: '搭配（二）', files: [] },
  ];
  await writeFeed(path.join(data, 'bsd'), { id: 'test.bsd', title: '北师大版', revision: 1, shards: [{ path: 'shards/a.json', nodes, resources }] });
  await s.importFeed(path.join(data, 'bsd'), { unsigned: true });
});
afterAll(() => {
  s.close();
  fs.rmSync(data, { recursive: true, force: true });
});

async function importCsv(rows: string[]) {
  const r = await s.router.invoke('timetable:import-csv', { csv: `${[HEADER, ...rows].join('\r\n')}\r\n` });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
async function wednesday() {
  const r = await s.router.invoke('timetable:today', { weekday: 3 });
  return r.ok ? r.value.lessons.map((l) => [l.period, l.resource?.id ?? null]) : [];
}

describe('timetable import naming a lesson', () => {
  it("links a lesson named by its title, its title without the contents' number, or its id, to its first resource", async () => {
    // Before: all but the last row said 资源库里没有找到 and were imported without their lesson.
    const r = await importCsv([
      '星期三,1,8:00,8:40,三年级(2)班,分数的初步认识',
      '星期三,2,8:50,9:30,三年级(2)班,l-hdxx',
      `星期三,3,10:00,10:40,三年级(2)班,${DEMO}/l-sjxnjh`,
      '星期三,4,10:50,11:30,三年级(2)班,分数的初步认识（第一课时）',
      // The tree shows "2 花的学校" and "第1节 声音的产生与传播": a school's sheet writes the name alone.
      '星期三,5,14:00,14:40,三年级(2)班,花的学校',
      '星期三,6,14:50,15:30,三年级(2)班,第1节 声音的产生与传播',
      '星期三,7,15:40,16:20,三年级(2)班,搭配中的学问',
    ]);
    expect(r.unmatched).toEqual([]);
    expect(await wednesday()).toEqual([
      [1, `${DEMO}/l-fs-v1`],
      [2, `${DEMO}/l-hdxx-v1`],
      [3, `${DEMO}/l-sjxnjh-v1`],
      [4, `${DEMO}/l-fs-v1`],
      [5, `${DEMO}/l-hdxx-v1`],
      [6, `${DEMO}/l-sy-v1`],
      [7, 'test.bsd/l-only-a'],
    ]);
  });

  it('keeps resource titles and ids linking as before, a resource id written without its feed too', async () => {
    // Cleared: a period whose cell names no lesson would keep the one the case above set.
    expect((await s.router.invoke('timetable:set', { entries: [] })).ok).toBe(true);
    const r = await importCsv([
      '星期三,1,8:00,8:40,三年级(2)班,三角形的内角和·板书图',
      `星期三,2,8:50,9:30,三年级(2)班,${DEMO}/l-fs-rw`,
      '星期三,3,10:00,10:40,三年级(2)班,l-sy-rw',
      '星期三,4,10:50,11:30,三年级(2)班,学习任务单',
      '星期三,5,14:00,14:40,三年级(2)班,数学',
    ]);
    expect(await wednesday()).toEqual([
      [1, `${DEMO}/l-sjxnjh-tu`],
      [2, `${DEMO}/l-fs-rw`],
      [3, `${DEMO}/l-sy-rw`],
      [4, null],
      [5, null],
    ]);
    expect(r.unmatched).toEqual([
      { line: 5, cell: '学习任务单', matches: 6 },
      { line: 6, cell: '数学', matches: 0 },
    ]);
  });

  it("leaves a lesson title two editions share unlinked and says how many it names, as a shared resource title is", async () => {
    const r = await importCsv(['星期三,1,8:00,8:40,四年级(1)班,三角形的内角和', '星期三,2,8:50,9:30,四年级(1)班,test.bsd/l-nj']);
    expect(r.unmatched).toEqual([{ line: 2, cell: '三角形的内角和', matches: 2 }]);
    const day = await s.router.invoke('timetable:today', { weekday: 3 });
    const fourth = day.ok ? day.value.lessons.filter((l) => l.className === '四年级(1)班').map((l) => [l.period, l.resource?.id ?? null]) : [];
    expect(fourth).toEqual([
      [1, null],
      [2, 'test.bsd/l-nj-v'],
    ]);
  });

  it('sets the lesson a row names over the one chosen for its period at the board', async () => {
    // The teacher chose the physics lesson for Wednesday's first period at the board (课表 → 选择课程).
    const chosen = { weekday: 3, period: 1, starts: '08:00', ends: '08:40', className: '三年级(3)班', resourceId: `${DEMO}/l-sy-v1` };
    expect((await s.router.invoke('timetable:set', { entries: [chosen] })).ok).toBe(true);
    // Before: 分数的初步认识 was "not found", so the period kept 声音的产生与传播 (保留了你已选的 1 节课的课程).
    const r = await importCsv(['星期三,第一节,8:00,8:40,三年级(3)班,分数的初步认识']);
    expect(r).toMatchObject({ saved: 1, kept: 0, unmatched: [] });
    expect(await wednesday()).toEqual([[1, `${DEMO}/l-fs-v1`]]);
  });
});
