// 今日课表 marks the period under way, and between periods the next one, in school
// time (Asia/Shanghai, whatever the browser's zone), and moves the mark on as the
// clock does, without a reload. A generic 学习任务单's row names its lesson without
// the platform's numbering ("三（2）班 · 大青树下的小学", not "· 1 大青树下的小学").
import { describe, expect, it } from 'vitest';
import { schoolWeekday } from '../../preload/contract';
import { newBoardPage, shot, useBoardSession } from './harness';

const session = useBoardSession({ hubArgs: ['--no-schedule'] });
const demo = (id: string) => `cn.classboard.demo/${id}`;
const TIMES = ['08:00-08:40', '08:50-09:30', '09:50-10:30', '10:40-11:20', '14:00-14:40', '14:50-15:30'];
const LESSONS = ['l-dqs-v1', 'l-fs-v1', 'l-dqs-rw', 'l-sjxnjh-tu', 'l-sy-v1', null];
/** A time today at school, as a Date ("10:40" → that moment in Beijing time). */
const atSchool = (hhmm: string) => new Date(`${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())}T${hhmm}:00+08:00`);

describe("today's timetable in class time", () => {
  it('marks the next period between periods, the one under way once it starts, and moves on with the clock', async () => {
    const { hub, browser } = session;
    // The hub's today (its own clock); the page's clock is set to a time on that same school day.
    const weekday = schoolWeekday();
    const entries = TIMES.map((t, i) => {
      const [starts, ends] = t.split('-');
      return { weekday, period: i + 1, starts, ends, className: '三（2）班', resourceId: LESSONS[i] ? demo(LESSONS[i]!) : null };
    });
    expect((await fetch(`${hub.url}api/timetable:set`, { method: 'POST', body: JSON.stringify({ entries }) })).status).toBe(200);

    const page = await newBoardPage(browser);
    // 10:35 in Beijing, the browser in UTC (02:35): the break before period 4.
    await page.clock.install({ time: atSchool('10:35') });
    await page.goto(hub.url);
    const today = page.getByRole('region', { name: '今日课表' });
    const rows = today.getByRole('button', { name: /^第 \d 节/ });
    await expect.poll(() => rows.count()).toBe(6);
    const marked = () => today.locator('button.row--now, button.row--next').evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label')!.slice(0, 5)} ${e.getAttribute('aria-current') ?? ''}`));
    await expect.poll(marked).toEqual(['第 4 节 ']);
    expect(await rows.nth(3).getAttribute('aria-label')).toMatch(/下一节$/);
    await shot(page, 'today-now-next');

    // The bell: a minute's timer later, period 4 is under way.
    await page.clock.runFor('05:30');
    await expect.poll(marked).toEqual(['第 4 节 time']);
    const row4 = rows.nth(3);
    expect(await row4.getAttribute('aria-label')).toMatch(/正在上课$/);
    // Seen from the back: its own word in large type, a thick border and its own background, on screen.
    const look = await today.evaluate((list) => {
      const rows = [...list.querySelectorAll('button.row')];
      const now = list.querySelector('button.row--now')!;
      const other = rows.find((r) => r !== now)!;
      const badge = now.querySelector('.today__state')!;
      const box = now.getBoundingClientRect();
      return {
        badge: badge.textContent,
        badgePx: parseFloat(getComputedStyle(badge).fontSize),
        border: parseFloat(getComputedStyle(now).borderTopWidth),
        ownBackground: getComputedStyle(now).backgroundColor !== getComputedStyle(other).backgroundColor,
        onScreen: box.top >= 0 && box.bottom <= document.querySelector('.bottom-bar')!.getBoundingClientRect().top,
      };
    });
    expect(look).toEqual({ badge: '正在上课', badgePx: expect.any(Number), border: expect.any(Number), ownBackground: true, onScreen: true });
    expect(look.badgePx).toBeGreaterThanOrEqual(20);
    expect(look.border).toBeGreaterThanOrEqual(3);
    await shot(page, 'today-now-current');

    // Period 4 over (11:20): the lunch break marks period 5 as next.
    await page.clock.runFor('46:00');
    await expect.poll(marked).toEqual(['第 5 节 ']);
    // After the last period, nothing.
    await page.clock.runFor('04:30:00');
    await expect.poll(marked).toEqual([]);
    await page.close();
  });

  it("names a generic sheet's lesson without its number", async () => {
    const { page, hub } = session;
    await page.goto(hub.url);
    const sheet = page.getByRole('region', { name: '今日课表' }).getByRole('button', { name: /^第 3 节/ });
    await expect.poll(() => sheet.locator('.row__sub').textContent()).toBe('三（2）班 · 大青树下的小学');
  });
});
