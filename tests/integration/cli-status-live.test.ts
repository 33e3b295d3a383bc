// `classboard status` as the IT admin who SSHes in at 23:30 reads it while
// tonight's sync runs in another process: how far it has got (files, bytes, the
// rate, the time left), then that it waits for its server gone silent, and after
// a kill -9 that it was interrupted, not running, and what of its files the cache
// holds then and what is left. The built bin in real processes, nginx on 127.0.0.1
// behind a rate cap. Needs the build (run under the lock).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { formatBytes } from '../../preload/contract';
import { cliRunner } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx } from '../fixtures/nginx';
import { hubServices, withServices } from '../fixtures/services';

let tmp: string;
const cliIn = cliRunner({ timeout: 60_000 });

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-status-live-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/**
 * What a killed run left, seen for ourselves: the feed's files the library's blobs
 * table lists (verified, in the cache) and the bytes of the others in their .part.
 */
function cacheTruth(dir: string, shas: string[], sizes: Map<string, number>) {
  const db = new Database(path.join(dir, 'library.db'), { readonly: true });
  let cached: string[];
  try {
    cached = db.prepare('SELECT sha256 FROM blobs').pluck().all() as string[];
  } finally {
    db.close();
  }
  const inCache = shas.filter((s) => cached.includes(s));
  const left = shas.filter((s) => !inCache.includes(s));
  const parts = new Map<string, number>();
  for (const s of left) {
    const part = path.join(dir, 'cache', 'blobs', '.tmp', `${s}.part`);
    const n = fs.existsSync(part) ? fs.statSync(part).size : 0;
    if (n > 0) parts.set(s, n);
  }
  const sum = (xs: string[]) => xs.reduce((a, s) => a + sizes.get(s)!, 0);
  return {
    interrupted: {
      totalFiles: shas.length,
      totalBytes: sum(shas),
      cachedFiles: inCache.length,
      cachedBytes: sum(inCache),
      leftFiles: left.length,
      leftBytes: sum(left),
      partialFiles: parts.size,
      partialBytes: [...parts.values()].reduce((a, n) => a + n, 0),
    },
    parts,
  };
}

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
    const shas = await writeBlobFeed(path.join(www, 'f'), { id: 'cn.live', title: '实时', key, blobs: Array.from({ length: 4 }, () => crypto.randomBytes(size)) });
    const nginx = await startNginx(www);
    const host = new URL(nginx.url).host;
    const dir = path.join(tmp, 'data');
    await withServices(dir, (s) => s.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } }));
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
      expect(after.stdout).toMatch(/\n {2}那次同步共要下载 4 个文件（11\.4 MB）：现在已在缓存中并校验过的 \d 个（[\d.]+ (B|KB|MB)），还差 \d 个/);
      const json = JSON.parse((await cliIn(dir, '--json', 'status')).stdout);
      expect(json.running).toBeNull();
      expect(json.sync).toMatchObject({ running: false, pid: sync.pid });
      // Files that failed as the server went were counted as done in its progress: not here.
      expect(json.interrupted).toEqual(cacheTruth(dir, shas, new Map(shas.map((s) => [s, size]))).interrupted);
    } finally {
      sync.kill('SIGKILL');
      await (stopped ?? nginx.stop());
    }
  }, 180_000);

  it('after a kill -9 mid-file, says which of its files the cache holds and what is left, and the next sync resumes the rest', async () => {
    const key = generateSigningKey('k');
    // A small file that is in the cache within seconds, then three that are under way when the power goes.
    const blobs = [crypto.randomBytes(400_000), ...Array.from({ length: 3 }, () => crypto.randomBytes(3_000_000))];
    const www = path.join(tmp, 'www-killed');
    const shas = await writeBlobFeed(path.join(www, 'f'), { id: 'cn.live.killed', title: '断电', key, blobs });
    const sizes = new Map(shas.map((s, i) => [s, blobs[i]!.length]));
    const nginx = await startNginx(www);
    const dir = path.join(tmp, 'data-killed');
    await withServices(dir, (s) => s.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } }));
    const sync = spawn(process.execPath, ['bin/classboard.js', '--data', dir, 'sync', '--now', '--rate', '4mbit'], { stdio: 'ignore' });
    try {
      // The small file in, and some 4 MB more of the others come (each writes its .part a MiB at a time).
      await statusUntil(dir, 'status shows the sync past its first file', (x) => x.running?.files >= 1 && x.running?.bytes > 4_500_000, 60_000);
      sync.kill('SIGKILL');
      await exited(sync);
      const truth = cacheTruth(dir, shas, sizes);
      expect(truth.interrupted.cachedFiles).toBeGreaterThanOrEqual(1);
      expect(truth.interrupted.leftFiles).toBeGreaterThanOrEqual(1);
      expect(truth.parts.size).toBeGreaterThanOrEqual(1);

      // Before: 中断时已完成文件 1/4，6.6 MB / 9.4 MB, its last progress, counting bytes in flight
      // (never verified, up to a MiB a file never even written) as done, while the cache held 0.4 MB.
      const json = JSON.parse((await cliIn(dir, '--json', 'status')).stdout);
      expect(json.running).toBeNull();
      expect(json.interrupted).toEqual(truth.interrupted);
      const t = truth.interrupted;
      const human = (await cliIn(dir, 'status')).stdout;
      expect(human).toContain(`被中断（进程 ${sync.pid} 已退出），下次同步会接着下载`);
      expect(human).toContain(
        `\n  那次同步共要下载 4 个文件（${formatBytes(t.totalBytes)}）：现在已在缓存中并校验过的 ${t.cachedFiles} 个（${formatBytes(t.cachedBytes)}），` +
          `还差 ${t.leftFiles} 个（${formatBytes(t.leftBytes)}），其中 ${t.partialFiles} 个已下载的部分（共 ${formatBytes(t.partialBytes)}）已保留，下次同步从断点接着下载 / `,
      );

      // The next sync carries on from each .part (a Range from its end), and brings the rest.
      const next = await cliIn(dir, 'sync');
      expect(next.code, next.stdout + next.stderr).toBe(0);
      const log = await nginx.settled();
      for (const [sha, n] of truth.parts) expect(log).toContain(`206 GET /f/blobs/${sha.slice(0, 2)}/${sha} ${sizes.get(sha)! - n} bytes=${n}-`);
      expect(cacheTruth(dir, shas, sizes).interrupted).toMatchObject({ cachedFiles: 4, leftFiles: 0 });
      const done = JSON.parse((await cliIn(dir, '--json', 'status')).stdout);
      expect(done.interrupted).toBeNull();
      expect((await cliIn(dir, 'status')).stdout).not.toContain('那次同步');
    } finally {
      sync.kill('SIGKILL');
      await nginx.stop();
    }
  }, 120_000);

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
