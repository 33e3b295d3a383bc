// 备课 end to end: compose a lesson from the library and board pages, save it,
// present it with a clicker's PageDown/PageUp, and find board ink where it was.
import { describe, expect, it } from 'vitest';
import { shot, useBoardSession } from './harness';

const session = useBoardSession();

describe('lesson plans', () => {
  it('composes, saves and presents a lesson in order with presenter keys', async () => {
    await session.page.goto(session.hub.url);
    await session.page.getByRole('button', { name: '＋ 新建备课' }).click();
    await session.page.getByRole('textbox', { name: '备课标题' }).fill('分数的初步认识 第一课时');
    const add = session.page.getByRole('searchbox', { name: '搜索要加入的资源' });
    await add.fill('分数的初步认识');
    await session.page.getByRole('button', { name: /^加入：分数的初步认识（第一课时）/ }).click();
    await session.page.getByRole('button', { name: '＋ 田字格' }).click();
    await add.fill('学习任务单');
    await session.page.getByRole('button', { name: '加入：学习任务单' }).first().click();
    await expect.poll(() => session.page.getByRole('list', { name: '上课顺序' }).getByRole('listitem').count()).toBe(3);
    await session.page.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => session.page.url()).toMatch(/#\/plan\/\d+$/);
    await shot(session.page, 'plan-editor');

    // Reload: the plan was saved in the library.
    await session.page.reload();
    await expect.poll(() => session.page.getByRole('list', { name: '上课顺序' }).getByRole('listitem').count()).toBe(3);

    await session.page.keyboard.press('F5');
    await expect.poll(() => session.page.getByText('第 1 / 3 项').count()).toBe(1);
    await session.page.locator('video').waitFor();
    await session.page.keyboard.press('PageDown');
    await session.page.locator('canvas.board-page__paper[data-template="tianzige"]').waitFor();
    // Write on the plan's board session.page.
    await session.page.mouse.move(400, 400);
    await session.page.mouse.down();
    for (let i = 1; i <= 8; i++) await session.page.mouse.move(400 + i * 25, 400 + i * 10);
    await session.page.mouse.up();
    await expect.poll(() => session.page.locator('canvas.ink-layer__live').getAttribute('data-stroke-count')).toBe('1');
    await session.page.keyboard.press('PageDown');
    await expect.poll(() => session.page.locator('canvas.pdf-page').getAttribute('data-rendered-page'), { timeout: 20_000 }).toBe('1');
    await shot(session.page, 'plan-present-pdf');
    await session.page.getByRole('button', { name: '上一项' }).click();
    await expect.poll(() => session.page.locator('canvas.ink-layer__live').getAttribute('data-stroke-count')).toBe('1');
    await shot(session.page, 'plan-present-board');
    // Esc leaves the presentation for its plan, as PowerPoint does (it stepped back one item).
    await session.page.keyboard.press('Escape');
    await expect.poll(() => session.page.url()).toMatch(/#\/plan\/\d+$/);
  });
});
