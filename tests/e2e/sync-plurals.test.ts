// The sync page in English counts one file as "1 file": a night that fetched one
// file and missed another said "1 files downloaded (400 KB), 1 failed".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import type { ShardNode, ShardResource } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import type { Nginx } from '../fixtures/nginx';
import { shot, type RunningHub } from './harness';
import { startSyncBoard, stopSyncBoard } from './sync-fixture';

const key = generateSigningKey('e2e-plurals');
let tmp: string;
let nginx: Nginx;
let hub: RunningHub;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-plurals-'));
  const nodes: ShardNode[] = [
    { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
    { id: 'l0', parent: 'xx', kind: 'lesson', title: '分数的初步认识', order: 1 },
    { id: 'l1', parent: 'xx', kind: 'lesson', title: '秋天的雨', order: 2 },
  ];
  const here = Buffer.alloc(400 * 1024, 1);
  // Listed in the catalog, never put on the server: the night's one failure.
  const gone = Buffer.alloc(100 * 1024, 2);
  const file = (b: Buffer) => ({ role: 'main' as const, sha256: sha256Hex(b), size: b.length, mime: 'video/mp4', height: 720 });
  const resources: ShardResource[] = [
    { id: 'r0', node: 'l0', type: 'video', title: '分数的初步认识（第一课时）', files: [file(here)] },
    { id: 'r1', node: 'l1', type: 'video', title: '秋天的雨（第一课时）', files: [file(gone)] },
  ];
  await writeFeed(path.join(tmp, 'www', 'feed'), { id: 'cn.test.plurals', title: '市教育云', revision: 1, signingKey: key, shards: [{ path: 'shards/a.json', nodes, resources }], blobs: [{ source: here }] });
  ({ nginx, hub, browser, page } = await startSyncBoard({ www: path.join(tmp, 'www'), data: path.join(tmp, 'data'), key }));
});
afterAll(() => stopSyncBoard({ browser, hub, nginx }, tmp));

describe('the sync page in English', () => {
  it('says "1 file downloaded" and "one of the files", not "1 files"', async () => {
    await page.goto(hub.url);
    await page.evaluate(() => localStorage.setItem('classboard.lang', 'en'));
    await page.reload();
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await expect.poll(() => page.getByText('Still to download: 2 files, 500 KB').count()).toBe(1);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => page.getByText('1 file downloaded (400 KB), 1 failed').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByText(/^The server does not have one of the files/).count()).toBe(1);
    await expect.poll(() => page.getByText('Still to download: 1 file, 100 KB').count()).toBe(1);
    expect(await page.getByText(/\b1 files\b/).count()).toBe(0);
    await shot(page, 'sync-plurals-en');
  });
});
