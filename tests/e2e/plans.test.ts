// 备课 end to end: compose a lesson from the library and board pages, save it,
// present it with a clicker's PageDown/PageUp, and find board ink where it was;
// a PDF in a plan turns its pages with the clicker, then hands on to the next item.
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
    // A board page in a plan is class time too: the sync stays slowed (it sped up 1.5 s after the video left).
    await session.page.waitForTimeout(2500);
    const status = await (await fetch(`${session.hub.url}api/sync:status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json();
    expect(status.value.mode).toBe('presenting');
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

  it("turns a PDF's pages with the clicker and arrows, then steps on past its last page and back past its first", async () => {
    const { page, hub } = session;
    // [white board, the three-page 学习任务单, 田字格]
    const saved = await fetch(`${hub.url}api/plans:save`, {
      method: 'POST',
      body: JSON.stringify({
        title: '大青树下的小学',
        items: [
          { kind: 'board', template: 'white' },
          { kind: 'resource', resourceId: 'cn.classboard.demo/l-dqs-rw' },
          { kind: 'board', template: 'tianzige' },
        ],
      }),
    }).then((r) => r.json() as Promise<{ value: { id: number } }>);
    await page.goto(`${hub.url}#/plan/${saved.value.id}`);
    await page.getByRole('list', { name: '上课顺序' }).waitFor();
    await page.keyboard.press('F5');
    await page.locator('canvas.board-page__paper[data-template="white"]').waitFor();
    const pdfPage = () => page.locator('canvas.pdf-page').getAttribute('data-rendered-page', { timeout: 1000 }).catch(() => null);
    const position = (n: number) => expect.poll(() => page.getByText(`第 ${n} / 3 项`).count()).toBe(1);

    await page.keyboard.press('PageDown');
    await expect.poll(pdfPage, { timeout: 20_000 }).toBe('1');
    // An arrow turns the page too; it used to skip the rest of the PDF.
    await page.keyboard.press('ArrowDown');
    await expect.poll(pdfPage).toBe('2');
    await position(2);
    await page.keyboard.press('PageDown');
    await expect.poll(pdfPage).toBe('3');
    // Past the last page: on to the board (the clicker was stuck here).
    await page.keyboard.press('PageDown');
    await page.locator('canvas.board-page__paper[data-template="tianzige"]').waitFor();
    await position(3);
    // Back: to the PDF's last page, where the teacher left it.
    await page.keyboard.press('PageUp');
    await expect.poll(pdfPage, { timeout: 20_000 }).toBe('3');
    await position(2);
    await shot(page, 'plan-present-pdf-last-page');
    await page.keyboard.press('ArrowUp');
    await expect.poll(pdfPage).toBe('2');
    await page.keyboard.press('PageUp');
    await expect.poll(pdfPage).toBe('1');
    // Before the first page: back to the item before it.
    await page.keyboard.press('PageUp');
    await page.locator('canvas.board-page__paper[data-template="white"]').waitFor();
    await position(1);
  });

  it('a video paused in a plan is where the teacher left it after the courseware', async () => {
    const { page, hub } = session;
    const saved = await fetch(`${hub.url}api/plans:save`, {
      method: 'POST',
      body: JSON.stringify({
        title: '大青树下的小学 视频与任务单',
        items: [
          { kind: 'resource', resourceId: 'cn.classboard.demo/l-dqs-v1' },
          { kind: 'resource', resourceId: 'cn.classboard.demo/l-dqs-rw' },
        ],
      }),
    }).then((r) => r.json() as Promise<{ value: { id: number } }>);
    await page.goto(`${hub.url}#/present/${saved.value.id}/0`);
    const video = page.locator('.present__stage video');
    await video.waitFor();
    const state = () => video.evaluate((v: HTMLVideoElement) => ({ ready: v.readyState >= 1, at: Math.round(v.currentTime * 10) / 10, paused: v.paused }));
    await page.getByRole('button', { name: '播放' }).click();
    await expect.poll(async () => (await state()).at, { timeout: 20_000 }).toBeGreaterThan(0.3);
    await page.getByRole('button', { name: '暂停' }).click();
    await video.evaluate(
      (v: HTMLVideoElement) =>
        new Promise<void>((done) => {
          v.addEventListener('seeked', () => done(), { once: true });
          v.currentTime = 2.5;
        }),
    );
    await page.keyboard.press('PageDown');
    await expect.poll(() => page.locator('canvas.pdf-page').getAttribute('data-rendered-page', { timeout: 1000 }).catch(() => null), { timeout: 20_000 }).toBe('1');
    await page.keyboard.press('PageUp');
    await video.waitFor();
    await expect.poll(state, { timeout: 10_000 }).toEqual({ ready: true, at: 2.5, paused: true });
  });
});
