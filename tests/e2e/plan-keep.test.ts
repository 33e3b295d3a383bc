// A 备课 the teacher put together is never thrown away: it saves itself as she
// works, so 首页, 返回, Esc or a reload straight after adding items keep it; its
// lists scroll with every row at full height and show there is more below; and a
// plan can be deleted from its editor after a confirm.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubApi, newBoardPage, shot, useBoardSession, type RunningHub } from './harness';

const session = useBoardSession();
let hub: RunningHub;
let page: Page;

beforeAll(() => {
  ({ hub, page } = session);
});

const plans = async (): Promise<{ id: number; title: string; items: number }[]> => (await hubApi(hub, 'plans:list', {})).value.plans;
const byTitle = async (title: string) => (await plans()).filter((p) => p.title === title);
const items = (p: Page = page) => p.getByRole('list', { name: '上课顺序' }).getByRole('listitem');

async function newPlan(title: string, p: Page = page) {
  await p.goto(hub.url);
  await p.getByRole('button', { name: '＋ 新建备课' }).click();
  if (title) await p.getByRole('textbox', { name: '备课标题' }).fill(title);
}

describe('a plan is never lost', () => {
  it('首页 before 保存 keeps the plan and its items (it was thrown away without a word)', async () => {
    await newPlan('找春天 第一课时');
    const add = page.getByRole('searchbox', { name: '搜索要加入的资源' });
    await add.fill('找春天');
    await page.getByRole('button', { name: /^加入：找春天/ }).first().click();
    await page.getByRole('button', { name: '＋ 田字格' }).click();
    await page.getByRole('button', { name: '＋ 坐标格' }).click();
    await expect.poll(() => items().count()).toBe(3);
    await page.getByRole('button', { name: /首页/ }).click();
    await expect.poll(() => byTitle('找春天 第一课时'), { timeout: 5000 }).toMatchObject([{ items: 3 }]);
    // 我的备课 on the home screen shows it, and it opens with its items.
    await page.getByRole('region', { name: '我的备课' }).getByRole('button', { name: /找春天 第一课时/ }).click();
    await expect.poll(() => items().count()).toBe(3);
  });

  it('a reload straight after adding items keeps them', async () => {
    await newPlan('');
    await page.getByRole('button', { name: '＋ 米字格' }).click();
    await page.getByRole('button', { name: '＋ 五线谱' }).click();
    await page.reload();
    await expect.poll(async () => (await byTitle('未命名的课')).map((p) => p.items), { timeout: 5000 }).toEqual([2]);
  });

  it('返回 and Esc keep changes to a saved plan, and the editor says it is saved', async () => {
    const { value } = await hubApi(hub, 'plans:save', { title: '四线三格练习', items: [{ kind: 'board', template: 'sixian' }] });
    await page.goto(hub.url);
    await page.evaluate((id) => (window.location.hash = `#/plan/${id}`), value.id);
    await expect.poll(() => items().count()).toBe(1);
    await page.getByRole('button', { name: '＋ 方格' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: '已保存' }).count()).toBe(1);
    await shot(page, 'plan-autosaved');
    await page.getByRole('button', { name: /返回/ }).click();
    await expect.poll(async () => (await byTitle('四线三格练习'))[0]?.items).toBe(2);

    await page.evaluate((id) => (window.location.hash = `#/plan/${id}`), value.id);
    await expect.poll(() => items().count()).toBe(2);
    await page.getByRole('button', { name: '删除第 1 项' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(() => new URL(page.url()).hash).not.toMatch(/plan/);
    await expect.poll(async () => (await hubApi(hub, 'plans:get', { id: value.id })).value.items).toEqual([{ kind: 'board', template: 'fangge' }]);
  });

  it('a new plan is saved once, not once per change', async () => {
    await newPlan('只存一份');
    for (const tpl of ['白板', '绿板', '黑板', '田字格']) await page.getByRole('button', { name: `＋ ${tpl}` }).click();
    await page.getByRole('textbox', { name: '备课标题' }).fill('只存一份 改名');
    await page.getByRole('button', { name: /首页/ }).click();
    await expect.poll(() => byTitle('只存一份 改名'), { timeout: 5000 }).toMatchObject([{ items: 4 }]);
    expect(await byTitle('只存一份')).toEqual([]);
  });

  it('F5 presents a plan that was new when the editor opened, with what was just added', async () => {
    await newPlan('F5 上课');
    await page.getByRole('button', { name: '＋ 坐标格' }).click();
    await page.getByRole('button', { name: '＋ 方格' }).click();
    await page.keyboard.press('F5');
    await expect.poll(() => new URL(page.url()).hash).toMatch(/^#\/present\/\d+\/0$/);
    await expect.poll(() => page.getByText('第 1 / 2 项').count()).toBe(1);
    await page.locator('canvas.board-page__paper[data-template="zuobiao"]').waitFor();
  });
});

describe('the plan lists at 1080p and 4K', () => {
  for (const [w, h] of [
    [1920, 1080],
    [3840, 2160],
  ] as const) {
    it(`${w}×${h}: rows keep their full height, the lists scroll and show there is more below`, async () => {
      const p = await newBoardPage(session.browser, w, h);
      try {
        await newPlan(`长长的备课 ${w}`, p);
        const add = p.getByRole('searchbox', { name: '搜索要加入的资源' });
        for (let i = 0; i < 3; i++) {
          await add.fill('学习任务单');
          await p.getByRole('button', { name: '加入：学习任务单' }).nth(i).click();
        }
        for (const tpl of ['白板', '田字格', '米字格', '四线三格', '方格', '五线谱', '坐标格', '绿板', '黑板', '白板', '田字格']) {
          await p.getByRole('button', { name: `＋ ${tpl}` }).click();
        }
        await expect.poll(() => items(p).count()).toBe(14);
        await add.fill('学习任务单');
        await p.getByRole('button', { name: '加入：学习任务单' }).first().waitFor();
        await shot(p, `plan-long-${w}`);
        for (const list of ['.plan__items', '.plan__found']) {
          const m = await p.locator(list).evaluate((el) => {
            const rows = [...el.children].filter((c) => c.classList.contains('row')) as HTMLElement[];
            return {
              rows: rows.length,
              squashed: rows.filter((r) => r.clientHeight < r.scrollHeight).length,
              overlaps: rows.filter((r, i) => i > 0 && r.getBoundingClientRect().top < rows[i - 1]!.getBoundingClientRect().bottom - 0.5).length,
              scrolls: el.scrollHeight > el.clientHeight,
            };
          });
          expect(m, list).toMatchObject({ squashed: 0, overlaps: 0 });
          expect(m.rows, list).toBeGreaterThan(0);
          if (list === '.plan__items') expect(m.scrolls).toBe(true);
        }
        // "More below" shows on the running order, and goes once it is scrolled to its end.
        const more = p.locator('.plan__scroll', { has: p.locator('.plan__items') }).getByText('下面还有');
        await expect.poll(() => more.isVisible()).toBe(true);
        await p.locator('.plan__items').evaluate((el) => el.scrollTo(0, el.scrollHeight));
        await expect.poll(() => more.isVisible()).toBe(false);
        await p.locator('.plan__items').evaluate((el) => el.scrollTo(0, 0));
        await expect.poll(() => more.isVisible()).toBe(true);
      } finally {
        await p.close();
      }
    });
  }
});

describe('deleting a plan', () => {
  it('删除这份备课 asks first; 取消 and Esc keep it; 删除 takes it off 我的备课', async () => {
    const { value } = await hubApi(hub, 'plans:save', { title: '要删的备课', items: [{ kind: 'board', template: 'white' }] });
    await page.goto(hub.url);
    await page.getByRole('region', { name: '我的备课' }).getByRole('button', { name: /要删的备课/ }).click();
    await expect.poll(() => items().count()).toBe(1);
    // Not beside 开始上课: a tap meant for it must not reach 删除.
    const del = page.getByRole('button', { name: '删除这份备课' });
    const start = page.getByRole('button', { name: '开始上课' });
    const [d, s] = [await del.boundingBox(), await start.boundingBox()];
    expect(Math.abs(d!.y - s!.y)).toBeGreaterThan(200);
    expect(d!.height).toBeGreaterThanOrEqual(60);

    await del.click();
    const ask = page.getByRole('alertdialog', { name: '删除这份备课？' });
    await ask.waitFor();
    await expect.poll(() => ask.textContent()).toContain('要删的备课');
    await shot(page, 'plan-delete-ask');
    const yes = ask.getByRole('button', { name: '删除' });
    expect((await yes.boundingBox())!.height).toBeGreaterThanOrEqual(60);
    await ask.getByRole('button', { name: '取消' }).click();
    await expect.poll(() => ask.count()).toBe(0);
    await del.click();
    await ask.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => ask.count()).toBe(0);
    expect(new URL(page.url()).hash).toBe(`#/plan/${value.id}`);
    expect(await byTitle('要删的备课')).toHaveLength(1);

    await del.click();
    await ask.getByRole('button', { name: '删除' }).click();
    await expect.poll(() => new URL(page.url()).hash).toMatch(/^(#\/)?$/);
    await expect.poll(() => page.getByRole('region', { name: '我的备课' }).getByRole('button', { name: /要删的备课/ }).count()).toBe(0);
    await page.getByRole('region', { name: '我的备课' }).getByRole('button', { name: '＋ 新建备课' }).waitFor();
    expect(await byTitle('要删的备课')).toEqual([]);
  });
});
