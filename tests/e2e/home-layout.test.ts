// The home screen on a normal school day (8 periods, three plans, eight recent
// lessons, five favourites) at 1080p and 4K: today's timetable, 我的备课, 最近使用
// and 我的收藏 are all in view with their first rows, above the bottom bar, without
// scrolling. Stacked in one side column, 最近使用 sat under the bottom bar and
// 我的收藏 below the screen while the tree's half stood empty.
import { describe, expect, it } from 'vitest';
import { schoolWeekday } from '../../preload/contract';
import { hubApi, newBoardPage, shot, useBoardSession } from './harness';

const session = useBoardSession({ hubArgs: ['--no-schedule'] });
const demo = (id: string) => `cn.classboard.demo/${id}`;
const TIMES = ['08:00-08:40', '08:50-09:30', '09:50-10:30', '10:40-11:20', '14:00-14:40', '14:50-15:30', '15:40-16:20', '16:30-17:10'];
const LESSONS = ['l-dqs-v1', 'l-fs-v1', 'l-dqs-rw', 'l-pmjs-v1', 'l-sjxnjh-tu', 'l-fs-rw', 'l-sy-v1', null];
const OPENED = ['l-dqs-v1', 'l-fs-v1', 'l-dqs-rw', 'l-pmjs-v1', 'l-sjxnjh-tu', 'l-fs-rw', 'l-sy-v1', 'l-hdxx-v1'];
const FAVOURITES = ['l-zcy-v1', 'l-sy-rw', 'l-cdsj-v1', 'l-bdjyw-rw', 'l-sjxfl-rw'];

async function normalDay(): Promise<void> {
  const { hub } = session;
  const weekday = schoolWeekday();
  const entries = TIMES.map((t, i) => {
    const [starts, ends] = t.split('-');
    return { weekday, period: i + 1, starts, ends, className: '三（2）班', resourceId: LESSONS[i] ? demo(LESSONS[i]!) : null };
  });
  expect((await hubApi(hub, 'timetable:set', { entries })).ok).toBe(true);
  for (const title of ['大青树下的小学 第一课时', '分数的初步认识', '声音的产生与传播']) {
    expect((await hubApi(hub, 'plans:save', { title, items: [{ kind: 'resource', resourceId: demo('l-dqs-rw') }] })).ok).toBe(true);
  }
  for (const id of OPENED) expect((await hubApi(hub, 'library:open', { id: demo(id) })).ok).toBe(true);
  for (const id of FAVOURITES) expect((await hubApi(hub, 'library:favourite', { id: demo(id), favourite: true })).ok).toBe(true);
}

describe('the home screen on a normal day', () => {
  it.each([
    [1920, 1080],
    [3840, 2160],
  ])('shows today, plans, recent and favourites above the bottom bar at %i×%i', async (width, height) => {
    if (width === 1920) await normalDay();
    const page = await newBoardPage(session.browser, width, height);
    await page.goto(session.hub.url);
    const today = page.getByRole('region', { name: '今日课表' });
    await expect.poll(() => today.getByRole('button', { name: /^第 \d 节/ }).count()).toBe(8);
    await expect.poll(() => page.getByRole('region', { name: '我的收藏' }).getByRole('button').count()).toBe(FAVOURITES.length);
    await expect.poll(() => page.getByRole('region', { name: '最近使用' }).getByRole('button').count()).toBe(OPENED.length);
    const bar = (await page.locator('.bottom-bar').boundingBox())!;
    expect(bar.y + bar.height).toBeLessThanOrEqual(height + 0.5);
    // What a teacher must see without scrolling: each heading, each list's first row, and the whole day.
    const must = [
      ...['今日课表', '我的备课', '最近使用', '我的收藏'].map((name) => page.getByRole('heading', { name: new RegExp(`^${name}`) })),
      today.getByRole('button', { name: /^第 1 节/ }),
      today.getByRole('button', { name: /^第 8 节/ }),
      page.getByRole('region', { name: '我的备课' }).getByRole('button').first(),
      page.getByRole('region', { name: '最近使用' }).getByRole('button').first(),
      page.getByRole('region', { name: '我的收藏' }).getByRole('button').first(),
    ];
    const seen = [];
    for (const el of must) {
      const b = (await el.boundingBox({ timeout: 5000 }))!;
      // Drawn where it is, not scrolled away inside its column: the element at its middle is it (or inside it).
      const onTop = await el.evaluate((e) => {
        const r = e.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 10));
        return !!hit && (hit === e || e.contains(hit));
      });
      seen.push({ what: (await el.textContent())!.slice(0, 12), inside: b.x >= 0 && b.y >= 0 && b.x + b.width <= width && b.y + b.height <= bar.y + 0.5, onTop });
    }
    expect(seen.filter((s) => !s.inside || !s.onTop)).toEqual([]);
    // Nothing scrolled to get there.
    expect(await page.evaluate(() => [...document.querySelectorAll('.home__main, .home__shelf, .home__side')].map((e) => e.scrollTop))).toEqual([0, 0, 0]);
    await shot(page, `home-layout-${width}x${height}`);
    await page.close();
  });
});
