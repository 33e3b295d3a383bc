// `classboard status` as the school's IT admin reads it: a sync running in another
// process (or paused by day), one killed with -9 mid-run, the sync settings in
// force, a cache over its quota. The built bin, real processes, nginx on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { saveLastSync } from '../../main/sync/last-sync';
import { cliRunner } from '../fixtures/cli';
import { writeFeed } from '../../main/feed/write';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

let tmp: string;
const cliIn = cliRunner({ timeout: 120_000 });
const SCHOOL_TIME = '\\d{4}/\\d{1,2}/\\d{1,2} \\d{2}:\\d{2}:\\d{2}';

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-status-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A data folder subscribed to a feed of `blobs` served by a fresh nginx. */
async function subscribed(name: string, blobs: Buffer[]) {
  const key = generateSigningKey('k');
  const www = path.join(tmp, `www-${name}`);
  await writeBlobFeed(path.join(www, 'f'), { id: `cn.status.${name}`, title: '状态', key, blobs });
  const nginx = await startNginx(www);
  const dir = path.join(tmp, name);
  const services = hubServices(dir, 't');
  try {
    await services.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } });
  } catch (err) {
    await nginx.stop();
    throw err;
  } finally {
    services.close();
  }
  return { dir, nginx };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('classboard status while another process syncs, and after it was killed with -9', () => {
  it('says the sync is running (its process), then that it was interrupted and when; the next sync carries on', async () => {
    // Large enough that a .part holds some of a file (a sync writes a MiB at a time).
    const size = 3_000_000;
    const { dir, nginx } = await subscribed('killed', Array.from({ length: 4 }, () => crypto.randomBytes(size)));
    // An earlier night that did finish, kept in the library as a sync keeps it.
    const earlier = '2026-11-29T15:00:00.000Z';
    const services = hubServices(dir, 't');
    saveLastSync(services.db, { feeds: [], downloaded: { files: 4, bytes: 4096 }, failed: [], skipped: 0, downgraded: 0, durationMs: 1000 }, earlier);
    services.close();
    // 12 MB at 4 Mbit/s: some 24 s, killed long before.
    const sync = spawn(process.execPath, ['bin/classboard.js', '--data', dir, 'sync', '--rate', '4mbit'], { stdio: 'ignore' });
    try {
      const lock = path.join(dir, 'sync.lock');
      const deadline = Date.now() + 60_000;
      while (!(fs.existsSync(lock) && fs.readFileSync(lock, 'utf8').includes(`"pid":${sync.pid}`))) {
        expect(Date.now(), 'the sync took its lock').toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 100));
      }
      // Before: nothing said a sync was running.
      const running = await cliIn(dir, 'status');
      expect(running.code, running.stderr).toBe(0);
      expect(running.stdout).toContain(`同步进行中（进程 ${sync.pid}） / a sync is running (process ${sync.pid})`);
      expect(running.stdout).toMatch(new RegExp(`上次完成的同步 / last completed sync: ${SCHOOL_TIME}（北京时间）下载 4 个文件`));
      expect(JSON.parse((await cliIn(dir, '--json', 'status')).stdout).sync).toEqual({ running: true, pid: sync.pid, paused: false, interruptedAt: null });

      // A file partly in, as a hub killed mid-night has (a .part under the cache; one may be renamed as we look).
      const partlyIn = () =>
        fs
          .readdirSync(dir, { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.part'))
          .some((f) => {
            const n = fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0;
            return n > 0 && n < size;
          });
      while (!partlyIn()) {
        expect(Date.now(), 'the sync wrote a .part').toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 100));
      }
      const killedAt = Date.now();
      sync.kill('SIGKILL');
      await exited(sync);

      // Before: the earlier night shown as the last sync, nothing of this one.
      const after = await cliIn(dir, 'status');
      expect(after.stdout).not.toContain('同步进行中');
      expect(after.stdout).toMatch(
        new RegExp(`上次同步在 ${SCHOOL_TIME}（北京时间）被中断（进程 ${sync.pid} 已退出），下次同步会接着下载 / the last sync was interrupted \\(process ${sync.pid} has exited\\): the next one carries on with its downloads`),
      );
      expect(after.stdout).toMatch(/上次完成的同步 \/ last completed sync: 2026\/11\/29 23:00:00（北京时间）/);
      const json = JSON.parse((await cliIn(dir, '--json', 'status')).stdout).sync;
      expect(json).toMatchObject({ running: false, pid: sync.pid, paused: false, interruptedAt: expect.any(String) });
      // The lock's last touch: at most its 10 s interval before the kill.
      expect(Math.abs(Date.parse(json.interruptedAt) - killedAt)).toBeLessThan(15_000);

      // The next sync takes the lock over and resumes what was cut (a Range request), and status says so no more.
      const next = await cliIn(dir, 'sync');
      expect(next.code, next.stdout + next.stderr).toBe(0);
      expect((await nginx.settled()).some((l) => l.startsWith('206 GET /f/blobs/'))).toBe(true);
      const done = await cliIn(dir, 'status');
      expect(done.stdout).not.toMatch(/被中断|同步进行中|上次完成的同步/);
      expect(done.stdout).toMatch(new RegExp(`上次同步 / last sync: ${SCHOOL_TIME}（北京时间）下载 \\d+ 个文件`));
      expect(JSON.parse((await cliIn(dir, '--json', 'status')).stdout).sync).toEqual({ running: false, pid: null, paused: false, interruptedAt: null });
    } finally {
      sync.kill('SIGKILL');
      await nginx.stop();
    }
  }, 120_000);

  it('says a sync holding the folder is paused by day (the hub\'s night run), with its process', async () => {
    const dir = path.join(tmp, 'paused');
    hubServices(dir, 't').close();
    const hub = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      fs.writeFileSync(path.join(dir, 'sync.lock'), JSON.stringify({ pid: hub.pid, token: 'hub', paused: true }));
      const r = await cliIn(dir, 'status');
      expect(r.stdout).toContain(`同步已暂停（白天）（进程 ${hub.pid}） / a sync is paused for the day (process ${hub.pid})`);
      expect(r.stdout).toContain('上次完成的同步 / last completed sync: 还没有同步过 / never');
      expect(JSON.parse((await cliIn(dir, '--json', 'status')).stdout).sync).toEqual({ running: true, pid: hub.pid, paused: true, interruptedAt: null });
    } finally {
      hub.kill();
    }
  }, 60_000);
});

describe('classboard status: the sync settings in force, and a cache over its quota', () => {
  it('prints the settings as `settings` does, and warns by how much the cache is over its quota', async () => {
    // 120 MiB, three files that differ.
    const { dir, nginx } = await subscribed('quota', [1, 2, 3].map((b) => Buffer.alloc(40 * 1024 ** 2, b)));
    try {
      expect((await cliIn(dir, 'sync')).code).toBe(0);
    } finally {
      await nginx.stop();
    }
    const set = await cliIn(dir, 'settings', '--window', '21:30-06:00', '--rate', '4mbit', '--day-rate', '256kbit', '--max-height', '720', '--quota', '100MB', '--floor', '1GB');
    expect(set.code, set.stderr).toBe(0);
    const shown = await cliIn(dir, 'settings');
    const r = await cliIn(dir, 'status');
    // Before: none of this, and 缓存 3 个文件，120.0 MB beside a 100 MB quota with no word.
    expect(r.stdout).toContain(['同步设置 / sync settings:', ...shown.stdout.trim().split('\n').map((l) => `  ${l}`)].join('\n'));
    expect(r.stdout).toContain('夜间时段 21:30-06:00（北京时间），夜间限速 4 Mbit/s（约 500 KB/s），白天 256 kbit/s（约 32 KB/s）');
    expect(r.stdout).toContain('缓存已超出上限 20.0 MB：下次同步会先清理不在离线范围内的文件 / the cache is 20.0 MB over its quota: the next sync first removes files outside the offline selection');
    const json = JSON.parse((await cliIn(dir, '--json', 'status')).stdout);
    expect(json.settings).toEqual(JSON.parse((await cliIn(dir, '--json', 'settings')).stdout));
    // 120 MiB of lessons and a little more (the cache's other files) over 100 MiB.
    expect(json.overQuotaBytes).toBe(json.cachedBytes - 100 * 1024 ** 2);
    expect(json.overQuotaBytes).toBeGreaterThanOrEqual(20 * 1024 ** 2);

    expect((await cliIn(dir, 'settings', '--quota', 'off')).code).toBe(0);
    expect((await cliIn(dir, 'status')).stdout).not.toContain('缓存已超出上限');
    expect(JSON.parse((await cliIn(dir, '--json', 'status')).stdout).overQuotaBytes).toBe(0);
  }, 120_000);
});

describe('classboard status: timetabled lessons the platform removed', () => {
  it('names each period whose lesson a later catalog removed, so the admin can tell the teachers', async () => {
    const dir = path.join(tmp, 'removed');
    const node = { id: 'xx', parent: null, kind: 'stage' as const, title: '小学', order: 1 };
    const lesson = (id: string, title: string) => ({ id, node: 'xx', type: 'pdf' as const, title, files: [] });
    const publish = async (revision: number, resources: ReturnType<typeof lesson>[]) => {
      const feed = path.join(tmp, `removed-feed-${revision}`);
      await writeFeed(feed, { id: 'cn.status.removed', title: '数学', revision, shards: [{ path: 'shards/a.json', nodes: [node], resources }] });
      return feed;
    };
    const services = hubServices(dir, 't');
    try {
      await services.importFeed(await publish(1, [lesson('a', '1 到 5 的认识'), lesson('b', '比大小（第一课时）')]), { unsigned: true });
      const set = await services.router.invoke('timetable:set', {
        entries: [
          { weekday: 2, period: 1, starts: '08:00', ends: '08:40', className: '一（1）班', resourceId: 'cn.status.removed/b' },
          { weekday: 2, period: 2, starts: '08:50', ends: '09:30', className: '', resourceId: 'cn.status.removed/a' },
        ],
      });
      expect(set.ok).toBe(true);
      await services.importFeed(await publish(2, [lesson('a', '1 到 5 的认识')]), { unsigned: true });
    } finally {
      services.close();
    }
    const r = await cliIn(dir, 'status');
    // Before: nothing; the teacher found out on Tuesday morning.
    expect(r.stdout).toContain('课表中有 1 节课的课程已被资源平台移除（星期二第 1 节（一（1）班） 比大小（第一课时）），请在课表里重新选择');
    expect(JSON.parse((await cliIn(dir, '--json', 'status')).stdout).removedLessons).toEqual([
      { weekday: 2, period: 1, className: '一（1）班', resourceId: 'cn.status.removed/b', title: '比大小（第一课时）', unsubscribed: false },
    ]);
  });
});
