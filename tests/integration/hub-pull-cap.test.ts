// The school's internet link budget is the hub's cap: a file a classroom asks the
// hub for and the hub lacks is pulled from the platform (nginx) within it. At
// night from the same cap as the hub's own night run, so both together stay
// within --rate; by day, with the hub's own downloads paused, at the night rate
// (a teacher's lesson through the hub still arrives, no faster than the night).
// The hub's services with the mirror on a real HTTP server, a classroom
// downloading through it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { startHub, type Hub } from '../../main/hub/server';
import { createServices, type Services } from '../../main/services';
import { planFor, syncAll } from '../../main/sync/engine';
import { createFeedMirror } from '../../main/sync/mirror';
import { sha256, writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';

const F = 'cn.test.pullcap';
const key = generateSigningKey('pullcap-2026');
const trust = { keys: { [key.keyId]: key.publicKey } };
/** `--rate 4mbit`, in bytes per second. */
const RATE = 500_000;
const night = () => new Date('2026-11-30T19:00:00Z'); // 03:00 school time
const noon = () => new Date('2026-12-01T04:00:00Z'); // 12:00: the hub's downloads paused (--day-rate 0)
// r0: the hub's own night run fetches it; r1: a classroom asks for it meanwhile; r2: a classroom by day.
const blobs = [2_000_000, 2_000_000, 3_000_000].map((n) => crypto.randomBytes(n));
const shas = blobs.map(sha256);

let tmp: string;
let nginx: Nginx;
let hubS: Services;
let hub: Hub;
let clock = night();

const classroom = async (name: string) => {
  const s = createServices({ dataDir: path.join(tmp, name), host: 'hub', mediaBase: '/media/', assetsDir: path.resolve('assets'), version: 't' });
  await s.importFeed(`${hub.url}feed/${F}/`, trust);
  return s;
};
/** Blob bytes nginx sent (its access log: "<status> <method> <uri> <bytes> <range>"). */
const platformBytes = async () =>
  (await nginx.settled()).filter((l) => l.includes('/blobs/')).reduce((n, l) => n + Number(l.split(' ')[3]), 0);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-pull-cap-'));
  await writeBlobFeed(path.join(tmp, 'www', 'feed'), { id: F, title: '国家中小学智慧教育平台', key, blobs });
  nginx = await startNginx(path.join(tmp, 'www'));
  hubS = createServices({ dataDir: path.join(tmp, 'hub'), host: 'hub', mediaBase: '/media/', assetsDir: path.resolve('assets'), version: 't', sync: { now: () => clock } });
  await hubS.importFeed(`${nginx.url}feed/`, trust);
  // classboard --data H settings --window 22:00-06:30 --day-rate 0 --rate 4mbit
  hubS.sync.configure({ window: '22:00-06:30', nightRate: RATE, dayRate: 0 });
  hub = await startHub(hubS, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(hubS, { pullWaitMs: 1000, retryAfterS: 1 })] });
});
afterAll(async () => {
  await hub?.close();
  hubS?.close();
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the hub's pull-through for classrooms", () => {
  it("at night shares the hub's night cap: its own run and a classroom's pull together stay within --rate", async () => {
    clock = night();
    hubS.sync.scheduler.reconfigure(hubS.sync.scheduler.config);
    const room = await classroom('room-night');
    try {
      const before = await platformBytes();
      const t0 = performance.now();
      // The hub's own night run (of r0) and a classroom fetching r1 through the hub, at once.
      const own = hubS.sync.scheduler.tick(false, planFor(hubS, { only: [`${F}/r0`] }).jobs);
      const pulled = syncAll(room, { jobs: planFor(room, { only: [`${F}/r1`] }).jobs, backoffMs: 20 });
      const [, s] = await Promise.all([own, pulled]);
      const seconds = (performance.now() - t0) / 1000;
      expect(s).toMatchObject({ downloaded: { files: 1 }, failed: [] });
      expect(hubS.blobs.has(shas[0]!) && hubS.blobs.has(shas[1]!) && room.blobs.has(shas[1]!)).toBe(true);
      const bytes = (await platformBytes()) - before;
      expect(bytes).toBe(4_000_000);
      // 4 MB at 500 KB/s is 8 s; one burst each way and timing slack allowed. Uncapped, the pull took well under a second.
      expect(bytes / seconds).toBeLessThan(RATE * 1.2);
    } finally {
      room.close();
    }
  }, 60_000);

  it('by day, with the hub paused, a pull still completes, at the night rate; the classroom is told to come back meanwhile', async () => {
    clock = noon();
    hubS.sync.scheduler.reconfigure(hubS.sync.scheduler.config);
    expect(hubS.sync.scheduler.bucket.bytesPerSecond).toBe(0);
    const room = await classroom('room-day');
    try {
      const t0 = performance.now();
      // A pull that takes longer than the hub keeps a request waiting: 503 with Retry-After.
      const first = await fetch(`${hub.url}feed/${F}/blobs/${shas[2]!.slice(0, 2)}/${shas[2]}`);
      expect(first.status).toBe(503);
      expect(first.headers.get('retry-after')).toBe('1');
      await first.arrayBuffer();
      const s = await syncAll(room, { jobs: planFor(room, { only: [`${F}/r2`] }).jobs, backoffMs: 20, stallMs: 5000 });
      const seconds = (performance.now() - t0) / 1000;
      expect(s).toMatchObject({ downloaded: { files: 1 }, failed: [] });
      expect(fs.readFileSync(room.blobs.pathFor(shas[2]!)).equals(blobs[2]!)).toBe(true);
      // 3 MB at 500 KB/s is 6 s (≥ 4.5 s with a burst and slack); it did not wait for the night either.
      expect(seconds).toBeGreaterThan(4.5);
      expect(seconds).toBeLessThan(30);
      // The hub's own downloads stayed paused.
      expect(hubS.sync.scheduler.bucket.bytesPerSecond).toBe(0);
    } finally {
      room.close();
    }
  }, 60_000);

  it("follows the admin's new rate at once, by day and at night", () => {
    try {
      hubS.sync.configure({ nightRate: 2 * RATE });
      for (const at of [noon(), night()]) {
        clock = at;
        hubS.sync.scheduler.reconfigure(hubS.sync.scheduler.config);
        expect(hubS.sync.demandBucket.bytesPerSecond, at.toISOString()).toBe(2 * RATE);
      }
    } finally {
      hubS.sync.configure({ nightRate: RATE });
    }
  });
});
