// 课表 end to end: from the home screen to the timetable page, a period added with
// its lesson found by search, the school's spreadsheet imported (Excel's GB18030
// CSV), a period removed, and a period that cannot be refused in words.
import { describe, expect, it } from 'vitest';
import { shot, useBoardSession } from './harness';

const session = useBoardSession();
/** Today in school time, as the hub's 今日课表 counts it. */
const today = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: 'Asia/Shanghai' }).format(new Date())) + 1;
const DAYS = ['星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'];
// "星期,节次,开始,结束,班级,课程" and two periods on Tuesday for 三（2）班, as Excel saves CSV on a Chinese Windows.
const GB18030_CSV = Buffer.from(
  'd0c7c6da2cbddab4ce2cbfaacabc2cbde1caf82cb0e0bcb62cbfceb3cc0ad0c7c6dab6fe2c312c383a30302c383a34302cc8fda3a832a3a9b0e02c0ad0c7c6dab6fe2c322c383a35352c393a33352cc8fda3a832a3a9b0e02c0a',
  'hex',
);

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
    await shot(page, 'timetable');
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
    await page.getByLabel('上课时间').fill('09:00');
    await page.getByLabel('下课时间').fill('08:00');
    await page.getByRole('button', { name: '添加', exact: true }).click();
    await expect.poll(() => page.getByText(/^下课时间须晚于上课时间/).count()).toBe(1);
    await expect.poll(() => page.getByRole('table', { name: '课表' }).getByRole('row').count()).toBe(2);
  });

  it('the sync page of a board with only the demo library says no platform is subscribed', async () => {
    const { page } = session;
    await page.goto(`${session.hub.url}#/sync`);
    await expect.poll(() => page.getByText(/^还没有订阅资源平台或学校中心服务/).count()).toBe(1);
  });
});
