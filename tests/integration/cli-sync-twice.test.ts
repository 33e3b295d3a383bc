// Two `classboard sync` on one data folder at once (cron, and an admin's
// `sync --now`), and a night whose only source refuses: the built bin, real
// processes, nginx on 127.0.0.1.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliRunner } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx } from '../fixtures/nginx';
import { hubServices, withServices } from '../fixtures/services';

let tmp: string;

// Two minutes a command here, not the fixture's one.
const cliIn = cliRunner({ timeout: 120_000 });

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-twice-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('classboard sync, twice at once on one data folder', () => {
  it('one does the work and counts each file once; the other says which process is syncing and exits 3', async () => {
    const key = generateSigningKey('k');
    const files = Array.from({ length: 20 }, () => crypto.randomBytes(50_000));
    const www = path.join(tmp, 'www');
    await writeBlobFeed(path.join(www, 'f'), { id: 'cn.twice', title: '两次', key, blobs: files });
    const nginx = await startNginx(www);
    const dir = path.join(tmp, 'data');
    await withServices(dir, (s) => s.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } }));
    try {
      // 1 MB at 2 Mbit/s: four seconds, long enough for the two to overlap though
      // each process takes 1–5 s to start on a loaded machine.
      const [a, b] = await Promise.all([cliIn(dir, 'sync', '--rate', '2mbit'), cliIn(dir, 'sync', '--rate', '2mbit')]);
      // Before: both exit 2, 'another Classboard process is downloading this file' in each, and more downloads than files.
      const [worked, refused] = a.stdout.includes('下载 20 个文件') ? [a, b] : [b, a];
      // The refused one exits 3 (was 0: a script took it for a sync done).
      expect([worked.code, refused.code], `${a.stdout}${a.stderr}\n${b.stdout}${b.stderr}`).toEqual([0, 3]);
      expect(worked.stdout).toMatch(/下载 20 个文件/);
      expect(worked.stdout).not.toMatch(/失败/);
      expect(refused.stdout.trim()).toMatch(/^另一个同步正在进行（进程 \d+），这次不再同步 \/ another sync is running on this data folder \(process \d+\): not starting a second one$/);
      // Each file came once.
      const gets = (await nginx.settled()).filter((l) => l.startsWith('200 GET /f/blobs/'));
      expect(gets).toHaveLength(20);
    } finally {
      await nginx.stop();
    }
  }, 120_000);
});

describe('classboard sync --now by day, the hub\'s night run holding the folder paused', () => {
  it('says the other sync is paused for the day and where to start it, exit 3 (was: "正在进行" all day, exit 0)', async () => {
    const dir = path.join(tmp, 'data-paused');
    // A hub's folder: subscribed (a folder with nothing subscribed is refused for that first).
    const made = hubServices(dir, 't');
    await made.ensureDemoLibrary();
    made.close();
    // The hub's process, its unfinished night run paused by day (rate 0): its lock says so.
    const hub = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      fs.writeFileSync(path.join(dir, 'sync.lock'), JSON.stringify({ pid: hub.pid, token: 'hub', paused: true }));
      const r = await cliIn(dir, 'sync', '--now');
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stdout.trim()).toBe(`另一个同步正在进行（进程 ${hub.pid}）但白天暂停，可在中心服务的同步页点“立即同步” / another sync (process ${hub.pid}) holds this data folder but is paused for the day: use 立即同步 (sync now) on the hub's sync page`);
      expect(fs.existsSync(path.join(dir, 'sync.lock'))).toBe(true);
    } finally {
      hub.kill();
    }
  }, 60_000);
});

describe('classboard sync, the only source refusing connections', () => {
  it('ends in seconds, not minutes, and names the host it stopped asking', async () => {
    const key = generateSigningKey('k');
    const files = Array.from({ length: 30 }, () => crypto.randomBytes(8_000));
    const www = path.join(tmp, 'www-dead');
    await writeBlobFeed(path.join(www, 'f'), { id: 'cn.dead', title: '中心服务', key, blobs: files });
    const nginx = await startNginx(www);
    const dir = path.join(tmp, 'data-dead');
    await withServices(dir, (s) => s.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } }));
    await nginx.stop(); // the hub switched off
    const host = new URL(nginx.url).host;
    const t0 = performance.now();
    // Its wait for the host to come back (2 minutes by hand) shortened to 2 s.
    const r = await cliIn(dir, 'sync', '--host-wait', '2000');
    // Before: ~80 s here, each file its round of backoffs (1058 s for 417 files).
    expect(performance.now() - t0).toBeLessThan(45_000);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/失败 30 个文件/);
    expect(r.stdout).toContain(`连不上 ${host}（学校中心服务或资源平台），等了 2 秒仍未恢复，`);
  }, 120_000);
});
