// 课表 end to end: from the home screen to the timetable page, a period added with
// its lesson found by search, the school's spreadsheet imported (Excel's GB18030
// CSV), a period removed, and a period that cannot be refused in words; the add
// form opens on today's first free period and keeps a lesson's length.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFeed } from '../../main/feed/write';
import { schoolWeekday } from '../../preload/contract';
import { hubApi, newBoardPage, shot, useBoardSession } from './harness';

/** A period's row: its time, class and lesson title, then (after the lesson's place in the textbook, WherePath) its 更换 button. */
function expectLessonRow(text: string | null, before: string): void {
  expect(text).toContain(before);
  expect(text!.slice(text!.indexOf(before) + before.length)).toContain('更换');
}

const run = promisify(execFile);
/** A platform's lesson title can be long: it must wrap in its own column, not squeeze the others. */
const LONG_TITLE = '探究三角形的内角和：用量角器量、剪拼和折叠三种方法，发现任意三角形的三个内角之和都是 180°，并用这一结论解决生活中的实际问题（第一课时·人教版四年级下册）';
let tmp: string;
// The demo library, and a folder feed with one long-titled lesson, imported as an admin would before the hub starts.
const session = useBoardSession({
  hubArgs: ['--no-schedule'],
  prepare: async (data) => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-timetable-'));
    const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8')) as { keyId: string; publicKey: string };
    await run(process.execPath, ['bin/classboard.js', '--data', data, 'import', 'assets/demo-feed', '--key', `${pub.keyId}=${pub.publicKey}`]);
    const nodes = [
      { id: 'xx', parent: null, kind: 'stage' as const, title: '小学', order: 1 },
      { id: 'l1', parent: 'xx', kind: 'lesson' as const, title: '三角形的内角和', order: 1 },
      { id: 'l2', parent: 'xx', kind: 'lesson' as const, title: '单元练习', order: 2 },
    ];
    // Eight more lessons for 春天: with the demo's 找春天, more than the lesson search shows at first.
    const spring = Array.from({ length: 8 }, (_, i) => ({ id: `s${i + 1}`, node: 'l2', type: 'pdf' as const, title: `春天来了（第${i + 1}课时）`, files: [] }));
    await writeFeed(path.join(tmp, 'long'), { id: 'test.long', title: '长标题', revision: 1, shards: [{ path: 'shards/a.json', nodes, resources: [{ id: 'r1', node: 'l1', type: 'pdf', title: LONG_TITLE, files: [] }, ...spring] }] });
    await run(process.execPath, ['bin/classboard.js', '--data', data, 'import', path.join(tmp, 'long'), '--unsigned']);
  },
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
/** Today in school time, as the hub's 今日课表 counts it. */
const today = schoolWeekday();
const DAYS = ['星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'];
// "星期,节次,开始,结束,班级,课程" and two periods on Tuesday for 三（2）班, as Excel saves CSV on a Chinese Windows.
const GB18030_CSV = Buffer.from(
  'd0c7c6da2cbddab4ce2cbfaacabc2cbde1caf82cb0e0bcb62cbfceb3cc0ad0c7c6dab6fe2c312c383a30302c383a34302cc8fda3a832a3a9b0e02c0ad0c7c6dab6fe2c322c383a35352c393a33352cc8fda3a832a3a9b0e02c0a',
  'hex',
);

/** An import replaces only the classes its file names: a case that counts its own rows starts from an empty timetable. */
async function clearTimetable() {
  expect((await hubApi(session.hub, 'timetable:set', { entries: [] })).ok).toBe(true);
}

/** A time on the form's 24-hour hour and minute pickers. */
async function setTime(page: Page, label: string, hhmm: string) {
  await page.getByLabel(`${label}（时）`, { exact: true }).selectOption(hhmm.slice(0, 2));
  await page.getByLabel(`${label}（分）`, { exact: true }).selectOption(hhmm.slice(3));
}
async function timeOf(page: Page, label: string): Promise<string> {
  return `${await page.getByLabel(`${label}（时）`, { exact: true }).inputValue()}:${await page.getByLabel(`${label}（分）`, { exact: true }).inputValue()}`;
}
/** How many lines a table cell's text takes. */
async function linesOf(page: Page, row: number, column: number): Promise<number> {
  return page.getByRole('table', { name: '课表' }).getByRole('row').nth(row).getByRole('cell').nth(column).evaluate((cell) => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    return tops.size;
  });
}

describe('the timetable', () => {
  it('is reached from the home screen and takes a period with a lesson found by search', async () => {
    const { page } = session;
    await page.goto(session.hub.url);
    await page.getByRole('button', { name: '编辑课表' }).click();
    await expect.poll(() => page.getByRole('heading', { name: '课表', exact: true }).count()).toBe(1);
    await expect.poll(() => page.getByText(/还没有课表/).count()).toBe(1);
    await page.getByLabel('星期').selectOption({ label: DAYS[today - 1]! });
    await page.getByLabel('班级').fill('三（2）班');
    await page.getByRole('searchbox', { name: '课程资源（搜索）' }).fill('分数的初步认识');
    await page.getByRole('button', { name: /^分数的初步认识（第一课时）/ }).first().click();
    await expect.poll(() => page.getByText('已选：分数的初步认识（第一课时）').count()).toBe(1);
    await page.getByRole('button', { name: '添加', exact: true }).click();
    await expect.poll(() => page.getByText('课表已保存（1 节课）').count()).toBe(1);
    await expect.poll(() => page.getByRole('table', { name: '课表' }).getByRole('row').count()).toBe(2);
    // The form moves on to the next period: ten minutes after this one ends, as long, no lesson chosen.
    await expect.poll(() => page.getByLabel('节次').inputValue()).toBe('2');
    expect(await timeOf(page, '上课时间')).toBe('08:50');
    expect(await timeOf(page, '下课时间')).toBe('09:30');
    expect(await page.getByText(/^已选：/).count()).toBe(0);
    // The same period again is refused by the timetable; the form keeps what was typed.
    await page.getByLabel('节次').fill('1');
    await setTime(page, '上课时间', '08:05');
    await setTime(page, '下课时间', '08:45');
    await page.getByRole('searchbox', { name: '课程资源（搜索）' }).fill('量角器');
    await page.getByRole('button', { name: /^探究三角形的内角和：/ }).first().click();
    await page.getByRole('button', { name: '添加', exact: true }).click();
    await expect.poll(() => page.getByText(/第 1 节（三（2）班）出现了两次/).count()).toBe(1);
    expect(await page.getByLabel('节次').inputValue()).toBe('1');
    expect(await timeOf(page, '上课时间')).toBe('08:05');
    expect(await timeOf(page, '下课时间')).toBe('08:45');
    expect(await page.getByText(`已选：${LONG_TITLE}`).count()).toBe(1);
    expect(await page.getByLabel('班级').inputValue()).toBe('三（2）班');
    // An empty 节次 is named in Chinese, not zod's English.
    await page.getByLabel('节次').fill('');
    await page.getByRole('button', { name: '添加', exact: true }).click();
    await expect.poll(() => page.getByText(/^请填写节次/).count()).toBe(1);
    expect(await page.getByText(/Too small|expected number/).count()).toBe(0);
    // As period 2, then the third follows the second.
    await page.getByLabel('节次').fill('2');
    await page.getByRole('button', { name: '添加', exact: true }).click();
    await expect.poll(() => page.getByText('课表已保存（2 节课）').count()).toBe(1);
    expect(await timeOf(page, '上课时间')).toBe('08:55');
    expect(await timeOf(page, '下课时间')).toBe('09:35');
    await page.getByRole('button', { name: '添加', exact: true }).click();
    await expect.poll(() => page.getByText('课表已保存（3 节课）').count()).toBe(1);
    const rows = page.getByRole('table', { name: '课表' }).getByRole('row');
    expect(await rows.nth(3).textContent()).toContain('08:55–09:35');
    expect(await timeOf(page, '上课时间')).toBe('09:45');
    expect(await timeOf(page, '下课时间')).toBe('10:25');
    // At 1920×1080 the short columns stay on one line beside a long title, which wraps in its own; the pickers are large enough to tap.
    for (const column of [0, 1, 2, 3]) expect(await linesOf(page, 2, column)).toBe(1);
    expect(await linesOf(page, 2, 4)).toBeGreaterThan(1);
    const remove = await rows.nth(2).getByRole('button', { name: /^删除/ }).boundingBox();
    expect(remove!.width).toBeGreaterThan(remove!.height);
    for (const picker of ['上课时间（时）', '上课时间（分）', '下课时间（时）', '下课时间（分）']) {
      expect((await page.getByLabel(picker, { exact: true }).boundingBox())!.height).toBeGreaterThanOrEqual(64);
    }
    await shot(page, 'timetable');
    for (const n of [3, 2]) {
      await page.getByRole('button', { name: `删除${DAYS[today - 1]}第 ${n} 节` }).click();
      await expect.poll(() => page.getByText(`课表已保存（${n - 1} 节课）`).count()).toBe(1);
    }
    // Today's list on the home screen shows it, with its ready mark.
    await page.getByRole('button', { name: '首页' }).click();
    await expect.poll(() => page.getByRole('button', { name: /^第 1 节 \d\d:\d\d 三（2）班 分数的初步认识（第一课时） (已就绪|未下载)$/ }).count()).toBe(1);
  });

  it("imports the school's spreadsheet saved as CSV by Excel (GB18030), replacing what was there", async () => {
    const { page } = session;
    await page.getByRole('button', { name: '编辑课表' }).click();
    await page.getByLabel('选择文件').setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: GB18030_CSV });
    await expect.poll(() => page.getByText('已导入课表：2 节课').count()).toBe(1);
    const rows = page.getByRole('table', { name: '课表' }).getByRole('row');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(1).textContent()).toContain('星期二');
    expect(await rows.nth(1).textContent()).toContain('三（2）班');
  });

  it('removes a period, and refuses one that ends before it starts', async () => {
    const { page } = session;
    await page.getByRole('button', { name: '删除星期二第 2 节' }).click();
    await expect.poll(() => page.getByText('课表已保存（1 节课）').count()).toBe(1);
    await setTime(page, '上课时间', '09:00');
    await setTime(page, '下课时间', '08:00');
    await page.getByRole('button', { name: '添加', exact: true }).click();
    await expect.poll(() => page.getByText(/^下课时间须晚于上课时间/).count()).toBe(1);
    await expect.poll(() => page.getByRole('table', { name: '课表' }).getByRole('row').count()).toBe(2);
  });

  it('the sync page of a board with only the demo library says no platform is subscribed', async () => {
    const { page } = session;
    await page.goto(`${session.hub.url}#/sync`);
    await expect.poll(() => page.getByText(/^还没有订阅资源平台或学校中心服务/).count()).toBe(1);
  });

  it("opens the add form on today's first free period, keeps a lesson's length when its start moves, and moves on after an add", async () => {
    // Its own page, its clock on Thursday 07:30 at school, before the first bell (still Wednesday 23:30 in UTC,
    // this browser's zone). After every case on the shared page: while it is in front, the shared page's timers are throttled.
    await clearTimetable();
    const board = await newBoardPage(session.browser);
    await board.clock.setFixedTime(new Date('2026-12-02T23:30:00Z'));
    try {
      await board.goto(`${session.hub.url}#/timetable`);
      const form = board.getByRole('region', { name: '添加一节课' });
      // Thursday has periods 1, 2 and 4; Monday's 3 and 4 give those periods' times.
      const csv = ['星期,节次,开始,结束,班级,课程', '星期四,1,8:00,8:45,四（1）班,', '星期四,2,8:55,9:40,四（1）班,', '星期四,4,10:55,11:40,四（1）班,', '星期一,3,10:00,10:45,四（1）班,', '星期一,4,10:55,11:40,四（1）班,'].join('\n');
      await board.getByLabel('选择文件').setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await expect.poll(() => board.getByText('已导入课表：5 节课').count()).toBe(1);
      // A teacher opening the page now: today, the first period today lacks, with its times from Monday.
      await board.reload();
      await expect.poll(() => board.getByRole('table', { name: '课表' }).getByRole('row').count()).toBe(6);
      expect(await form.getByLabel('星期').inputValue()).toBe('4');
      expect(await form.getByLabel('节次').inputValue()).toBe('3');
      expect(await timeOf(board, '上课时间')).toBe('10:00');
      expect(await timeOf(board, '下课时间')).toBe('10:45');
      // A later start takes the end along: the lesson stays 45 minutes.
      await setTime(board, '上课时间', '10:30');
      expect(await timeOf(board, '下课时间')).toBe('11:15');
      // An end set by hand stays where it was put, unless the start passes it; then the length before is kept.
      await setTime(board, '下课时间', '11:20');
      await setTime(board, '上课时间', '10:35');
      expect(await timeOf(board, '下课时间')).toBe('11:20');
      await setTime(board, '上课时间', '12:35');
      expect(await timeOf(board, '下课时间')).toBe('13:20');
      // Added as period 3; period 4 is taken, so the form moves on to 5, ten minutes after 4 ends and as long.
      await setTime(board, '上课时间', '10:00');
      await setTime(board, '下课时间', '10:45');
      await board.getByLabel('班级').fill('四（1）班');
      await board.getByRole('button', { name: '添加', exact: true }).click();
      await expect.poll(() => board.getByText('课表已保存（6 节课）').count()).toBe(1);
      expect(await board.getByRole('table', { name: '课表' }).getByRole('row').nth(5).textContent()).toContain('星期四第 3 节10:00–10:45四（1）班');
      expect(await form.getByLabel('星期').inputValue()).toBe('4');
      expect(await form.getByLabel('节次').inputValue()).toBe('5');
      expect(await timeOf(board, '上课时间')).toBe('11:50');
      expect(await timeOf(board, '下课时间')).toBe('12:35');
      // The new period's end is the form's own again: it follows the start.
      await setTime(board, '上课时间', '14:00');
      expect(await timeOf(board, '下课时间')).toBe('14:45');
      // Another day opens on its own first free period: Monday lacks 1, which starts as Thursday's does.
      await form.getByLabel('星期').selectOption({ label: '星期一' });
      expect(await form.getByLabel('节次').inputValue()).toBe('1');
      expect(await timeOf(board, '上课时间')).toBe('08:00');
      expect(await timeOf(board, '下课时间')).toBe('08:45');
    } finally {
      await board.close();
    }
  });

  it('says in Chinese what is wrong with a refused file: the cell, and what to write instead', async () => {
    // Its own page, as the case above, so a throttled shared page is no matter.
    const board = await newBoardPage(session.browser);
    try {
      await board.goto(`${session.hub.url}#/timetable`);
      await expect.poll(() => board.getByRole('table', { name: '课表' }).count()).toBe(1);
      const csv = '星期,节次,开始,结束,班级,课程\n星期五,1,8点50,9:30,四（1）班,\n';
      await board.getByLabel('选择文件').setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      // Before: 课表第 2 行无法识别, the reason only in the English half the page does not show.
      await expect.poll(() => board.getByRole('status').textContent()).toBe('课表第 2 行：开始时间“8点50”无法识别，请写成 08:50 这样的 24 小时制');
      // Refused whole: the timetable is as it was (the six periods of the case above).
      expect(await board.getByRole('table', { name: '课表' }).getByRole('row').count()).toBe(7);
    } finally {
      await board.close();
    }
  });

  it("imports a school's real timetable: subjects, 上午/下午 times, a title with a full-width comma, and says which periods have no lesson", async () => {
    await clearTimetable();
    const board = await newBoardPage(session.browser);
    try {
      await board.goto(`${session.hub.url}#/timetable`);
      // Empty: the page shows no table until the import.
      await expect.poll(() => board.getByLabel('选择文件').count()).toBe(1);
      // As Excel saves it on a Chinese Windows (GB18030, CRLF, a trailing ",,,,,"), the long title unquoted though it holds "，":
      // 星期,节次,开始,结束,班级,课程 / 星期五,1,上午8:00,上午8:40,四（1）班,数学 / 星期五,2,上午8:50,上午9:30,四（1）班,LONG_TITLE
      // 星期五,3,下午2:10,下午2:50,四（1）班,学习任务单 / ,,,,,
      const csv = Buffer.from(
        'd0c7c6da2cbddab4ce2cbfaacabc2cbde1caf82cb0e0bcb62cbfceb3cc0d0ad0c7c6dacee52c312cc9cfcee7383a30302cc9cfcee7383a34302ccbc4a3a831a3a9b0e02ccafdd1a70d0a' +
          'd0c7c6dacee52c322cc9cfcee7383a35302cc9cfcee7393a33302ccbc4a3a831a3a9b0e02cccbdbebfc8fdbdc7d0ceb5c4c4dabdc7bacda3bad3c3c1bfbdc7c6f7c1bfa1a2bcf4c6b4bacdd5dbb5fec8fdd6d6b7bdb7a8a3acb7a2cfd6c8ced2e2c8fdbdc7d0ceb5c4c8fdb8f6c4dabdc7d6aebacdb6bccac720313830a1e3a3acb2a2d3c3d5e2d2bbbde1c2dbbde2bef6c9fabbeed6d0b5c4cab5bccacecacce2a3a8b5dad2bbbfcecab1a1a4c8cbbdccb0e6cbc4c4eabcb6cfc2b2e1a3a90d0a' +
          'd0c7c6dacee52c332ccfc2cee7323a31302ccfc2cee7323a35302ccbc4a3a831a3a9b0e02cd1a7cfb0c8cecef1b5a50d0a2c2c2c2c2c0d0a',
        'hex',
      );
      await board.getByLabel('选择文件').setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: csv });
      // Before: refused whole at 数学 (no lesson "数学" in the library), and the title cut at its "，".
      const note = board.getByRole('status');
      await expect.poll(() => note.textContent()).toMatch(/^已导入 3 节课；其中 2 节的课程没有对应到资源库里的课（第 2 行“数学”：没有找到；第 4 行“学习任务单”：有 \d+ 个同名资源），/);
      expect(await note.textContent()).toMatch(/点这几节的“选择课程”选课/);
      const rows = board.getByRole('table', { name: '课表' }).getByRole('row');
      await expect.poll(() => rows.count()).toBe(4);
      expect(await rows.nth(1).textContent()).toContain('08:00–08:40四（1）班未选课程选择课程');
      expect(await rows.nth(2).textContent()).toContain(`08:50–09:30四（1）班${LONG_TITLE}`);
      expect(await rows.nth(3).textContent()).toContain('14:10–14:50四（1）班未选课程选择课程');
      await shot(board, 'timetable-import-unmatched');
    } finally {
      await board.close();
    }
  });

  it('gives a period imported without its lesson one in place, and finds a lesson past the first six', async () => {
    await clearTimetable();
    const board = await newBoardPage(session.browser);
    try {
      await board.goto(`${session.hub.url}#/timetable`);
      await expect.poll(() => board.getByLabel('选择文件').count()).toBe(1);
      const csv = '星期,节次,开始,结束,班级,课程\n星期三,1,8:00,8:40,二（3）班,语文\n星期三,2,8:50,9:30,二（3）班,找春天（第一课时）\n';
      await board.getByLabel('选择文件').setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await expect.poll(() => board.getByRole('status').textContent()).toMatch(/^已导入 2 节课；其中 1 节/);
      const rows = board.getByRole('table', { name: '课表' }).getByRole('row');
      await expect.poll(() => rows.count()).toBe(3);
      // Before: the row said （未安排资源） and had only 删除; the teacher removed it and added it again by hand.
      expect(await rows.nth(1).textContent()).toContain('08:00–08:40二（3）班未选课程选择课程');
      expectLessonRow(await rows.nth(2).textContent(), '08:50–09:30二（3）班找春天（第一课时）');
      const choose = board.getByRole('button', { name: '为星期三第 1 节（二（3）班）选择课程' });
      expect((await choose.boundingBox())!.height).toBeGreaterThanOrEqual(64);
      await choose.click();
      const chooser = board.getByRole('region', { name: '为星期三第 1 节（二（3）班）选择课程' });
      const search = chooser.getByRole('searchbox', { name: '搜索课程' });
      // Ready to type: the search has the focus.
      await expect.poll(() => search.evaluate((el) => el === document.activeElement)).toBe(true);
      await search.fill('春天');
      // Ten resources for 春天 (the eight above, 找春天 and its lesson's 学习任务单): six at first, said so, and 显示更多 brings the rest after them.
      await expect.poll(() => chooser.getByText('共 10 个结果，显示前 6 个').count()).toBe(1);
      const results = chooser.locator('.rows').getByRole('button');
      expect(await results.count()).toBe(6);
      const firstSix = await results.locator('.row__title').allTextContents();
      await shot(board, 'timetable-choose-lesson');
      const more = chooser.getByRole('button', { name: '显示更多' });
      expect((await more.boundingBox())!.height).toBeGreaterThanOrEqual(64);
      await more.click();
      await expect.poll(() => results.count()).toBe(10);
      expect(await chooser.getByText(/显示前/).count()).toBe(0);
      expect((await results.locator('.row__title').allTextContents()).slice(0, 6)).toEqual(firstSix);
      // The seventh, saved through the timetable; the chooser closes and focus is back on the row's button.
      const seventh = (await results.nth(6).locator('.row__title').textContent())!;
      await results.nth(6).click();
      await expect.poll(() => board.getByText('课表已保存（2 节课）').count()).toBe(1);
      expect(await chooser.count()).toBe(0);
      expectLessonRow(await rows.nth(1).textContent(), `08:00–08:40二（3）班${seventh}`);
      expect(await board.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('更换星期三第 1 节（二（3）班）的课程');
      // Kept by the timetable, the other period as it was.
      await board.reload();
      await expect.poll(() => rows.count()).toBe(3);
      expectLessonRow(await rows.nth(1).textContent(), `二（3）班${seventh}`);
      expectLessonRow(await rows.nth(2).textContent(), '二（3）班找春天（第一课时）');
      // Esc leaves a chooser without a change, and stays on the page.
      await board.getByRole('button', { name: '更换星期三第 2 节（二（3）班）的课程' }).click();
      const other = board.getByRole('region', { name: '为星期三第 2 节（二（3）班）选择课程' });
      await other.getByRole('searchbox', { name: '搜索课程' }).fill('分数');
      await board.keyboard.press('Escape');
      await expect.poll(() => other.count()).toBe(0);
      expect(await board.getByRole('heading', { name: '课表', exact: true }).count()).toBe(1);
      expectLessonRow(await rows.nth(2).textContent(), '二（3）班找春天（第一课时）');
      // A lesson changed for another.
      await board.getByRole('button', { name: '更换星期三第 2 节（二（3）班）的课程' }).click();
      await other.getByRole('searchbox', { name: '搜索课程' }).fill('分数的初步认识');
      await other.getByRole('button', { name: /^分数的初步认识（第一课时）/ }).first().click();
      await expect.poll(() => rows.nth(2).textContent()).toMatch(/二（3）班分数的初步认识（第一课时）.*更换/);
      // The add form's search pages the same way.
      const form = board.getByRole('region', { name: '添加一节课' });
      await form.getByLabel('星期').selectOption({ label: '星期三' });
      await form.getByLabel('班级').fill('二（3）班');
      await form.getByRole('searchbox', { name: '课程资源（搜索）' }).fill('春天');
      await expect.poll(() => form.getByText('共 10 个结果，显示前 6 个').count()).toBe(1);
      await form.getByRole('button', { name: '显示更多' }).click();
      const found = form.locator('.rows').getByRole('button');
      await expect.poll(() => found.count()).toBe(10);
      const ninth = (await found.nth(8).locator('.row__title').textContent())!;
      await found.nth(8).click();
      await expect.poll(() => form.getByText(`已选：${ninth}`).count()).toBe(1);
      await form.getByRole('button', { name: '添加', exact: true }).click();
      await expect.poll(() => board.getByText('课表已保存（3 节课）').count()).toBe(1);
      expectLessonRow(await rows.nth(3).textContent(), `09:40–10:20二（3）班${ninth}`);
    } finally {
      await board.close();
    }
  });

  it('keeps the lessons chosen at the board when the same file is imported again, and says how many', async () => {
    await clearTimetable();
    const board = await newBoardPage(session.browser);
    try {
      await board.goto(`${session.hub.url}#/timetable`);
      await expect.poll(() => board.getByLabel('选择文件').count()).toBe(1);
      const csv = Buffer.from('星期,节次,开始,结束,班级,课程\n星期四,1,8:00,8:40,五（1）班,数学\n星期四,2,8:50,9:30,五（1）班,数学\n星期四,3,9:50,10:30,五（1）班,语文\n');
      await board.getByLabel('选择文件').setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: csv });
      await expect.poll(() => board.getByRole('status').textContent()).toMatch(/^已导入 3 节课；其中 3 节/);
      const rows = board.getByRole('table', { name: '课表' }).getByRole('row');
      for (const n of [1, 2]) {
        await board.getByRole('button', { name: `为星期四第 ${n} 节（五（1）班）选择课程` }).click();
        const chooser = board.getByRole('region', { name: `为星期四第 ${n} 节（五（1）班）选择课程` });
        await chooser.getByRole('searchbox', { name: '搜索课程' }).fill('分数的初步认识');
        await chooser.getByRole('button', { name: /^分数的初步认识（第一课时）/ }).first().click();
        await expect.poll(() => rows.nth(n).textContent()).toContain('五（1）班分数的初步认识（第一课时）');
        expectLessonRow(await rows.nth(n).textContent(), '五（1）班分数的初步认识（第一课时）');
      }
      // The same file again: before, both periods went back to 未选课程 and the note said nothing of it.
      await board.getByLabel('选择文件').setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: csv });
      await expect.poll(() => board.getByRole('status').textContent()).toMatch(/^已导入 3 节课；其中 1 节的课程没有对应到资源库里的课（第 4 行“语文”：没有找到）.*保留了你已选的 2 节课的课程。$/);
      // As the timetable keeps it, not as the page last drew it.
      await board.reload();
      await expect.poll(() => rows.count()).toBe(4);
      expectLessonRow(await rows.nth(1).textContent(), '08:00–08:40五（1）班分数的初步认识（第一课时）');
      expectLessonRow(await rows.nth(2).textContent(), '08:50–09:30五（1）班分数的初步认识（第一课时）');
      expect(await rows.nth(3).textContent()).toContain('09:50–10:30五（1）班未选课程选择课程');
      await shot(board, 'timetable-reimport-kept');
    } finally {
      await board.close();
    }
  });

  it('closes the lesson picker with 返回 first, as Esc does, and leaves the page only with the next 返回', async () => {
    const board = await newBoardPage(session.browser);
    try {
      await board.goto(session.hub.url);
      await board.getByRole('button', { name: '编辑课表' }).click();
      await expect.poll(() => board.getByRole('heading', { name: '课表', exact: true }).count()).toBe(1);
      const rows = board.getByRole('table', { name: '课表' }).getByRole('row');
      await expect.poll(() => rows.count()).toBeGreaterThan(1);
      const opener = board.getByRole('button', { name: '为星期四第 3 节（五（1）班）选择课程' });
      await opener.click();
      const chooser = board.getByRole('region', { name: '为星期四第 3 节（五（1）班）选择课程' });
      await chooser.getByRole('searchbox', { name: '搜索课程' }).fill('分数');
      // Before: 返回 left for the home screen with the picker open.
      await board.getByRole('button', { name: '返回', exact: true }).click();
      await expect.poll(() => chooser.count()).toBe(0);
      await board.waitForTimeout(300);
      expect(board.url()).toMatch(/#\/timetable$/);
      expect(await rows.nth(3).textContent()).toContain('五（1）班未选课程选择课程');
      expect(await board.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('为星期四第 3 节（五（1）班）选择课程');
      // Nothing open: 返回 goes back a page.
      await board.getByRole('button', { name: '返回', exact: true }).click();
      await expect.poll(() => board.getByRole('region', { name: '今日课表' }).count()).toBe(1);
    } finally {
      await board.close();
    }
  });

  it("imports one class's sheet keeping the other classes' periods, says so, and points out overlapping periods", async () => {
    const board = await newBoardPage(session.browser);
    try {
      await board.goto(`${session.hub.url}#/timetable`);
      const rows = board.getByRole('table', { name: '课表' }).getByRole('row');
      // 五（1）班's three periods, from the case before.
      await expect.poll(() => rows.count()).toBe(4);
      const csv = '星期,节次,开始,结束,班级,课程\n星期五,第1节,8:00,8:40,六（1）班,\n星期五,第2节,8:30,9:10,六（1）班,\n';
      await board.getByLabel('选择文件').setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      // Before: 已导入课表：2 节课, and 五（1）班's periods were gone.
      await expect
        .poll(() => board.getByRole('status').textContent())
        .toBe('已导入课表：2 节课（其他班级的 3 节课未改动：五（1）班）。已照文件导入，请检查：星期五（六（1）班）第 1 节（08:00–08:40）与第 2 节（08:30–09:10）时间重叠。');
      await expect.poll(() => rows.count()).toBe(6);
      // The same sheet again replaces 六（1）班's two periods only.
      await board.getByLabel('选择文件').setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv.replace('8:30,9:10', '8:50,9:30')) });
      await expect.poll(() => board.getByRole('status').textContent()).toBe('已导入课表：2 节课（六（1）班原有的 2 节课已替换；其他班级的 3 节课未改动：五（1）班）');
      await expect.poll(() => rows.count()).toBe(6);
      await shot(board, 'timetable-import-one-class');
    } finally {
      await board.close();
    }
  });
});
