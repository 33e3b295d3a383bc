// 今日课表 on the home screen at 1920×1080 with a full day: each period says which
// class and which lesson (two classes in one period are two rows, a generic
// "学习任务单" names its lesson), nothing spills out of its row, every row stays a
// touch target. And Esc in the timetable page's form leaves the field, not the page.
import { describe, expect, it } from 'vitest';
import { schoolWeekday } from '../../preload/contract';
import { shot, useBoardSession } from './harness';

const session = useBoardSession();
/** Today in school time, as the hub's 今日课表 counts it. */
const today = schoolWeekday();
const demo = (id: string) => `cn.classboard.demo/${id}`;
const TIMES = ['08:00-08:40', '08:50-09:30', '09:50-10:30', '10:40-11:20', '14:00-14:40', '14:50-15:30', '15:40-16:20', '16:30-17:10'];
const LESSONS = ['l-dqs-v1', 'l-fs-v1', 'l-dqs-rw', 'l-pmjs-v1', 'l-sjxnjh-tu', 'l-fs-rw', 'l-sy-v1', null];

async function setTimetable(url: string): Promise<void> {
  const entries = TIMES.map((t, i) => {
    const [starts, ends] = t.split('-');
    return { weekday: today, period: i + 1, starts, ends, className: '三（2）班', resourceId: LESSONS[i] ? demo(LESSONS[i]!) : null };
  });
  // A second class in the first period.
  entries.push({ weekday: today, period: 1, starts: '08:00', ends: '08:40', className: '三（5）班', resourceId: demo('l-hdxx-v1') });
  const r = await fetch(`${url}api/timetable:set`, { method: 'POST', body: JSON.stringify({ entries }) });
  expect(r.status).toBe(200);
}

describe("today's timetable", () => {
  it('names the class and the lesson of every period, two classes in one period included', async () => {
    const { page, hub } = session;
    await setTimetable(hub.url);
    await page.goto(hub.url);
    const list = page.getByRole('region', { name: '今日课表' });
    const rows = list.getByRole('button', { name: /^第 \d 节/ });
    await expect.poll(() => rows.count()).toBe(9);
    // Both classes of period 1, each with its class and its own lesson.
    await expect.poll(() => list.getByRole('button', { name: /^第 1 节 08:00 三（2）班 大青树下的小学（第一课时）/ }).count()).toBe(1);
    await expect.poll(() => list.getByRole('button', { name: /^第 1 节 08:00 三（5）班 花的学校（第一课时）/ }).count()).toBe(1);
    expect(await list.getByRole('button', { name: /三（5）班/ }).textContent()).toContain('三（5）班');
    // A generic title says which lesson it belongs to.
    const sheet = list.getByRole('button', { name: /^第 3 节/ });
    expect(await sheet.textContent()).toContain('学习任务单');
    expect(await sheet.textContent()).toContain('大青树下的小学');
    expect(await list.getByRole('button', { name: /^第 6 节/ }).textContent()).toContain('分数的初步认识');
    await shot(page, 'today-eight-periods');

    // At 1920×1080: every row a touch target, nothing cut off sideways or spilling out.
    const boxes = await list.locator('button.row').evaluateAll((els) =>
      els.map((row) => {
        const r = row.getBoundingClientRect();
        const spills = [...row.querySelectorAll('*')].some((c) => {
          const b = c.getBoundingClientRect();
          return b.left < r.left - 0.5 || b.right > r.right + 0.5 || b.top < r.top - 0.5 || b.bottom > r.bottom + 0.5;
        });
        const title = row.querySelector('.row__title') as HTMLElement;
        return { h: r.height, spills, wide: row.scrollWidth > row.clientWidth, titleWidth: title.getBoundingClientRect().width };
      }),
    );
    for (const b of boxes) {
      expect(b.h).toBeGreaterThanOrEqual(64);
      expect(b.spills).toBe(false);
      expect(b.wide).toBe(false);
      // Room for a title of a dozen characters on a line (it was cut at about 7).
      expect(b.titleWidth).toBeGreaterThan(12 * 20);
    }
  });
});

describe('a period without a lesson on 今日课表', () => {
  it('says 未选课程, as the timetable page does, and its row opens the timetable', async () => {
    const { page, hub } = session;
    await page.goto(hub.url);
    const row = page.getByRole('region', { name: '今日课表' }).getByRole('button', { name: /^第 8 节/ });
    // Before: （未安排资源）, and a disabled row, while the timetable page said 未选课程.
    await expect.poll(() => row.textContent()).toContain('未选课程');
    expect(await row.textContent()).not.toContain('未安排资源');
    expect(await row.isEnabled()).toBe(true);
    await row.click();
    await expect.poll(() => page.url()).toMatch(/#\/timetable$/);
    await page.goto(hub.url);
  });
});

describe('the timetable form', () => {
  it('keeps the page and what was typed when Esc is pressed in a field', async () => {
    const { page } = session;
    await page.getByRole('button', { name: '编辑课表' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/timetable$/);
    const cls = page.getByLabel('班级');
    await cls.fill('四（1）班');
    await cls.press('Escape');
    await page.getByRole('combobox', { name: /^星期/ }).focus();
    await page.keyboard.press('Escape');
    await page.getByRole('searchbox', { name: '课程资源（搜索）' }).fill('分数');
    await page.keyboard.press('Escape');
    // Give a wrongly taken history.back() the time to land.
    await page.waitForTimeout(300);
    expect(page.url()).toMatch(/#\/timetable$/);
    expect(await cls.inputValue()).toBe('四（1）班');
    // Out of the field, Esc steps back as before.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.url()).not.toMatch(/#\/timetable$/);
  });
});
