// An admin lowers the cap with `classboard settings --rate` while a sync runs in
// another process (the school's link saturated by day): the running sync, a
// command line's or a hub's, goes at the new cap within seconds, and `settings`
// says so. The built bin, real processes, the platform on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliIn, hubCli } from '../fixtures/cli';
import { sha256, writeBlobFeed } from '../fixtures/feeds';
import { servePlatform } from '../fixtures/platform';
import { hubServices, withServices } from '../fixtures/services';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-follow-rate-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SIZE = 24 * 1024 ** 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A data folder subscribed to one 24 MiB file on a fresh platform, its cap saved at 16 Mbit/s (2 MB/s). */
async function subscribed(name: string) {
  const key = generateSigningKey('k');
  const www = path.join(tmp, `www-${name}`);
  const blob = crypto.randomBytes(SIZE);
  await writeBlobFeed(path.join(www, 'f'), { id: `cn.follow.${name}`, title: '限速', key, blobs: [blob] });
  const platform = await servePlatform(www);
  const dir = path.join(tmp, name);
  await withServices(dir, (s) => s.importFeed(platform.url('f/'), { keys: { [key.keyId]: key.publicKey } }));
  expect((await cliIn(dir, 'settings', '--rate', '16mbit')).code).toBe(0);
  const sha = sha256(blob);
  /** Bytes of the file on disk: its .part while it comes (written a MiB at a time), all of it once in. */
  const got = () => {
    if (fs.existsSync(path.join(dir, 'cache', 'blobs', sha.slice(0, 2), sha))) return SIZE;
    const parts = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.part'));
    return Math.max(0, ...parts.map((f) => fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0));
  };
  return { dir, platform, got };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    expect(Date.now(), what).toBeLessThan(deadline);
    await sleep(100);
  }
}

/** Lowers the saved cap to 2 Mbit/s (250 KB/s) while `pid` syncs; the bytes per second that came after, once picked up. */
async function lowerWhileRunning(dir: string, pid: number, got: () => number): Promise<number> {
  const lowered = await cliIn(dir, 'settings', '--rate', '2mbit');
  expect(lowered.code, lowered.stderr).toBe(0);
  // Before: the cap printed, the running sync going on at the old one, nothing said of it.
  expect(lowered.stdout).toContain(`正在进行的同步（进程 ${pid}）会在 3 秒内采用新的限速 / the sync running in process ${pid} takes the new cap within 3 s`);
  await sleep(3_500);
  const from = got();
  const t0 = performance.now();
  await sleep(8_000);
  return ((got() - from) / (performance.now() - t0)) * 1000;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('a cap saved with `classboard settings --rate` while a sync runs', () => {
  it('is followed within seconds by a command-line sync, lowered and then lifted', async () => {
    const { dir, platform, got } = await subscribed('cli');
    const sync = spawn(process.execPath, ['bin/classboard.js', '--data', dir, 'sync'], { stdio: 'ignore' });
    try {
      await until('the sync is under way', () => got() >= 1024 ** 2);
      const rate = await lowerWhileRunning(dir, sync.pid!, got);
      // 250 KB/s give or take a MiB's write in 8 s (before: the old 2 MB/s, or the file done).
      expect(rate).toBeLessThan(500_000);
      expect(rate).toBeGreaterThan(0);
      // No cap now: the rest (some 20 MiB) comes at once, not at 250 KB/s (over a minute).
      expect((await cliIn(dir, 'settings', '--rate', '0')).stdout).toContain(`正在进行的同步（进程 ${sync.pid}）`);
      const t = performance.now();
      expect(await exited(sync)).toBe(0);
      expect(performance.now() - t).toBeLessThan(15_000);
      expect(got()).toBe(SIZE);
    } finally {
      sync.kill('SIGKILL');
      await platform.stop();
    }
  }, 120_000);

  it('is followed within seconds by a hub\'s run asked for now (a hub without a night schedule)', async () => {
    const { dir, platform, got } = await subscribed('hub');
    const hub = await hubCli(dir);
    try {
      expect(hub.started, hub.stderr()).toBe(true);
      const now = await fetch(`${hub.url}api/sync:now`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(now.status).toBe(200);
      await until('the hub\'s sync is under way', () => got() >= 1024 ** 2);
      const { pid } = JSON.parse((await cliIn(dir, '--json', 'status')).stdout).sync;
      expect(pid).toBeGreaterThan(0);
      expect(await lowerWhileRunning(dir, pid, got)).toBeLessThan(500_000);
      await cliIn(dir, 'settings', '--rate', '0');
      await until('the file came once the cap was lifted', () => got() === SIZE, 15_000);
    } finally {
      await hub.stop();
      await platform.stop();
    }
  }, 120_000);

  it('says nothing of a running sync when none runs', async () => {
    const dir = path.join(tmp, 'idle');
    hubServices(dir, 't').close();
    const r = await cliIn(dir, 'settings', '--rate', '2mbit');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('正在进行的同步');
  }, 60_000);
});
