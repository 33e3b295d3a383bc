// The sync page of a hub restarted on a full disk, in Chromium: the teacher reads
// first that the disk is full (with what is left) and what to do, 立即同步, the
// settings and the offline ticks are off, and the lessons can still be found.
// Real built CLI and hub on a real 30 MB tmpfs (root only; CI runs as root). Build lock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../fixtures/cli';
import { fillDisk, mountTmpfs, unmountTmpfs } from '../fixtures/tmpfs';
import { launchBrowser, newBoardPage, shot, startHubProcess, type RunningHub } from './harness';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-full-disk-'));
const small = path.join(tmp, 'small');
const cannotMount = mountTmpfs(small, '30m');
const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8')) as { keyId: string; publicKey: string };
let hub: RunningHub | undefined;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  if (cannotMount) return;
  const data = path.join(small, 'hub');
  const added = await cliIn(data, 'feeds', 'add', path.resolve('assets/demo-feed'), '--key', `${pub.keyId}=${pub.publicKey}`);
  if (added.code !== 0) throw new Error(`feeds add exited ${added.code}:\n${added.stderr}`);
  fillDisk(path.join(small, 'filler'));
  hub = await startHubProcess({ data, args: ['--no-schedule'] });
  browser = await launchBrowser();
  page = await newBoardPage(browser);
});

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  unmountTmpfs(small);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(cannotMount !== null)(`the sync page on a full disk${cannotMount ? ` (skipped: ${cannotMount})` : ''}`, () => {
  it('says the disk is full first, with the free space, and turns off what would fail', async () => {
    expect(fs.statfsSync(small).bavail).toBe(0);
    await page.goto(`${hub!.url}#/sync`);
    const alert = page.getByRole('alert').filter({ hasText: '磁盘已满' });
    await expect.poll(() => alert.count(), { timeout: 15_000 }).toBe(1);
    // With the free space as the status line writes it (0 B on a full tmpfs).
    expect(await alert.textContent()).toMatch(/^磁盘已满（只剩 [\d.]+ ?[KMG]?B）：资源库现在只能查看/);
    // At the top: above the status card, under the page's title, and on screen without scrolling.
    const box = (await alert.boundingBox())!;
    const title = (await page.getByRole('heading', { level: 1 }).boundingBox())!;
    const card = (await page.getByRole('region', { name: '同步与存储' }).first().boundingBox())!;
    expect(box.y).toBeGreaterThan(title.y);
    expect(box.y + box.height).toBeLessThanOrEqual(card.y);
    expect(box.y + box.height).toBeLessThan(1080);

    // Nor does it promise tonight's sync under it ('白天暂停，今晚 22:00 开始同步', '下次夜间同步：…').
    expect(await page.getByText(/今晚|下次夜间同步/).count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: '立即同步' }).isDisabled()).toBe(true);
    const settings = page.getByRole('region', { name: '同步设置' });
    await expect.poll(() => settings.getByRole('button', { name: '保存设置' }).isDisabled()).toBe(true);
    const choices = await settings.getByRole('radio').all();
    expect(choices.length).toBeGreaterThan(0);
    for (const choice of choices) expect(await choice.isDisabled()).toBe(true);
    for (const button of await settings.getByRole('button').all()) expect(await button.isDisabled()).toBe(true);
    expect(await settings.getByRole('spinbutton').isDisabled()).toBe(true);
    const ticks = page.getByRole('checkbox');
    await expect.poll(() => ticks.count()).toBeGreaterThan(0);
    for (const tick of await ticks.all()) expect(await tick.isDisabled()).toBe(true);
    await shot(page, 'sync-full-disk');
  });

  it('still finds 找春天 on the home page', async () => {
    await page.getByRole('button', { name: '首页' }).click();
    await page.getByRole('searchbox', { name: '搜索课程' }).fill('找春天');
    await expect.poll(() => page.getByRole('button', { name: /找春天/ }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot(page, 'sync-full-disk-home-search');
  });
});
