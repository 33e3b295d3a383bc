// The running sync's progress file beside its lock (main/sync/live-sync.ts), in
// this process: what another process's `status` reads at each stage, no more
// than one write per 2 s however often progress comes, and nothing left once the
// run ends. A real lock and a real file in a temp data folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdSyncLock, syncLockState } from '../../main/sync/pid-lock';
import { LIVE_WRITE_MS, liveSyncWriter, runningSync } from '../../main/sync/live-sync';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-live-file-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const running = () => runningSync(dir, syncLockState(dir));

describe('a running sync\'s progress file', () => {
  it('says the stage and the feed, then files and bytes, writes at most every 2 s, and goes with the run', async () => {
    expect(running()).toBeNull();
    const release = await holdSyncLock(dir, 'refuse');
    const live = liveSyncWriter(dir);
    try {
      live.stage('catalog', { id: 'cn.a', title: '语文', index: 2, of: 3 });
      await sleep(LIVE_WRITE_MS + 500);
      expect(running()).toMatchObject({ pid: process.pid, stage: 'catalog', feed: { id: 'cn.a', title: '语文', index: 2, of: 3 }, files: 0, totalFiles: 0 });
      live.stage('plan');
      await sleep(LIVE_WRITE_MS + 200);
      expect(running()).toMatchObject({ stage: 'plan', feed: null });

      // Progress as the engine reports it (up to 10 a second) for 5 s: each write renames a file over it.
      let writes = 0;
      const watcher = fs.watch(dir, (_, name) => name === 'sync.live.json' && writes++);
      const t0 = Date.now();
      try {
        for (let bytes = 0; Date.now() - t0 < 5000; bytes += 50_000) {
          live.progress({ files: 1, totalFiles: 4, failed: 0, bytes, totalBytes: 10_000_000, speed: 500_000, current: ['cn.a/x'], trouble: null });
          await sleep(100);
        }
        await sleep(200);
      } finally {
        watcher.close();
      }
      // One every 2 s (2 or 3 in 5 s), not one per report.
      expect(writes).toBeGreaterThanOrEqual(2);
      expect(writes).toBeLessThanOrEqual(3);
      const r = running()!;
      expect(r).toMatchObject({ stage: 'files', feed: null, files: 1, totalFiles: 4, totalBytes: 10_000_000, waitingFor: null, current: ['cn.a/x'] });
      // 50 KB each 100 ms, give or take this machine's timers.
      expect(r.rate).toBeGreaterThan(250_000);
      expect(r.rate).toBeLessThan(800_000);
      expect(r.etaSeconds).toBe(Math.round((10_000_000 - r.bytes) / r.rate));

      // The server gone silent: the wait is named, with its limit.
      const trouble = { host: '10.0.0.2:8080', error: '等待 10.0.0.2:8080 恢复…', gaveUp: false, waitingSeconds: 600 };
      live.progress({ files: 3, totalFiles: 4, failed: 2, bytes: 9_000_000, totalBytes: 10_000_000, speed: 0, current: [], trouble });
      await sleep(LIVE_WRITE_MS + 500);
      expect(running()).toMatchObject({ files: 3, failed: 2, waitingFor: { host: '10.0.0.2:8080', upToSeconds: 600 }, trouble });
    } finally {
      await live.end();
      release();
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(running()).toBeNull();
  }, 30_000);
});
