// A timetabled lesson that the platform removed in a later catalog revision, end to
// end: the home screen's 今日课表 and the timetable page say that lesson (by title)
// was removed and is to be chosen again, rather than 未安排资源 / 未选课程; saving the
// timetable for another row keeps it; choosing a new lesson with 选择课程 replaces it.
// A lesson whose feed the admin unsubscribed (feeds remove) is said to be that, not
// the platform's removal: the admin, not the platform, can bring it back.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFeed } from '../../main/feed/write';
import { schoolWeekday } from '../../preload/contract';
import { shot, useBoardSession } from './harness';

const run = promisify(execFile);
let tmp: string;
/** Today in school time, as the hub's 今日课表 counts it. */
const today = schoolWeekday();
const DAYS = ['星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'];
const F = 'cn.smartedu.basic';
const REMOVED_NOTE = '该课程已被资源平台移除（比大小），请重新选择';
const G = 'cn.school.yuwen';
const UNSUBSCRIBED_NOTE = '该课程（找春天）所属的资源库已取消订阅，请联系信息管理员或重新选择';

const session = useBoardSession({
  hubArgs: ['--no-schedule'],
  prepare: async (data) => {
    // As an admin would before the hub starts: revision 1, the school's timetable naming its lessons by id, then revision 2 without 比大小.
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-timetable-removed-'));
    const cli = (...args: string[]) => run(process.execPath, ['bin/classboard.js', '--data', data, ...args]);
    const nodes = [{ id: 'xx', parent: null, kind: 'stage' as const, title: '小学', order: 1 }];
    const lesson = (id: string, title: string) => ({ id, node: 'xx', type: 'pdf' as const, title, files: [] });
    const revision = async (n: number, resources: ReturnType<typeof lesson>[]) => {
      await writeFeed(path.join(tmp, `feed-${n}`), { id: F, title: '国家中小学智慧教育平台', revision: n, shards: [{ path: 'shards/a.json', nodes, resources }] });
      await cli('import', path.join(tmp, `feed-${n}`), '--unsigned');
    };
    await revision(1, [lesson('sx-u1-l1-v', '1 到 5 的认识'), lesson('sx-u1-l2-v', '比大小'), lesson('sx-u1-l3-v', '分与合')]);
    await writeFeed(path.join(tmp, 'feed-g'), { id: G, title: '校本语文', revision: 1, shards: [{ path: 'shards/a.json', nodes, resources: [lesson('yw-l1', '找春天')] }] });
    await cli('import', path.join(tmp, 'feed-g'), '--unsigned');
    const csv = [
      '星期,节次,开始,结束,班级,课程',
      `${today},1,08:00,08:40,一（1）班,${F}/sx-u1-l2-v`,
      `${today},2,08:50,09:30,一（1）班,${F}/sx-u1-l1-v`,
      `${today},3,09:50,10:30,一（1）班,${G}/yw-l1`,
    ].join('\n');
    fs.writeFileSync(path.join(tmp, 'timetable.csv'), csv);
    await cli('timetable', 'import', path.join(tmp, 'timetable.csv'));
    await revision(2, [lesson('sx-u1-l1-v', '1 到 5 的认识'), lesson('sx-u1-l3-v', '分与合')]);
    await cli('feeds', 'remove', G);
  },
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a timetabled lesson the platform removed', () => {
  it("is named on the home screen's 今日课表, and its row leads to the timetable", async () => {
    const { page } = session;
    await page.goto(session.hub.url);
    const list = page.getByRole('region', { name: '今日课表' });
    const removed = list.getByRole('button', { name: /^第 1 节 08:00/ });
    await expect.poll(() => removed.count()).toBe(1);
    expect(await removed.textContent()).toContain(REMOVED_NOTE);
    expect(await removed.getAttribute('aria-label')).toContain(REMOVED_NOTE);
    expect(await list.getByText('未安排资源').count()).toBe(0);
    // The lesson still in the library is as before.
    expect(await list.getByRole('button', { name: /^第 2 节 08:50 一（1）班 1 到 5 的认识/ }).count()).toBe(1);
    // The one whose feed the admin unsubscribed says so, not that the platform removed it.
    const unsubscribed = list.getByRole('button', { name: /^第 3 节 09:50/ });
    expect(await unsubscribed.textContent()).toContain(UNSUBSCRIBED_NOTE);
    expect(await unsubscribed.getAttribute('aria-label')).toContain(UNSUBSCRIBED_NOTE);
    expect(await unsubscribed.textContent()).not.toContain('资源平台移除');
    await shot(page, 'today-lesson-removed');
    await removed.click();
    await expect.poll(() => page.url()).toMatch(/#\/timetable$/);
  });

  it('is named on the timetable page, kept when another row is saved, and replaced with 选择课程', async () => {
    const { page } = session;
    const table = page.getByRole('table', { name: '课表' });
    await expect.poll(() => table.getByRole('row').count()).toBe(4);
    const row = table.getByRole('row').nth(1);
    expect(await row.textContent()).toContain(REMOVED_NOTE);
    expect(await row.textContent()).not.toContain('未选课程');
    expect(await table.getByRole('row').nth(3).textContent()).toContain(UNSUBSCRIBED_NOTE);
    await shot(page, 'timetable-lesson-removed');
    // Saving the timetable for another row does not drop the removed lesson (the page saves every row).
    await page.getByRole('button', { name: `删除${DAYS[today - 1]}第 2 节 一（1）班` }).click();
    await expect.poll(() => page.getByText('课表已保存（2 节课）').count()).toBe(1);
    await page.reload();
    await expect.poll(() => table.getByRole('row').count()).toBe(3);
    expect(await table.getByRole('row').nth(1).textContent()).toContain(REMOVED_NOTE);
    // Saved with the others, the unsubscribed lesson keeps its cause.
    expect(await table.getByRole('row').nth(2).textContent()).toContain(UNSUBSCRIBED_NOTE);
    // The row's 选择课程 gives the period a lesson the library has.
    await table.getByRole('button', { name: `为${DAYS[today - 1]}第 1 节（一（1）班）选择课程` }).click();
    await page.getByRole('searchbox', { name: '搜索课程' }).fill('分与合');
    await page.getByRole('button', { name: /^分与合/ }).first().click();
    await expect.poll(() => page.getByText('课表已保存（2 节课）').count()).toBe(1);
    await expect.poll(() => table.getByRole('row').nth(1).textContent()).toContain('分与合');
    expect(await table.getByRole('row').nth(1).textContent()).not.toContain('已被资源平台移除');
    await page.getByRole('button', { name: '首页' }).click();
    await expect.poll(() => page.getByRole('region', { name: '今日课表' }).getByRole('button', { name: /^第 1 节 08:00 一（1）班 分与合/ }).count()).toBe(1);
  });
});
