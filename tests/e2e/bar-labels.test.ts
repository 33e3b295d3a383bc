// The bottom bar and the labels a teacher reads at a 1920×1080 board, in Chinese and
// in English: the bar keeps its margin on both ends (English's longer words and the
// pens on a lesson page once pushed ⇄ Flip to 5 px from the edge), the lesson's side
// list shows a long title on two lines instead of cutting it, the pens' short labels
// read as words and tell apart, a PDF is called a PDF, and in a plan presentation the
// item buttons do not look like the PDF's own page buttons.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubApi, shot, useBoardSession, type RunningHub } from './harness';

const session = useBoardSession();
let hub: RunningHub;
let page: Page;

// 分数的初步认识（第一课时）, whose list holds its video and its 学习任务单.
const LESSON = '#/resource/cn.classboard.demo%2Fl-fs-v1/video';

beforeAll(() => {
  ({ hub, page } = session);
});

async function openLesson(lang: 'zh-CN' | 'en', side: 'left' | 'right') {
  await page.goto(hub.url);
  await page.evaluate(({ l, s }) => (localStorage.setItem('classboard.lang', l), localStorage.setItem('classboard.toolbarSide', s)), { l: lang, s: side });
  await page.goto(`${hub.url}${LESSON}`);
  await page.reload();
  await page.locator('.lesson__list').waitFor();
  await page.locator('.ink-toolbar').waitFor();
}

/** The bar's own buttons (not the tools it opens): how far the outermost stand from the screen's edges, and whether each shows whole. */
const bar = () =>
  page.evaluate(() => {
    const nav = document.querySelector('nav.bottom-bar')!;
    const buttons = [...nav.querySelectorAll('button')].filter((b) => !b.closest('.tools-sheet, .tool-layer'));
    const rects = buttons.map((b) => b.getBoundingClientRect());
    const whole = buttons.every((b, i) => {
      const r = rects[i]!;
      return r.left >= 0 && r.right <= window.innerWidth && document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.closest('button') === b;
    });
    return { left: Math.min(...rects.map((r) => r.left)), right: window.innerWidth - Math.max(...rects.map((r) => r.right)), whole };
  });

describe('the bottom bar at 1920×1080', () => {
  for (const lang of ['en', 'zh-CN'] as const)
    for (const side of ['right', 'left'] as const)
      it(`keeps its margins on a lesson page (${lang}, controls on the ${side})`, async () => {
        await openLesson(lang, side);
        await page.waitForFunction(() => document.fonts.status === 'loaded');
        await shot(page, `bar-${lang}-${side}`);
        const b = await bar();
        expect(b.whole).toBe(true);
        expect(b.left).toBeGreaterThanOrEqual(20);
        expect(b.right).toBeGreaterThanOrEqual(20);
        expect(Math.abs(b.left - b.right)).toBeLessThanOrEqual(2);
      });

  it('keeps every button named when it packs them (the words hidden but still their names)', async () => {
    await openLesson('en', 'right');
    for (const name of ['Home', 'Back', 'Tools', 'Flip']) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
  });
});

describe('labels', () => {
  it('shows a long title in the lesson side list on two lines, not cut', async () => {
    await openLesson('zh-CN', 'right');
    const titles = await page.locator('.lesson__list .row__title').evaluateAll((els) =>
      els.map((e) => {
        const line = parseFloat(getComputedStyle(e).lineHeight);
        // Cut: wider than its box (one line with …), or a whole line clamped away below.
        return { text: e.textContent, cut: e.scrollWidth > e.clientWidth || e.scrollHeight - e.clientHeight > line / 2, lines: Math.round(e.clientHeight / line) };
      }),
    );
    const long = titles.find((x) => x.text === '分数的初步认识（第一课时）');
    expect(long, JSON.stringify(titles)).toMatchObject({ cut: false, lines: 2 });
    expect(titles.every((x) => !x.cut)).toBe(true);
  });

  it('names the pens in words that tell apart, and fit their buttons', async () => {
    await openLesson('zh-CN', 'right');
    const area = page.getByRole('button', { name: '大橡皮（擦一片）' });
    expect(await area.innerText()).toBe('大橡皮');
    expect(await area.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);

    await openLesson('en', 'right');
    const short = await page.locator('.ink-toolbar .ink-button').evaluateAll((els) => els.map((e) => e.textContent?.trim()).filter(Boolean));
    expect(short).toEqual(['Browse', 'Pen', 'Highlight', 'Erase stroke', 'Erase area', 'Undo', 'Redo', 'Clear all']);
    // The 学习任务单 is a PDF, not "Slides".
    expect(await page.locator('.lesson__list .row__tag').allInnerTexts()).toEqual(['Video', 'PDF']);
  });

  it("words a plan's item buttons, unlike the PDF's own ◀ ▶ page buttons", async () => {
    const saved = await hubApi(hub, 'plans:save', {
      title: '分数的初步认识',
      items: [
        { kind: 'board', template: 'tianzige' },
        { kind: 'resource', resourceId: 'cn.classboard.demo/l-fs-rw' },
        { kind: 'board', template: 'zuobiao' },
      ],
    });
    await page.goto(hub.url);
    await page.evaluate(() => localStorage.setItem('classboard.lang', 'zh-CN'));
    await page.goto(`${hub.url}#/present/${saved.value.id}/1`);
    await page.reload();
    const pageNext = page.getByRole('button', { name: '下一页' });
    const itemNext = page.getByRole('button', { name: '下一项' });
    await pageNext.waitFor();
    await shot(page, 'bar-labels-plan-pdf');
    const [p, i] = [await pageNext.innerText(), await itemNext.innerText()];
    expect(i).toContain('下一项');
    expect(i).not.toBe(p);
    expect(await page.getByRole('button', { name: '上一项' }).innerText()).toContain('上一项');
  });
});
