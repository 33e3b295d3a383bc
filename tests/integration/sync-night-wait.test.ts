// How long a run through the sync controller (the app's and the hub's) waits for a
// server that stopped answering: a run in the night window up to 10 minutes but
// never past the window's end, one by hand by day 2 minutes. A real nginx on
// 127.0.0.1 stopped and started again; real library files; the clock is the test's.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { createServices, type Services } from '../../main/services';
import type { SyncProgress } from '../../preload/contract';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';

const key = generateSigningKey('k');
let tmp: string;
let services: Services;
let nginx: Nginx;
let nginxUp: boolean;
/** The school's clock: 23:00 in Asia/Shanghai, inside 22:00–06:30, until the test moves it. */
let now: Date;
const seen: SyncProgress[] = [];

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-night-wait-'));
  now = new Date('2026-11-30T15:00:00Z');
  seen.length = 0;
  await writeBlobFeed(path.join(tmp, 'www', 'f'), { id: 'cn.night', title: '中心服务', key, blobs: [crypto.randomBytes(200_000)] });
  nginx = await startNginx(path.join(tmp, 'www'));
  nginxUp = true;
  services = createServices({ dataDir: path.join(tmp, 'data'), host: 'hub', mediaBase: '/media/', assetsDir: path.resolve('assets'), version: 't', sync: { now: () => now } });
  await services.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } });
  services.events.subscribe((name, p) => name === 'sync:progress' && seen.push(p as SyncProgress));
});
afterEach(async () => {
  services.close();
  if (nginxUp) await nginx.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const waitingFor = () => seen.at(-1)?.trouble?.waitingSeconds;

describe('a run through the controller, the server away', () => {
  it('in the night window waits up to 10 minutes, and stops waiting when the window closes', async () => {
    await nginx.stop();
    nginxUp = false;
    const run = services.sync.runNow();
    // The file's tries with the default backoff (~8 s), then the wait.
    await expect.poll(waitingFor, { timeout: 30_000 }).toBe(600);
    expect(seen.at(-1)!.trouble!.error).toContain('最多等 10 分钟');
    now = new Date('2026-11-30T22:31:00Z'); // 06:31: the window has closed
    const closed = performance.now();
    const summary = await run;
    // Seen at the next knock (at most 5 s apart), not after 10 minutes.
    expect(performance.now() - closed).toBeLessThan(8000);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]!.error).toMatch(/^连不上 127\.0\.0\.1:\d+（学校中心服务或资源平台），等了 \d+ 秒仍未恢复，下次同步继续/);
  }, 60_000);

  it('by day, by hand, waits 2 minutes, and goes on at once when the server is back', async () => {
    now = new Date('2026-12-01T06:00:00Z'); // 14:00
    const port = Number(new URL(nginx.url).port);
    await nginx.stop();
    nginxUp = false;
    const run = services.sync.runNow();
    await expect.poll(waitingFor, { timeout: 30_000 }).toBe(120);
    nginx = await startNginx(path.join(tmp, 'www'), '', port);
    nginxUp = true;
    const back = performance.now();
    const summary = await run;
    expect(performance.now() - back).toBeLessThan(8000);
    expect(summary.failed).toEqual([]);
    expect(summary.downloaded.files).toBe(1);
  }, 60_000);
});
