// Search results that share a title (the demo library has six 学习任务单, each in a
// different lesson) must show, without hover, what tells them apart: the lesson
// and its unit in full, and the rest of the path cut at its start so its end (the
// 册次 just above the unit) stays in view. On the home screen's search and the
// timetable's lesson search (the add form and a row's chooser), the 备课 editor's
// results and list and the timetable page's rows, at 1080p and 4K;
// on the home screen also for a publisher's long path, wider than its column.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFeed } from '../../main/feed/write';
import { hubApi, launchBrowser, newBoardPage, shot, startHubProcess, type RunningHub } from './harness';

const run = promisify(execFile);
let hub: RunningHub;
let browser: Browser;
let tmp: string;
/** The paths of the results titled exactly `query`, as library:search gives them. */
const paths = new Map<string, string[][]>();
// A publisher's long edition and volume names: the path outgrows even the home screen's wide column.
const EDITION = '人民教育出版社·义务教育教科书（2022年版课程标准修订版）';
const VOLUME = '五年级下册（供全国各地区使用，2024年秋季起启用的新版教材）';

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-paths-'));
  const data = path.join(tmp, 'data');
  const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8')) as { keyId: string; publicKey: string };
  await run(process.execPath, ['bin/classboard.js', '--data', data, 'import', 'assets/demo-feed', '--key', `${pub.keyId}=${pub.publicKey}`]);
  const nodes = [
    { id: 'st', parent: null, kind: 'stage' as const, title: '小学', order: 1 },
    { id: 'gr', parent: 'st', kind: 'grade' as const, title: '五年级', order: 1 },
    { id: 'su', parent: 'gr', kind: 'subject' as const, title: '数学', order: 1 },
    { id: 'ed', parent: 'su', kind: 'edition' as const, title: EDITION, order: 1 },
    { id: 'vo', parent: 'ed', kind: 'volume' as const, title: VOLUME, order: 1 },
    { id: 'u4', parent: 'vo', kind: 'unit' as const, title: '第四单元 分数的意义和性质', order: 1 },
    { id: 'u6', parent: 'vo', kind: 'unit' as const, title: '第六单元 分数的加法和减法', order: 2 },
    { id: 'a', parent: 'u4', kind: 'lesson' as const, title: '分数的产生和意义', order: 1 },
    { id: 'b', parent: 'u4', kind: 'lesson' as const, title: '真分数和假分数', order: 2 },
    { id: 'c', parent: 'u6', kind: 'lesson' as const, title: '同分母分数加、减法', order: 1 },
  ];
  const resources = ['a', 'b', 'c'].map((node) => ({ id: `x${node}`, node, type: 'pdf' as const, title: '课后练习', files: [] }));
  await writeFeed(path.join(tmp, 'long'), { id: 'test.paths', title: '长路径', revision: 1, shards: [{ path: 'shards/a.json', nodes, resources }] });
  await run(process.execPath, ['bin/classboard.js', '--data', data, 'import', path.join(tmp, 'long'), '--unsigned']);
  hub = await startHubProcess({ data, args: ['--no-schedule'] });
  browser = await launchBrowser();
  for (const query of ['学习任务单', '课后练习']) {
    const found = await hubApi(hub, 'library:search', { query });
    paths.set(query, (found.value.results as { title: string; path: string[] }[]).filter((r) => r.title === query).map((r) => r.path));
  }
  expect(paths.get('学习任务单')).toHaveLength(6);
  expect(paths.get('课后练习')).toHaveLength(3);
  // A period with no lesson yet, for the chooser a row opens.
  await hubApi(hub, 'timetable:set', { entries: [{ weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '三（2）班', resourceId: null }] });
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Whether `text` is drawn inside `card` and not clipped away by an ellipsis or an
 * ancestor's overflow: its glyphs' box lies within every clipping box up to the card.
 */
async function shows(card: Locator, text: string): Promise<boolean> {
  return card.evaluate((root, text) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const at = n.textContent!.indexOf(text);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(n, at);
      range.setEnd(n, at + text.length);
      const lines = [...range.getClientRects()].filter((r) => r.width > 0);
      if (lines.length === 0) continue;
      let visible = true;
      for (let el = n.parentElement; el && visible; el = el === root ? null : el.parentElement) {
        const style = getComputedStyle(el);
        const clip = el.getBoundingClientRect();
        // Across, every glyph inside; down, each line's middle (a CJK glyph box is taller than its line).
        for (const box of lines) {
          if (style.overflowX !== 'visible') visible &&= box.left >= clip.left - 1 && box.right <= clip.right + 1;
          if (style.overflowY !== 'visible') visible &&= (box.top + box.bottom) / 2 > clip.top && (box.top + box.bottom) / 2 < clip.bottom;
        }
      }
      if (visible) return true;
    }
    return false;
  }, text);
}

/** Every card among `results` (those titled `query`) shows its lesson, its unit and the part of the path above them. */
async function expectTellable(results: Locator, query: string) {
  const all = paths.get(query)!;
  await expect.poll(() => results.count()).toBe(all.length);
  const seen = new Set<string>();
  for (let i = 0; i < all.length; i++) {
    const card = results.nth(i);
    // The home screen's column shows five or so; the rest are a scroll away.
    await card.scrollIntoViewIfNeeded();
    const text = (await card.textContent())!;
    const p = all.find((p) => text.includes(p.at(-1)!) && text.includes(p.at(-2)!))!;
    expect(p, text).toBeDefined();
    const [volume, unit, lesson] = p.slice(-3);
    expect({ card: text, lesson: await shows(card, lesson!), unit: await shows(card, unit!), volume: await shows(card, volume!) }).toEqual({ card: text, lesson: true, unit: true, volume: true });
    seen.add(lesson!);
    // Still a finger-sized target.
    expect((await card.boundingBox())!.height).toBeGreaterThanOrEqual(64);
  }
  expect(seen.size).toBe(all.length);
}

describe.each([
  ['1080p', 1920, 1080],
  ['4K', 3840, 2160],
])('same-titled search results at %s', (name, width, height) => {
  let page: Page;
  beforeAll(async () => {
    page = await newBoardPage(browser, width, height);
  });
  afterAll(async () => {
    await page.close();
  });

  it('on the home screen show each one’s lesson and unit', async () => {
    await page.goto(hub.url);
    const search = page.getByRole('searchbox', { name: '搜索课程' });
    await search.fill('学习任务单');
    await expectTellable(page.locator('.home__main').getByRole('button', { name: '学习任务单', exact: true }), '学习任务单');
    await shot(page, `search-paths-home-${name}`);
    await search.fill('课后练习');
    await expectTellable(page.locator('.home__main').getByRole('button', { name: /^课后练习/ }), '课后练习');
    await shot(page, `search-paths-home-long-${name}`);
  });

  it('in the timetable’s add form and a row’s chooser show each one’s lesson and unit', async () => {
    await page.goto(`${hub.url}#/timetable`);
    const form = page.getByRole('region', { name: '添加一节课' });
    await form.getByRole('searchbox', { name: '课程资源（搜索）' }).fill('学习任务单');
    await expectTellable(form.locator('.rows').getByRole('button'), '学习任务单');
    await shot(page, `search-paths-add-form-${name}`);
    await form.getByRole('searchbox', { name: '课程资源（搜索）' }).fill('');
    await page.getByRole('button', { name: '为星期一第 1 节（三（2）班）选择课程' }).click();
    const chooser = page.getByRole('region', { name: '为星期一第 1 节（三（2）班）选择课程' });
    await chooser.getByRole('searchbox').fill('学习任务单');
    await expectTellable(chooser.locator('.rows').getByRole('button'), '学习任务单');
    await shot(page, `search-paths-chooser-${name}`);
  });

  it('in the plan editor’s add results and its list, and on the timetable page’s rows, show each one’s lesson and unit', async () => {
    await page.goto(`${hub.url}#/plan/new`);
    await page.getByRole('searchbox', { name: '搜索要加入的资源' }).fill('学习任务单');
    const add = page.locator('.plan__found').getByRole('button', { name: '加入：学习任务单', exact: true });
    await expectTellable(add, '学习任务单');
    for (let i = 0; i < 6; i++) await add.nth(i).click();
    const items = page.getByRole('list', { name: '上课顺序' }).getByRole('listitem');
    await expectTellable(items, '学习任务单');
    await shot(page, `search-paths-plan-${name}`);
    // As saved: the plan's items come back with their place in the textbook.
    await page.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/plan\/\d+$/);
    await page.reload();
    await expectTellable(items, '学习任务单');

    // Tuesday's periods, one sheet each (Monday's lesson-less period stays for the chooser).
    const found = await hubApi(hub, 'library:search', { query: '学习任务单' });
    const sheets = (found.value.results as { id: string; title: string }[]).filter((r) => r.title === '学习任务单');
    const entries = [
      { weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '三（2）班', resourceId: null },
      ...sheets.map((r, i) => ({ weekday: 2, period: i + 1, starts: `${10 + i}:00`, ends: `${10 + i}:40`, className: '三（2）班', resourceId: r.id })),
    ];
    expect((await hubApi(hub, 'timetable:set', { entries })).ok).toBe(true);
    await page.goto(`${hub.url}#/timetable`);
    await expectTellable(page.getByRole('table', { name: '课表' }).getByRole('row').filter({ hasText: '星期二' }), '学习任务单');
    await shot(page, `search-paths-timetable-${name}`);
  });
});
