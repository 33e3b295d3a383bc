// 备课 at an 86-inch board: a double tap on ＋ (a laggy touch screen sends one tap
// twice, a teacher taps again to be sure) adds the item once.
import { describe, expect, it } from 'vitest';
import { useBoardSession } from './harness';

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
});
