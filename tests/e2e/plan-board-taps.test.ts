// 备课 at an 86-inch board: a double tap on ＋ (a laggy touch screen sends one tap
// twice, a teacher taps again to be sure) adds the item once; and on the home screen
// two plans for one class are told apart, their titles wrapping instead of being cut
// after nine characters ("三年级上册 分数的初…" twice).
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hubApi, shot, useBoardSession } from './harness';

const session = useBoardSession({ hubArgs: ['--no-schedule'] });

describe('备课 at the board', () => {
  it('a double tap or double click on ＋ adds the item once; a tap a moment later adds another', async () => {
    const { page } = session;
    await page.goto(session.hub.url);
    await page.getByRole('button', { name: '＋ 新建备课' }).click();
    const list = page.getByRole('list', { name: '上课顺序' }).getByRole('listitem');
    const tian = page.getByRole('button', { name: '＋ 田字格' });
    const b = (await tian.boundingBox())!;
    // Two touches 80 ms apart, as a laggy board gives.
    await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
    await page.waitForTimeout(80);
    await page.touchscreen.tap(b.x + b.width / 2 + 6, b.y + b.height / 2 + 4);
    await expect.poll(() => list.count()).toBe(1);
    await page.getByRole('searchbox', { name: '搜索要加入的资源' }).fill('分数的初步认识');
    const res = page.getByRole('button', { name: /^加入：分数的初步认识（第一课时）/ });
    await res.dblclick();
    await expect.poll(() => list.count()).toBe(2);
    await page.waitForTimeout(500);
    expect(await list.count()).toBe(2);
    // A second 田字格, wanted: tapped again after a moment, it is added.
    await page.waitForTimeout(800);
    await tian.click();
    await expect.poll(() => list.count()).toBe(3);
    expect(await list.allInnerTexts()).toEqual([expect.stringContaining('田字格'), expect.stringContaining('分数的初步认识'), expect.stringContaining('田字格')]);
  });

  it('shows two long plan titles of one class whole on the home screen at 1920×1080', async () => {
    const { page, hub } = session;
    const titles = ['三年级上册 分数的初步认识 第一课时', '三年级上册 分数的初步认识 第二课时'];
    for (const title of titles) {
      expect((await hubApi(hub, 'plans:save', { title, items: [{ kind: 'resource', resourceId: 'cn.classboard.demo/l-fs-v1' }] })).ok).toBe(true);
    }
    await page.goto(session.hub.url);
    const plans = page.getByRole('region', { name: '我的备课' });
    for (const title of titles) {
      // The whole title is the button's name, and the whole of it is drawn, in two lines at most.
      const row = plans.getByRole('button', { name: new RegExp(`^${title}`) });
      await row.waitFor();
      const text: Locator = row.locator('.row__title');
      const drawn = await text.evaluate((e) => {
        // Where the title's characters are laid out, against the box that shows them: the last
        // one (the lesson's 第二课时) must sit on a line the box shows, not on one it cuts off.
        const box = e.getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(e);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        const node = e.firstChild!;
        range.setStart(node, node.textContent!.length - 1);
        const last = range.getBoundingClientRect();
        return {
          text: e.textContent,
          clippedAcross: e.scrollWidth > e.clientWidth || last.right > box.right + 1,
          clippedBelow: last.top + last.height / 2 > box.bottom,
          lines,
        };
      });
      expect(drawn).toEqual({ text: title, clippedAcross: false, clippedBelow: false, lines: expect.any(Number) });
      expect(drawn.lines).toBeLessThanOrEqual(2);
    }
    await shot(page, 'home-plan-titles-1920x1080');
  });
});
