// A saved 备课 opened while the hub does not answer (a restart) showed an empty editor
// that could be edited: a title typed into it was autosaved over the plan, and a save
// replaces all its items, so the teacher's plan was left with none. Now the editor
// waits for the plan, reads it again when the hub is back, and saves only changes to it.
// And a page only hidden (another window) no longer sends a newer draft past the save
// on its way: one that failed was lost while the editor said ✓ 已保存.
import type { Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hubApi, useBoardSession, type RunningHub } from './harness';

const session = useBoardSession();
let hub: RunningHub;
let page: Page;

beforeAll(() => {
  ({ hub, page } = session);
});
// A test that failed leaves the next one a page that reaches the hub.
afterEach(async () => {
  await page.unrouteAll();
});

const rows = () => page.getByRole('list', { name: '上课顺序' }).getByRole('listitem');
const onHub = async (id: number) => (await hubApi(hub, 'plans:get', { id })).value;
const PLAN = [
  { kind: 'board', template: 'tianzige' },
  { kind: 'board', template: 'mizige' },
  { kind: 'board', template: 'sixian' },
] as const;

describe('a saved plan that could not be read', () => {
  it('is not overwritten by what was typed into the empty editor, and opens once the hub answers', async () => {
    const { value } = await hubApi(hub, 'plans:save', { title: '识字 第二课时', items: [...PLAN] });
    await page.goto(hub.url);
    await page.route('**/api/plans:get', (route) => route.abort('connectionreset'));
    await page.evaluate((id) => (window.location.hash = `#/plan/${id}`), value.id);
    await expect.poll(() => page.locator('#root').innerText()).toContain('连不上学校的中心服务器');

    // What a teacher would do in the empty editor (it did not stop her before).
    await page.getByRole('textbox', { name: '备课标题' }).fill('识字', { timeout: 1000 }).catch(() => {});
    await page.getByRole('button', { name: '＋ 田字格' }).click({ timeout: 1000 }).catch(() => {});
    await page.waitForTimeout(1500);
    expect(await onHub(value.id)).toMatchObject({ title: '识字 第二课时', items: PLAN });

    await page.unroute('**/api/plans:get');
    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(3);
    await expect.poll(() => page.getByRole('textbox', { name: '备课标题' }).inputValue()).toBe('识字 第二课时');
    expect(await page.locator('#root').innerText()).not.toContain('连不上学校的中心服务器');

    // Loaded, it is the teacher's to change, and her change is saved on top of its items.
    await page.getByRole('button', { name: '＋ 方格' }).click();
    await expect.poll(async () => (await onHub(value.id)).items.length, { timeout: 5000 }).toBe(4);
    expect((await onHub(value.id)).items.slice(0, 3)).toEqual(PLAN);
  });
});

describe('a page hidden while a save is on its way', () => {
  it('keeps the newer change when its save fails, and saves it after', async () => {
    const { value } = await hubApi(hub, 'plans:save', { title: '藏起来', items: [{ kind: 'board', template: 'tianzige' }] });
    await page.goto(hub.url);
    await page.evaluate((id) => (window.location.hash = `#/plan/${id}`), value.id);
    await expect.poll(() => rows().count()).toBe(1);

    // The first save is slow, the next one is lost on the way, later ones arrive.
    let saves = 0;
    await page.route('**/api/plans:save', async (route) => {
      saves++;
      if (saves === 1) {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      } else if (saves === 2) await route.abort('failed');
      else await route.continue();
    });
    await page.getByRole('button', { name: '＋ 米字格' }).click();
    await expect.poll(() => saves).toBe(1);
    await page.getByRole('button', { name: '＋ 五线谱' }).click();
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(async () => (await onHub(value.id)).items.length, { timeout: 15_000 }).toBe(3);
    await page.evaluate(() => delete (document as { visibilityState?: unknown }).visibilityState);
  });
});
