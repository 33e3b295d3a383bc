// The lock between Classboard processes on one data folder: real lock files in a
// temp folder; a second process is this one with another token, or a child.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { takeLock } from '../../main/sync/pid-lock';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-pidlock-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A pid no process has (a process that has exited). */
async function deadPid(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const gone = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => gone.once('exit', r));
  return gone.pid!;
}

describe('takeLock', () => {
  it('two takeovers of one stale lock: only one wins (was: each removed the lock and both held it)', async () => {
    const lock = path.join(tmp, 'race.lock');
    fs.writeFileSync(lock, String(await deadPid())); // left by a kill -9 last night
    // Both judge it dead; the other (cron, say) takes it over just before this one moves it.
    let other: ReturnType<typeof takeLock> | undefined;
    let cutIn = false;
    const cut = (real: (...a: never[]) => unknown) =>
      function (this: unknown, ...args: never[]) {
        if (!cutIn && String(args[0]) === lock) {
          cutIn = true;
          other = takeLock(lock);
        }
        return real.apply(this, args);
      };
    const [rename, rm] = [fs.renameSync.bind(fs), fs.rmSync.bind(fs)];
    vi.spyOn(fs, 'renameSync').mockImplementation(cut(rename) as typeof fs.renameSync);
    vi.spyOn(fs, 'rmSync').mockImplementation(cut(rm) as typeof fs.rmSync);
    const mine = takeLock(lock);
    vi.restoreAllMocks();
    expect(other && 'release' in other).toBe(true);
    expect(mine).toEqual({ holder: process.pid, paused: false });
    expect(fs.existsSync(lock)).toBe(true);
    (other as { release: () => void }).release();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('a holder that slept past a minute and was taken over leaves the new holder\'s lock when it lets go', () => {
    const lock = path.join(tmp, 'slept.lock');
    const first = takeLock(lock);
    if (!('release' in first)) throw new Error('not taken');
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(lock, old, old); // untouched for two minutes: stale
    const second = takeLock(lock);
    if (!('release' in second)) throw new Error('stale lock not taken over');
    const held = fs.readFileSync(lock, 'utf8');
    first.release();
    expect(fs.readFileSync(lock, 'utf8')).toBe(held);
    expect(takeLock(lock)).toMatchObject({ holder: process.pid });
    second.release();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('a lock with this process\'s pid written before it started (a restarted container) is taken over, not "held by process N"', async () => {
    const lock = path.join(tmp, 'restarted.lock');
    // A fresh process whose pid a dead predecessor left in the lock, seconds before it started.
    const script = `
      const fs = require('node:fs');
      fs.writeFileSync(${JSON.stringify(lock)}, String(process.pid));
      const t = new Date(Date.now() - process.uptime() * 1000 - 3000);
      fs.utimesSync(${JSON.stringify(lock)}, t, t);
      import(${JSON.stringify(path.resolve('main/sync/pid-lock.ts'))}).then(({ takeLock }) => {
        const got = takeLock(${JSON.stringify(lock)});
        console.log(JSON.stringify('release' in got ? 'taken' : got));
        if ('release' in got) got.release();
      });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: process.cwd() });
    expect(JSON.parse(stdout)).toBe('taken');
  });

  it('says the holder is paused when its lock says so', async () => {
    const lock = path.join(tmp, 'paused.lock');
    let paused = true;
    const held = takeLock(lock, () => paused);
    if (!('release' in held)) throw new Error('not taken');
    // Another process asking: its token is not the holder's.
    expect(takeLock(lock)).toEqual({ holder: process.pid, paused: true });
    paused = false;
    held.release();
  });
});
