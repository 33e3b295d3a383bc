// The school hub restarted (or its PC rebooted: Windows Update at night) while a
// classroom downloads through it: the classroom waits for it, knocking, and goes
// on when it answers; one that never comes back fails after the stated wait, and
// the message counts only files not tried. A real nginx on 127.0.0.1, stopped and
// started again on the same port; real library files.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import type { Services } from '../../main/services';
import { syncAll } from '../../main/sync/engine';
import type { SyncProgress } from '../../preload/contract';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

let tmp: string;
const key = generateSigningKey('k');
const trust = { keys: { [key.keyId]: key.publicKey } };
const opened: Services[] = [];
/** Larger than loopback's socket buffers hold (a file nginx had written whole into them would still arrive), at a rate that takes ~8 s. */
const BIG = 32 * 1024 ** 2;
const RATE = 4_000_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Until the run has brought `bytes` (the hub is killed part-way through the file, not before the run reaches it). */
async function until(seen: SyncProgress[], bytes: number) {
  while (!seen.some((p) => p.bytes >= bytes)) await sleep(50);
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-restart-'));
});
afterAll(() => {
  for (const s of opened) s.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A classroom subscribed to a feed of `blobs` served by nginx. */
async function classroomOf(blobs: Buffer[], id: string) {
  const www = fs.mkdtempSync(path.join(tmp, 'www-'));
  const shas = await writeBlobFeed(path.join(www, 'f'), { id, title: '中心服务', key, blobs });
  const hub = await startNginx(www);
  const services = hubServices(fs.mkdtempSync(path.join(tmp, 'room-')), 't');
  opened.push(services);
  await services.importFeed(`${hub.url}f/`, trust);
  return { www, shas, hub, services, host: new URL(hub.url).host, port: Number(new URL(hub.url).port) };
}

describe('the hub stopped mid-download and started again on the same port', () => {
  it('the classroom waits for it, saying so, and finishes the file from where it was (was: gave up after its tries, the night lost)', async () => {
    const blob = crypto.randomBytes(BIG);
    const c = await classroomOf([blob], 'cn.restart');
    let hub = c.hub;
    try {
      const seen: SyncProgress[] = [];
      // ~8 s at 4 MB/s. A file's 5 tries with a 100 ms backoff end within ~2.3 s, well inside the 7 s the hub is away.
      const run = syncAll(c.services, { rate: RATE, backoffMs: 100, hostWait: { ms: 30_000 }, onProgress: (p) => seen.push(p) });
      await until(seen, 4_000_000);
      await hub.stop('now'); // killed: the transfer cut, connections refused
      await sleep(7000);
      const meanwhile = seen.at(-1)?.trouble;
      hub = await startNginx(c.www, '', c.port);
      const back = performance.now();
      const summary = await run;
      // While the hub was away the progress said the run waits for it, and how long at most.
      expect(meanwhile).toMatchObject({ host: c.host, gaveUp: false, waitingSeconds: 30 });
      expect(meanwhile!.error).toContain(`等待 ${c.host} 恢复…（最多等 30 秒`);
      // Knocked every few seconds (at most 5 s apart), then the rest at 4 MB/s: going on soon after it answered, not at the end of the wait.
      expect(performance.now() - back).toBeLessThan(15_000);
      expect(summary.failed).toEqual([]);
      expect(summary.downloaded.files).toBe(1);
      expect(c.services.blobs.has(c.shas[0]!)).toBe(true);
      // What came before the hub went was kept: the file went on with a Range past the knock's one byte.
      const ranges = (await hub.settled()).filter((l) => l.startsWith('206 GET')).map((l) => l.split(' ').at(-1));
      expect(ranges.some((r) => r !== 'bytes=0-0' && r !== '-')).toBe(true);
      expect(seen.at(-1)).toMatchObject({ files: 1, totalFiles: 1, failed: 0, trouble: null });
    } finally {
      await hub.stop();
    }
  }, 60_000);
});

describe('the hub killed mid-download and not back', () => {
  it('fails after the stated wait, saying it waited, and does not call the file it tried untried (was: "其余 1 个文件不再尝试" after 20 s)', async () => {
    const blob = crypto.randomBytes(BIG);
    const c = await classroomOf([blob], 'cn.gone');
    const seen: SyncProgress[] = [];
    const run = syncAll(c.services, { rate: RATE, backoffMs: 100, hostWait: { ms: 5000 }, onProgress: (p) => seen.push(p) });
    await until(seen, 4_000_000);
    await c.hub.stop('now');
    const stopped = performance.now();
    const summary = await run;
    const took = performance.now() - stopped;
    expect(summary.failed).toHaveLength(1);
    const [f] = summary.failed;
    expect(f!.reason).toBe('unreachable');
    // It was tried (bytes came): no count of files not tried.
    expect(f!.error).not.toMatch(/不再尝试|没有尝试|not tried/);
    expect(f!.error).toContain(`连不上 ${c.host}（学校中心服务或资源平台），等了 5 秒仍未恢复，下次同步继续 / cannot reach ${c.host}`);
    // The file's tries (~2.3 s, more while the socket buffers drain), then the 5 s wait, and a knock's second.
    expect(took).toBeLessThan(12_000);
    expect(took).toBeGreaterThan(5000);
    expect(seen.some((p) => p.trouble?.waitingSeconds === 5 && p.trouble.host === c.host)).toBe(true);
    expect(summary.partial!.bytes).toBeGreaterThan(500_000);
    // Once the wait is spent, the page says the run tries it no more.
    expect(seen.at(-1)?.trouble).toMatchObject({ host: c.host, gaveUp: true });
  }, 60_000);
});
