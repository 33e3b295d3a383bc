// Undo lasts per page for the whole lesson. It lived in each surface's model and
// was rebuilt with every plan item: a 清屏 followed by PageDown and PageUp could
// never be undone (the strokes were gone for good), and no stroke on a page she
// came back to could be. 撤销 and 重做 never greyed out, so a tap that did
// nothing did not say why.
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubApi, useBoardSession, type RunningHub } from './harness';
import { inkLive, inkStrokeCount, touchLine } from './board-input';

const session = useBoardSession();
let hub: RunningHub;
let page: Page;
let cdp: CDPSession;
let plan: number;

const line = (id: number, x: number, y: number, dx: number) => touchLine(cdp, id, x, y, dx);
const live = () => inkLive(page);
const strokeCount = () => inkStrokeCount(page);
const saved = () => expect.poll(() => live().getAttribute('data-unsaved')).toBe('0');
const button = (name: string) => page.getByRole('button', { name, exact: true });
const enabled = (name: string) => button(name).isEnabled();
const onHub = async (index: number) => (await hubApi(hub, 'annotations:list', { target: `plan:${plan}`, page: String(index) })).value.strokes.length as number;

async function showItem(template: string, key: 'PageDown' | 'PageUp' | null) {
  if (key) await page.keyboard.press(key);
  await page.locator(`canvas.board-page__paper[data-template="${template}"]`).waitFor();
  await live().waitFor();
}

async function pen() {
  if ((await button('笔').getAttribute('aria-pressed')) !== 'true') await button('笔').click();
}

beforeAll(async () => {
  ({ hub, page } = session);
  cdp = await page.context().newCDPSession(page);
  const made = await hubApi(hub, 'plans:save', {
    title: '撤销跨页',
    items: [
      { kind: 'board', template: 'tianzige' },
      { kind: 'board', template: 'white' },
    ],
  });
  plan = made.value.id as number;
  await page.goto(`${hub.url}#/present/${plan}/0`);
  await showItem('tianzige', null);
});

describe('undo kept per page while the lesson goes on', () => {
  it('撤销 and 重做 are greyed out while the page has nothing to undo or redo', async () => {
    expect(await enabled('撤销')).toBe(false);
    expect(await enabled('重做')).toBe(false);
    await pen();
    await line(1, 300, 300, 400);
    await expect.poll(() => enabled('撤销')).toBe(true);
    expect(await enabled('重做')).toBe(false);
    await button('撤销').click();
    await expect.poll(strokeCount).toBe(0);
    await expect.poll(() => enabled('重做')).toBe(true);
    expect(await enabled('撤销')).toBe(false);
    await button('重做').click();
    await expect.poll(strokeCount).toBe(1);
    await saved();
  });

  it('a 清屏 followed by PageDown and PageUp is undone, and the undo is saved', async () => {
    await line(2, 300, 400, 400);
    await line(3, 300, 500, 400);
    await expect.poll(strokeCount).toBe(3);
    await saved();
    await button('清屏').click();
    await expect.poll(strokeCount).toBe(0);
    await saved();

    await showItem('white', 'PageDown');
    // The next page has a history of its own: nothing to undo there yet.
    await expect.poll(() => enabled('撤销')).toBe(false);
    await showItem('tianzige', 'PageUp');
    await expect.poll(() => enabled('撤销')).toBe(true);
    await button('撤销').click();
    await expect.poll(strokeCount).toBe(3);
    await saved();
    expect(await onHub(0)).toBe(3);

    await page.reload();
    await showItem('tianzige', null);
    await expect.poll(strokeCount).toBe(3);
  });

  it('a stroke on a page she comes back to is undone there, and only there', async () => {
    await pen();
    await showItem('white', 'PageDown');
    await line(4, 300, 300, 400);
    await expect.poll(strokeCount).toBe(1);
    await saved();
    await showItem('tianzige', 'PageUp');
    await line(5, 300, 700, 400);
    await expect.poll(strokeCount).toBe(4);
    await saved();

    await showItem('white', 'PageDown');
    await expect.poll(strokeCount).toBe(1);
    await button('撤销').click();
    await expect.poll(strokeCount).toBe(0);
    await saved();
    expect(await onHub(1)).toBe(0);
    expect(await onHub(0)).toBe(4);
    await expect.poll(() => enabled('撤销')).toBe(false);

    await showItem('tianzige', 'PageUp');
    await button('撤销').click();
    await expect.poll(strokeCount).toBe(3);
    await saved();
    expect(await onHub(0)).toBe(3);
  });

  it('with the hub out of reach, a page she comes back to shows her unsaved ink, and its undo is saved after it', async () => {
    await page.reload();
    await showItem('tianzige', null);
    await expect.poll(strokeCount).toBe(3);
    await pen();
    const offline = (on: boolean) => cdp.send('Network.emulateNetworkConditions', { offline: on, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.send('Network.enable');
    await offline(true);
    try {
      await line(6, 900, 300, 400);
      await line(7, 900, 400, 400);
      await expect.poll(strokeCount).toBe(5);
    } finally {
      await offline(false);
    }
    // Back within the 2 s before those two strokes are tried again: her undo
    // on the page she comes back to must not reach the hub before them.
    await showItem('white', 'PageDown');
    await showItem('tianzige', 'PageUp');
    // The hub's copy is older than what she left.
    await expect.poll(strokeCount).toBe(5);
    await button('撤销').click();
    await expect.poll(strokeCount).toBe(4);
    await expect.poll(() => live().getAttribute('data-unsaved'), { timeout: 10_000 }).toBe('0');
    await expect.poll(() => onHub(0), { timeout: 6_000 }).toBe(4);
    await page.reload();
    await showItem('tianzige', null);
    await expect.poll(strokeCount).toBe(4);
  });
});

describe('a page opened before the hub sent its ink', () => {
  const inkOn = async (id: number, index: number) =>
    (await hubApi(hub, 'annotations:list', { target: `plan:${id}`, page: String(index) })).value.strokes.length as number;

  // The surface showed a blank page with a history of its own until the hub
  // answered: with annotations:list failing, her strokes and their undo went
  // into that throwaway history, and PageDown, PageUp showed the page's stale
  // copy: her writing vanished and 撤销 had nothing.
  it('keeps what she writes when the hub did not send the page, and its undo', async () => {
    const made = await hubApi(hub, 'plans:save', {
      title: '连不上时写',
      items: [
        { kind: 'board', template: 'white' },
        { kind: 'board', template: 'tianzige' },
      ],
    });
    const id = made.value.id as number;
    await page.route('**/api/annotations:list', (r) => r.abort('connectionreset'), { times: 1 });
    await page.route('**/api/annotations:batch', (r) => r.abort('connectionreset'));
    try {
      await page.goto(`${hub.url}#/present/${id}/0`);
      await showItem('white', null);
      await pen();
      await line(11, 300, 300, 400);
      await expect.poll(strokeCount).toBe(1);
      await showItem('tianzige', 'PageDown');
      await showItem('white', 'PageUp');
      await expect.poll(strokeCount).toBe(1);
      await expect.poll(() => enabled('撤销')).toBe(true);
    } finally {
      await page.unroute('**/api/annotations:batch');
    }
    await expect.poll(() => live().getAttribute('data-unsaved'), { timeout: 10_000 }).toBe('0');
    expect(await inkOn(id, 0)).toBe(1);
    await button('撤销').click();
    await expect.poll(strokeCount).toBe(0);
    await saved();
    expect(await inkOn(id, 0)).toBe(0);
  });

  // Plan ids are SQLite rowids: the next plan made after deleting the newest
  // takes its id, and its blank page came with the deleted plan's undo, so 撤销
  // put the deleted plan's ink on it and saved it there.
  it("gives a new plan that took a deleted plan's id nothing to undo", async () => {
    const items = [{ kind: 'board', template: 'white' }];
    const id = (await hubApi(hub, 'plans:save', { title: '要删的备课', items })).value.id as number;
    await page.goto(`${hub.url}#/present/${id}/0`);
    await showItem('white', null);
    await pen();
    await line(12, 300, 300, 400);
    await line(13, 300, 400, 400);
    await expect.poll(strokeCount).toBe(2);
    await saved();
    await page.goto(`${hub.url}#/`);
    expect((await hubApi(hub, 'plans:delete', { id })).value.deleted).toBe(true);
    expect((await hubApi(hub, 'plans:save', { title: '新备课', items })).value.id).toBe(id);

    await page.goto(`${hub.url}#/present/${id}/0`);
    await showItem('white', null);
    await expect.poll(() => enabled('撤销')).toBe(false);
    expect(await strokeCount()).toBe(0);
    expect(await enabled('重做')).toBe(false);
  });

  it('forgets a plan deleted in the editor, though its page was cleared (empty, as the new plan’s is)', async () => {
    const items = [{ kind: 'board', template: 'white' }];
    const id = (await hubApi(hub, 'plans:save', { title: '清屏后删掉', items })).value.id as number;
    await page.goto(`${hub.url}#/present/${id}/0`);
    await showItem('white', null);
    await pen();
    await line(14, 300, 300, 400);
    await expect.poll(strokeCount).toBe(1);
    await button('清屏').click();
    await expect.poll(strokeCount).toBe(0);
    await saved();
    // Deleted at the board, in its editor.
    await page.evaluate((h) => (window.location.hash = h), `#/plan/${id}`);
    await page.getByRole('button', { name: '删除这份备课' }).click();
    await page.getByRole('alertdialog', { name: '删除这份备课？' }).getByRole('button', { name: '删除' }).click();
    // The editor goes home once the plan is deleted.
    await expect.poll(() => new URL(page.url()).hash).not.toMatch(/^#\/plan\//);
    expect((await hubApi(hub, 'plans:get', { id })).ok).toBe(false);
    expect((await hubApi(hub, 'plans:save', { title: '新备课', items })).value.id).toBe(id);

    await page.evaluate((h) => (window.location.hash = h), `#/present/${id}/0`);
    await showItem('white', null);
    // Before: 撤销 undid the deleted plan's 清屏 onto the new plan's page, and saved that ink there.
    await expect.poll(() => enabled('撤销')).toBe(false);
    expect(await strokeCount()).toBe(0);
  });
});
