// 同步设置 as a teacher or a county IT admin reads it at the board: each speed with
// what it brings in an hour (and a night), 标清 / 高清 / 超清 rather than bare 480p,
// the cache limit beside what is used, and the night window set with big hour
// buttons instead of two 48-row lists. Values set elsewhere that no button offers
// show and are saved back unchanged. Every target is a finger's size and nothing is
// cut off, at 1080p and at 4K. The hub (the built CLI), a feed on nginx, Chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import { writeFeed } from '../../main/feed/write';
import type { Nginx } from '../fixtures/nginx';
import { hubApi, newBoardPage, shot, type RunningHub } from './harness';
import { startSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-settings-words');
const F = 'cn.test.settings';
let tmp: string;
let nginx: Nginx;
let hub: RunningHub;
let browser: Browser;
let page: Page;

const api = (channel: string, req: unknown) => hubApi(hub, channel, req);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-settings-'));
  const bytes = Buffer.alloc(100 * 1024, 3);
  await writeFeed(path.join(tmp, 'www', 'feed'), {
    id: F,
    title: '市教育云',
    revision: 1,
    signingKey: key,
    shards: [
      {
        path: 'shards/a.json',
        nodes: [{ id: 'l1', parent: null, kind: 'lesson', title: '分数的初步认识', order: 1 }],
        resources: [{ id: 'r1', node: 'l1', type: 'video', title: '分数 微课', files: [{ role: 'main', sha256: sha256Hex(bytes), size: bytes.length, mime: 'video/mp4', height: 720 }] }],
      },
    ],
    blobs: [{ source: bytes }],
  });
  ({ nginx, hub, browser, page } = await startSyncBoard({ www: path.join(tmp, 'www'), data: path.join(tmp, 'data'), key }));
});
afterAll(() => stopSyncBoard({ browser, hub, nginx }, tmp));

const settings = (p: Page, name = '同步设置') => p.getByRole('region', { name });

/** Every target of the panel at least ~48 CSS px tall, inside the panel's width, its words not clipped, and reachable by scrolling. */
async function checkFits(p: Page, name?: string) {
  const panel = settings(p, name);
  const box = (await panel.boundingBox())!;
  const targets = [...(await panel.locator('.choice').all()), ...(await panel.getByRole('button').all()), ...(await panel.getByRole('spinbutton').all())];
  expect(targets.length).toBeGreaterThan(15);
  for (const target of targets) {
    await target.scrollIntoViewIfNeeded();
    const b = (await target.boundingBox())!;
    const name = await target.textContent();
    expect(b.height, `${name} is ${b.height} px tall`).toBeGreaterThanOrEqual(48);
    const panelNow = (await panel.boundingBox())!;
    expect(b.x, `${name} starts left of the panel`).toBeGreaterThanOrEqual(panelNow.x - 1);
    expect(b.x + b.width, `${name} ends right of the panel`).toBeLessThanOrEqual(panelNow.x + panelNow.width + 1);
    // Scrolled to, it is on screen above the bottom bar.
    const bar = (await p.locator('.bottom-bar').boundingBox())!;
    expect(b.y + b.height, `${name} is under the bottom bar`).toBeLessThanOrEqual(bar.y + 1);
    expect(await target.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), `${name} is clipped`).toBe(true);
  }
  // And the panel's words do not run out of it.
  expect(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
  expect(box.width).toBeGreaterThan(0);
}

describe('the sync settings in plain words', () => {
  it('shows values saved elsewhere as they are, in words, and saves them back unchanged', async () => {
    // Set by an admin elsewhere: a 3 Mbit/s night (no button offers it), a window at a quarter past.
    expect((await api('sync:configure', { window: '22:15-06:30', nightRate: 375_000, dayRate: 31_250, maxHeight: 720, quotaBytes: 512 * 1024 ** 2 })).ok).toBe(true);
    await page.goto(`${hub.url}#/sync`);
    const panel = settings(page);
    const night = panel.getByRole('radiogroup', { name: '夜间限速' });
    await expect.poll(() => night.getByRole('radio', { checked: true }).count()).toBe(1);
    // The odd rate is its own choice, with what it brings in an hour (375,000 B/s × 3600 = 1.26 GiB).
    expect(await night.getByRole('radio', { checked: true }).evaluate((el) => el.closest('label')!.textContent)).toBe('3 Mbit/s每小时约 1.3 GB');
    expect(await night.getByRole('radio').count()).toBe(8);
    expect(await night.textContent()).toContain('4 Mbit/s每小时约 1.7 GB');
    expect(await night.textContent()).toContain('不限速');
    // rate × window: 375,000 B/s over 8¼ hours.
    expect(await panel.textContent()).toContain('按这个速度，每晚最多下载约 10.4 GB');
    expect(await panel.textContent()).toContain('夜间同步时段（每晚 8.25 小时）');
    // The quality by name.
    const quality = panel.getByRole('radiogroup', { name: '视频清晰度' });
    expect(await quality.getByRole('radio').evaluateAll((els) => els.map((el) => el.closest('label')!.textContent))).toEqual(['标清 480p', '高清 720p', '超清 1080p']);
    expect(await quality.getByRole('radio', { name: '高清 720p' }).isChecked()).toBe(true);
    // The window's minutes saved elsewhere are a choice of their own.
    const from = panel.getByRole('group', { name: '夜间开始' });
    expect(await from.locator('output').textContent()).toBe('22:15');
    expect(await from.getByRole('radio', { name: ':15' }).isChecked()).toBe(true);
    // The limit beside what is used and what is free.
    expect(await panel.getByLabel(/缓存上限/).inputValue()).toBe('0.5');
    await expect.poll(() => panel.textContent()).toMatch(/最多占用GB 磁盘留空为不限 · 已用 [\d.]+ ?[KMG]?B · 磁盘剩余 [\d.]+ [KMGT]B/);
    await shot(page, 'sync-settings-words');

    // Only the day rate changed: the rest is saved exactly as it was.
    await panel.getByRole('radiogroup', { name: '白天下载速度' }).getByRole('radio', { name: /^暂停/ }).click();
    await panel.getByRole('button', { name: '保存设置' }).click();
    await expect.poll(() => panel.getByText('设置已保存').count()).toBe(1);
    expect((await api('sync:settings', {})).value).toMatchObject({ window: '22:15-06:30', nightRate: 375_000, dayRate: 0, maxHeight: 720, quotaBytes: 512 * 1024 ** 2 });
  });

  it('sets 22:00–06:30, a cap and a quality with a few taps', async () => {
    const panel = settings(page);
    const from = panel.getByRole('group', { name: '夜间开始' });
    const to = panel.getByRole('group', { name: '夜间结束' });
    await from.getByRole('radio', { name: ':00' }).click();
    expect(await from.locator('output').textContent()).toBe('22:00');
    // Round the clock: 22:00 → 00:00 → back to 21:30.
    await from.getByRole('button', { name: '晚 1 小时' }).click();
    await from.getByRole('button', { name: '晚 1 小时' }).click();
    expect(await from.locator('output').textContent()).toBe('00:00');
    for (let i = 0; i < 3; i++) await from.getByRole('button', { name: '早 1 小时' }).click();
    await from.getByRole('radio', { name: ':30' }).click();
    expect(await from.locator('output').textContent()).toBe('21:30');
    await from.getByRole('button', { name: '晚 1 小时' }).click();
    await from.getByRole('radio', { name: ':00' }).click();
    expect(await to.locator('output').textContent()).toBe('06:30');
    // The minute saved elsewhere stays offered (in its place) until another is saved.
    expect(await from.getByRole('radio', { name: ':15' }).count()).toBe(1);
    await panel.getByRole('radiogroup', { name: '夜间限速' }).getByRole('radio', { name: /^4 Mbit\/s/ }).click();
    expect(await panel.textContent()).toContain('夜间同步时段（每晚 8.5 小时）');
    expect(await panel.textContent()).toContain('每晚最多下载约 14.2 GB');
    await panel.getByRole('radiogroup', { name: '视频清晰度' }).getByRole('radio', { name: '超清 1080p' }).click();
    await panel.getByRole('radiogroup', { name: '白天下载速度' }).getByRole('radio', { name: /^250 kbit\/s/ }).click();
    await panel.getByLabel(/缓存上限/).fill('20');
    await panel.getByRole('button', { name: '保存设置' }).click();
    await expect.poll(() => panel.getByText('设置已保存').count()).toBe(1);
    expect((await api('sync:settings', {})).value).toMatchObject({ window: '22:00-06:30', nightRate: 500_000, dayRate: 31_250, maxHeight: 1080, quotaBytes: 20 * 1024 ** 3 });
    // Saved, the odd rate and minute are gone from the choices; no cap reads as such.
    await page.reload();
    await expect.poll(() => settings(page).getByRole('radiogroup', { name: '夜间限速' }).getByRole('radio').count()).toBe(7);
    expect(await settings(page).getByRole('group', { name: '夜间开始' }).getByRole('radio').count()).toBe(2);
  });

  it('has finger-sized targets and nothing cut off at 1080p', async () => {
    await checkFits(page);
  });

  it('fits in English too (longer words)', async () => {
    await page.evaluate(() => localStorage.setItem('classboard.lang', 'en'));
    await page.reload();
    const panel = page.getByRole('region', { name: 'Sync settings' });
    await expect.poll(() => panel.getByRole('radiogroup', { name: 'Night cap' }).getByRole('radio').count()).toBe(7);
    expect(await panel.textContent()).toContain('4 Mbit/s~1.7 GB an hour');
    expect(await panel.getByRole('radiogroup', { name: 'Video quality' }).textContent()).toBe('SD 480pHD 720pFull HD 1080p');
    await checkFits(page, 'Sync settings');
    await page.evaluate(() => localStorage.setItem('classboard.lang', 'zh-CN'));
  });

  it('has finger-sized targets and nothing cut off at 4K', async () => {
    const big = await newBoardPage(browser, 3840, 2160);
    try {
      await big.goto(`${hub.url}#/sync`);
      await expect.poll(() => settings(big).getByRole('radio', { checked: true }).count()).toBeGreaterThan(3);
      await checkFits(big);
      await settings(big).scrollIntoViewIfNeeded();
      await shot(big, 'sync-settings-words-4k');
    } finally {
      await big.close();
    }
  });
});
