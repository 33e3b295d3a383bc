// `classboard status` as the IT admin who SSHes in at 23:30 reads it while
// tonight's sync runs in another process: how far it has got (files, bytes, the
// rate, the time left), then that it waits for its server gone silent, and after
// a kill -9 that it was interrupted, not running. The built bin in real
// processes, nginx on 127.0.0.1 behind a rate cap. Needs the build (run under the lock).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliRunner } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

let tmp: string;
const cliIn = cliRunner({ timeout: 60_000 });

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-status-live-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/** `status --json` until `ok` holds of it; fails with the last one seen after `ms`. */
async function statusUntil(dir: string, what: string, ok: (s: any) => boolean, ms: number): Promise<any> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await cliIn(dir, '--json', 'status');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    if (ok(s)) return s;
    expect(Date.now(), `${what}; status said ${JSON.stringify({ sync: s.sync, running: s.running })}`).toBeLessThan(deadline);
    await new Promise((res) => setTimeout(res, 500));
  }
}

describe('classboard status while a sync runs in another process', () => {
  it('says how far it has got, that it waits for its silent server, and after a kill -9 that it stopped, not that it runs', async () => {
    const key = generateSigningKey('k');
    const size = 3_000_000;
    const www = path.join(tmp, 'www');
    await writeBlobFeed(path.join(www, 'f'), { id: 'cn.live', title: '实时', key, blobs: Array.from({ length: 4 }, () => crypto.randomBytes(size)) });
    const nginx = await startNginx(www);
    const host = new URL(nginx.url).host;
    const dir = path.join(tmp, 'data');
    const services = hubServices(dir, 't');
    try {
      await services.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } });
    } finally {
      services.close();
    }
    // 12 MB at 4 Mbit/s (500 KB/s): some 24 s, plenty to look at it; its server then waited for 2 minutes.
    const sync = spawn(process.execPath, ['bin/classboard.js', '--data', dir, 'sync', '--now', '--rate', '4mbit', '--host-wait', '120000'], { stdio: 'ignore' });
    let stopped: Promise<void> | null = null;
    try {
      // Before: status said only 同步进行中（进程 …）, and --json had no `running`.
      const s = await statusUntil(dir, 'status shows the running sync moving', (x) => x.sync.running && x.running?.bytes > 2_500_000 && x.running?.rate > 0, 40_000);
      const r = s.running;
      expect(r).toMatchObject({ pid: sync.pid, paused: false, stage: 'files', feed: null, totalFiles: 4, totalBytes: 4 * size, waitingFor: null });
      expect(r.files).toBeLessThan(4);
      expect(r.bytes).toBeLessThan(4 * size);
      // The cap is 500 KB/s (past the bucket's first burst, some seconds in); this machine is loaded, so only its order.
      expect(r.rate).toBeGreaterThan(100_000);
      expect(r.rate).toBeLessThan(1_000_000);
      expect(r.etaSeconds).toBeGreaterThan(0);
      expect(r.etaSeconds).toBeLessThan(120);
      expect(Date.parse(r.startedAt)).toBeLessThanOrEqual(Date.now());

      const human = await cliIn(dir, 'status');
      expect(human.stdout).toContain(`同步进行中（进程 ${sync.pid}） / a sync is running (process ${sync.pid})`);
      expect(human.stdout).toMatch(/\n {2}文件 [0-3]\/4，[\d.]+ (KB|MB) \/ 11\.4 MB，速度 \d+ KB\/s，预计还需 \d+ (秒|分钟)（约 \d\d:\d\d 完成） \/ files [0-3] of 4, /);

      // The server goes away mid-file (the hub PC rebooting): the run waits for it, and status says so.
      stopped = nginx.stop('now');
      await stopped;
      const w = await statusUntil(dir, 'status says the sync waits for its server', (x) => x.running?.waitingFor != null, 90_000);
      expect(w.running.waitingFor).toMatchObject({ host, upToSeconds: 120 });
      expect(w.running.pid).toBe(sync.pid);
      const waiting = await cliIn(dir, 'status');
      expect(waiting.stdout).toMatch(new RegExp(`\\n {2}等待 ${host.replace(/\./g, '\\.')} 恢复：已等 \\d+ (秒|分钟)，最多等 2 分钟，它一有响应就接着下载 / waiting for ${host.replace(/\./g, '\\.')} to answer`));

      sync.kill('SIGKILL');
      await exited(sync);
      // Its progress file stays behind (nothing removed it): it must not read as a run going on.
      expect(fs.existsSync(path.join(dir, 'sync.live.json'))).toBe(true);
      const after = await cliIn(dir, 'status');
      expect(after.stdout).not.toContain('同步进行中');
      expect(after.stdout).not.toContain('等待');
      expect(after.stdout).toContain(`被中断（进程 ${sync.pid} 已退出）`);
      expect(after.stdout).toMatch(/\n {2}中断时已完成文件 \d\/4，[\d.]+ (KB|MB) \/ 11\.4 MB \/ it had got to files \d of 4/);
      const json = JSON.parse((await cliIn(dir, '--json', 'status')).stdout);
      expect(json.running).toBeNull();
      expect(json.sync).toMatchObject({ running: false, pid: sync.pid });
    } finally {
      sync.kill('SIGKILL');
      await (stopped ?? nginx.stop());
    }
  }, 180_000);

  it('gives running null when no sync runs, and a sync that ends leaves no progress file', async () => {
    const key = generateSigningKey('k');
    const www = path.join(tmp, 'www-done');
    await writeBlobFeed(path.join(www, 'f'), { id: 'cn.live.done', title: '完成', key, blobs: [crypto.randomBytes(10_000)] });
    const nginx = await startNginx(www);
    const dir = path.join(tmp, 'data-done');
    const services = hubServices(dir, 't');
    try {
      try {
        await services.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } });
      } finally {
        services.close();
      }
      const r = await cliIn(dir, 'sync');
      expect(r.code, r.stdout + r.stderr).toBe(0);
    } finally {
      await nginx.stop();
    }
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('sync.'))).toEqual([]);
    const json = JSON.parse((await cliIn(dir, '--json', 'status')).stdout);
    expect(json).toHaveProperty('running', null);
  }, 60_000);
});
