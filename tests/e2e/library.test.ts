// A teacher at the board (1920×1080) with the hub's embedded demo library:
// browse the textbook tree, search, open a lesson, play and seek its video.
import { beforeAll, describe, expect, it } from 'vitest';
import { shot, useBoardSession } from './harness';

const session = useBoardSession();
const mediaStatuses: number[] = [];

beforeAll(async () => {
  session.page.on('response', (r) => {
    if (r.url().includes('/media/')) mediaStatuses.push(r.status());
  });
});

describe('teaching UI through the hub', () => {
  it('browses the textbook tree from stage to lesson', async () => {
    await session.page.goto(session.hub.url);
    for (const name of ['小学', '三年级', '语文', '统编版', '三年级上册', '第一单元']) {
      await session.page.getByRole('button', { name, exact: true }).click();
    }
    await session.page.getByRole('button', { name: '1 大青树下的小学', exact: true }).click();
    await expect.poll(() => session.page.getByRole('button', { name: /大青树下的小学（第一课时）/ }).count()).toBe(1);
    await shot(session.page, 'tree-lesson');
  });

  it('finds lessons by one character and by a word, while typing', async () => {
    const box = session.page.getByRole('searchbox');
    await box.fill('春');
    await expect.poll(() => session.page.getByRole('button', { name: /找春天/ }).count()).toBeGreaterThan(0);
    await shot(session.page, 'search-chun');
    await box.fill('三角形');
    await expect.poll(() => session.page.getByRole('button', { name: /三角形的内角和（第一课时）/ }).count()).toBe(1);
    await expect.poll(() => session.page.getByText(/找到 \d+ 个资源/).count()).toBe(1);
    await shot(session.page, 'search-sanjiaoxing');
  });

  it('opens a lesson, plays its video, and a seek to 80% holds (served as 206)', async () => {
    await session.page.getByRole('button', { name: /三角形的内角和（第一课时）/ }).click();
    const video = session.page.locator('video');
    await video.waitFor();
    await session.page.getByRole('button', { name: '播放' }).click();
    await session.page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 1, null, { timeout: 20_000 });
    const target = await video.evaluate((v: HTMLVideoElement) => {
      v.currentTime = v.duration * 0.8;
      return v.duration * 0.8;
    });
    await session.page.waitForFunction((t) => {
      const v = document.querySelector('video')!;
      return !v.seeking && v.currentTime >= t - 0.5;
    }, target);
    await session.page.waitForTimeout(300);
    const after = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    expect(after).toBeGreaterThanOrEqual(target - 0.5);
    expect(mediaStatuses).toContain(206);
    await shot(session.page, 'lesson-video-80pct');
    // Opening it put it in "recent".
    await session.page.getByRole('button', { name: '首页' }).click();
    await expect.poll(() => session.page.getByRole('region', { name: '最近使用' }).getByRole('button', { name: /三角形的内角和/ }).count()).toBe(1);
  });

  it('turns the pages of the PDF task sheet', async () => {
    await session.page.getByRole('searchbox').fill('大青树');
    await session.page.getByRole('button', { name: /学习任务单/ }).first().click();
    const canvas = session.page.locator('canvas.pdf-page');
    await expect.poll(() => canvas.getAttribute('data-rendered-page'), { timeout: 20_000 }).toBe('1');
    await expect.poll(() => session.page.getByText('第 1 / 3 页').count()).toBe(1);
    await session.page.getByRole('button', { name: '下一页' }).click();
    await expect.poll(() => canvas.getAttribute('data-rendered-page')).toBe('2');
    await session.page.getByRole('navigation', { name: '页码' }).getByRole('button', { name: '第 1 页' }).click();
    await expect.poll(() => canvas.getAttribute('data-rendered-page')).toBe('1');
    await session.page.keyboard.press('PageDown');
    await session.page.keyboard.press('PageDown');
    await expect.poll(() => canvas.getAttribute('data-rendered-page')).toBe('3');
    await shot(session.page, 'lesson-pdf-page3');
    // In 最近使用 it says whose task sheet it is (before: a bare 学习任务单, as every lesson has one).
    await session.page.getByRole('button', { name: '首页' }).click();
    const recent = session.page.getByRole('region', { name: '最近使用' }).getByRole('button', { name: /学习任务单/ });
    await expect.poll(() => recent.first().textContent()).toContain('大青树下的小学');
    await recent.first().click();
    await expect.poll(() => session.page.locator('canvas.pdf-page').getAttribute('data-rendered-page'), { timeout: 20_000 }).not.toBeNull();
  });

  it('zooms the PDF with buttons, fits its width, and pinches with two fingers', async () => {
    const canvas = session.page.locator('canvas.pdf-page');
    const width = () => canvas.evaluate((c) => c.getBoundingClientRect().width);
    const whole = await width();
    await session.page.getByRole('button', { name: '放大' }).click();
    await expect.poll(() => canvas.getAttribute('data-zoom')).toBe('1.25');
    await session.page.getByRole('button', { name: '适合宽度' }).click();
    await expect.poll(() => canvas.getAttribute('data-zoom')).toBe('1.00');
    await expect.poll(width).toBeGreaterThan(whole * 1.5);
    await session.page.getByRole('button', { name: '整页' }).click();
    await expect.poll(width).toBeLessThan(whole + 2);
    // Two fingers spreading apart over the page (no pen picked up).
    const cdp = await session.page.context().newCDPSession(session.page);
    const box = (await canvas.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const fingers = (d: number) => [
      { id: 1, x: cx - d, y: cy, radiusX: 2, radiusY: 2, force: 0.5 },
      { id: 2, x: cx + d, y: cy, radiusX: 2, radiusY: 2, force: 0.5 },
    ];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(60) });
    for (let d = 70; d <= 160; d += 10) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(d) });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect.poll(async () => Number(await canvas.getAttribute('data-zoom'))).toBeGreaterThan(2);
    await shot(session.page, 'lesson-pdf-pinched');
  });

  it("shows today's timetable with a ready mark, and opens a lesson from it", async () => {
    const post = async (channel: string, body: unknown) =>
      (await (await fetch(`${session.hub.url}api/${channel}`, { method: 'POST', body: JSON.stringify(body) })).json()) as { ok: boolean; value: any };
    const { weekday } = (await post('timetable:today', {})).value;
    const found = (await post('library:search', { query: '花的学校' })).value.results[0];
    await post('timetable:set', { entries: [{ weekday, period: 1, starts: '08:00', ends: '08:40', className: '三（2）班', resourceId: found.id }] });
    await session.page.goto(session.hub.url);
    const today = session.page.getByRole('region', { name: '今日课表' });
    // Between 08:00 and 08:40 school time the period is under way, and its name ends with that.
    await expect.poll(() => today.getByRole('button', { name: /^第 1 节 08:00 三（2）班 花的学校.* 已就绪( 正在上课| 下一节)?$/ }).count()).toBe(1);
    await shot(session.page, 'home-today');
    await today.getByRole('button', { name: /花的学校/ }).click();
    await session.page.locator('video').waitFor();
  });

  it('switches the interface to English and back', async () => {
    await session.page.getByRole('button', { name: '首页' }).click();
    await session.page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => session.page.getByRole('button', { name: 'Home' }).count()).toBe(1);
    await session.page.getByRole('button', { name: 'Home' }).click();
    await expect.poll(() => session.page.getByRole('searchbox', { name: 'Search lessons' }).count()).toBe(1);
    await shot(session.page, 'home-english');
    await session.page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => session.page.getByRole('button', { name: '首页' }).count()).toBe(1);
  });
});
