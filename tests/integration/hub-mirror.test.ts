// One WAN download per school: a hub mirrors the platform feed (nginx upstream)
// and two classrooms sync through it at the same time.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../main/hub/server';
import { generateSigningKey } from '../../main/feed/keys';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';
import { syncAll } from '../../main/sync/engine';
import { createFeedMirror } from '../../main/sync/mirror';
import { BadBytes, downloadBlob } from '../../main/sync/downloader';
import { TokenBucket } from '../../main/sync/token-bucket';
import { sha256, writeBlobFeed } from '../fixtures/feeds';
import { startFaultServer } from '../fixtures/fault-server';
import { startNginx, type Nginx } from '../fixtures/nginx';

let tmp: string;
let nginx: Nginx;
let school: Services;
let hub: Hub;
const key = generateSigningKey('smartedu-2026');
const trust = { keys: { [key.keyId]: key.publicKey } };
const files = [0, 1, 2].map(() => crypto.randomBytes(400_000));
const shas = files.map(sha256);
const services = (name: string) =>
  hubServices(path.join(tmp, name), 't');

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-mirror-'));
  const www = path.join(tmp, 'www');
  await writeBlobFeed(path.join(www, 'basic'), { id: 'cn.smartedu.basic', title: '国家中小学智慧教育平台', revision: 7, key, blobs: files, lesson: '分数的初步认识' });
  // The platform's CDN as a thin WAN link sees it, for one feed.
  // /gateway/ is a mirror whose backend is down.
  nginx = await startNginx(www, 'location /slow/ { limit_rate 150k; } location /paced/ { limit_rate 1m; } location /gateway/ { return 502; }');
  school = services('hub');
  await school.importFeed(`${nginx.url}basic/`, trust);
  hub = await startHub(school, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(school)] });
});
afterAll(async () => {
  await hub?.close();
  school?.close();
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('school hub feed mirror', () => {
  it('serves feed.json and its signature byte for byte as the platform published them', async () => {
    for (const f of ['feed.json', 'feed.json.sig', 'shards/a.json']) {
      const mine = Buffer.from(await (await fetch(`${hub.url}feed/cn.smartedu.basic/${f}`)).arrayBuffer());
      expect(mine.equals(fs.readFileSync(path.join(tmp, 'www', 'basic', f))), f).toBe(true);
    }
    expect((await fetch(`${hub.url}feed/cn.smartedu.basic/feed.json`, { method: 'PUT', body: 'x' })).status).toBe(405);
    expect((await fetch(`${hub.url}feed/cn.smartedu.basic/blobs/ab/${'ab'.padEnd(64, '0')}`)).status).toBe(404);
    // No way out of the feeds folder, and a malformed escape is a 404, not a crash.
    fs.writeFileSync(path.join(school.dataDir, 'feeds', 'feed.json'), 'not for classrooms');
    fs.writeFileSync(path.join(school.dataDir, 'feed.json'), 'not for classrooms');
    for (const p of ['..%2Ffeed.json', '.%2Ffeed.json', 'cn.smartedu.basic/%E0%A4%A/feed.json']) {
      expect((await fetch(`${hub.url}feed/${p}`)).status, p).toBe(404);
    }
  });

  it('a file the hub is slow to pull: the classroom is told to come back (503, Retry-After) instead of timing out', async () => {
    const slow = crypto.randomBytes(400_000); // ~2.7 s from upstream at 150 KB/s
    await writeBlobFeed(path.join(tmp, 'www', 'slow'), { id: 'cn.smartedu.slow', title: '慢速上游', key, blobs: [slow] });
    const slowHub = services('hub-slow');
    const classroom = services('classroom-slow');
    await slowHub.importFeed(`${nginx.url}slow/`, trust);
    const hub2 = await startHub(slowHub, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(slowHub, { pullWaitMs: 300, retryAfterS: 1 })] });
    try {
      await classroom.importFeed(`${hub2.url}feed/cn.smartedu.slow/`, trust);
      // The classroom waits 1.5 s for headers (the pull takes ~2.7 s) and has no retries to spare.
      const s = await syncAll(classroom, { retries: 0, stallMs: 1500 });
      expect(s).toMatchObject({ downloaded: { files: 1 }, failed: [] });
      expect(classroom.blobs.has(sha256(slow))).toBe(true);
      const upstream = (await nginx.settled()).filter((l) => l.includes(sha256(slow)));
      expect(upstream).toHaveLength(1);
    } finally {
      await hub2.close();
      classroom.close();
      slowHub.close();
    }
  });

  it('a request for // (curl http://hub:8080//, a script joining the hub URL and "/") is answered, and the hub keeps serving', async () => {
    const status = (target: string) =>
      new Promise<number>((resolve, reject) => {
        const { hostname, port } = new URL(hub.url);
        http.get({ hostname, port, path: target }, (res) => resolve(res.resume().statusCode ?? 0)).on('error', reject);
      });
    // Before: an uncaught Invalid URL outside the handler ended the hub process.
    for (const target of ['//', '///', '//@', '//:99999']) expect(await status(target)).toBeGreaterThanOrEqual(400);
    expect(await status('/feed/cn.smartedu.basic/feed.json')).toBe(200);
  });

  it('a classroom that leaves while the hub pulls its file: the hub closes the file once it has it', async () => {
    // ~2 s from upstream at 1 MB/s, and more than the read-ahead of one answer (256 KB), which would close the file on its own.
    const late = crypto.randomBytes(2_000_000);
    const sha = sha256(late);
    await writeBlobFeed(path.join(tmp, 'www', 'paced'), { id: 'cn.smartedu.leave', title: '中途离开', key, blobs: [late] });
    const slowHub = services('hub-leave');
    await slowHub.importFeed(`${nginx.url}paced/`, trust);
    const hub2 = await startHub(slowHub, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(slowHub, { pullWaitMs: 5000 })] });
    /** This process's open files on the blob (a descriptor closed while they are listed is not one). */
    const openOn = () =>
      fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`).includes(sha);
        } catch {
          return false;
        }
      }).length;
    try {
      // Its sync stopped (the window ended, the app quit) 200 ms into the pull.
      const req = http.get(`${hub2.url}feed/cn.smartedu.leave/blobs/${sha.slice(0, 2)}/${sha}`, (res) => res.resume());
      req.on('error', () => {});
      setTimeout(() => req.destroy(), 200);
      await expect.poll(() => slowHub.blobs.has(sha), { timeout: 10_000 }).toBe(true);
      // The hub answers the waiting request as soon as it holds the file.
      await new Promise((r) => setTimeout(r, 500));
      // Before: the file was opened and piped into the closed answer, and stayed open for good.
      await expect.poll(openOn, { timeout: 3000 }).toBe(0);
    } finally {
      await hub2.close();
      slowHub.close();
    }
  });

  it('two classrooms syncing at once through the hub: upstream serves each file once', async () => {
    const a = services('classroom-a');
    const b = services('classroom-b');
    try {
      await a.importFeed(`${hub.url}feed/cn.smartedu.basic/`, trust);
      await b.importFeed(`${hub.url}feed/cn.smartedu.basic/`, trust);
      const [sa, sb] = await Promise.all([syncAll(a, { backoffMs: 20 }), syncAll(b, { backoffMs: 20 })]);
      expect(sa).toMatchObject({ downloaded: { files: 3 }, failed: [] });
      expect(sb).toMatchObject({ downloaded: { files: 3 }, failed: [] });
      const upstream = await nginx.settled();
      for (const sha of shas) {
        expect(a.blobs.has(sha) && b.blobs.has(sha)).toBe(true);
        expect(upstream.filter((l) => l.includes(`/blobs/${sha.slice(0, 2)}/${sha}`)), sha.slice(0, 8)).toHaveLength(1);
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it("a file classrooms ask the hub for is marked used there, so the hub's quota evicts the least used, not the first added", async () => {
    // Held since the classrooms above pulled it through; a hub started now serves it.
    const usedAt = () => school.db.prepare('SELECT last_used_at FROM blobs WHERE sha256 = ?').pluck().get(shas[2]) as number;
    const before = usedAt();
    expect(before).toBeGreaterThan(0);
    const hub2 = await startHub(school, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(school)] });
    try {
      await new Promise((r) => setTimeout(r, 20));
      const res = await fetch(`${hub2.url}feed/cn.smartedu.basic/blobs/${shas[2]!.slice(0, 2)}/${shas[2]}`);
      expect(Buffer.from(await res.arrayBuffer()).equals(files[2]!)).toBe(true);
      // Before: never marked, so the hub's eviction order was the order files were added.
      expect(usedAt()).toBeGreaterThan(before);
    } finally {
      await hub2.close();
    }
  });

  it('a classroom whose hub is switched off takes the files from its mirrors, past one answering 502', async () => {
    const lesson = [crypto.randomBytes(100_000), crypto.randomBytes(100_000)];
    await writeBlobFeed(path.join(tmp, 'www', 'cdn'), { id: 'cn.smartedu.cdn', title: '镜像', key, blobs: lesson });
    const offHub = services('hub-off');
    const classroom = services('classroom-off');
    await offHub.importFeed(`${nginx.url}cdn/`, trust);
    const hub3 = await startHub(offHub, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(offHub)] });
    try {
      // classboard feeds add <hub> --mirror <broken mirror> --mirror <platform CDN>
      await classroom.importFeed(`${hub3.url}feed/cn.smartedu.cdn/`, { ...trust, mirrors: [`${nginx.url}gateway/`, `${nginx.url}cdn/blobs/`] });
      await hub3.close();
      const s = await syncAll(classroom, { backoffMs: 20 });
      expect(s.feeds).toEqual([expect.objectContaining({ id: 'cn.smartedu.cdn', outcome: 'failed' })]);
      expect(s).toMatchObject({ downloaded: { files: 2, bytes: 200_000 }, failed: [] });
      for (const b of lesson) expect(fs.readFileSync(classroom.blobs.pathFor(sha256(b))).equals(b)).toBe(true);
      const upstream = await nginx.settled();
      expect(upstream.filter((l) => l.startsWith('502 GET /gateway/')).length).toBeGreaterThan(0);
      expect(upstream.filter((l) => l.startsWith('200 GET /cdn/blobs/'))).toHaveLength(2);
    } finally {
      await hub3.close().catch(() => {});
      classroom.close();
      offHub.close();
    }
  });

  it('a file another Classboard process on the hub is downloading (an admin\'s classboard sync): come back in a few seconds (503, Retry-After)', async () => {
    const bytes = crypto.randomBytes(50_000);
    await writeBlobFeed(path.join(tmp, 'www', 'locked'), { id: 'cn.smartedu.locked', title: '加锁', key, blobs: [bytes] });
    await school.importFeed(`${nginx.url}locked/`, trust);
    const sha = sha256(bytes);
    // That process (alive: this test's own stands in for it) holds the .part's lock.
    const lock = path.join(school.blobs.tmpDir, `${sha}.part.lock`);
    fs.writeFileSync(lock, String(process.pid));
    const url = `${hub.url}feed/cn.smartedu.locked/blobs/${sha.slice(0, 2)}/${sha}`;
    try {
      const busy = await fetch(url);
      expect(busy.status).toBe(503); // was 502: a classroom took the hub for broken
      expect(busy.headers.get('retry-after')).toBe('5');
      expect(await busy.text()).toMatch(/another Classboard process/);
    } finally {
      fs.rmSync(lock, { force: true });
    }
    // Its download done (here: the lock gone), the file is pulled and served.
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('a file whose upstream copy is corrupt crosses the thin link for the first pull only; classrooms move on to a mirror or say why', async () => {
    const good = crypto.randomBytes(200_000);
    await writeBlobFeed(path.join(tmp, 'www', 'corrupt'), { id: 'cn.smartedu.corrupt', title: '损坏', key, blobs: [good] });
    const sha = sha256(good);
    const onPlatform = path.join(tmp, 'www', 'corrupt', 'blobs', sha.slice(0, 2), sha);
    const bad = Buffer.from(good);
    bad[1000] = bad[1000]! ^ 0xff;
    fs.writeFileSync(onPlatform, bad);
    // A second CDN that has the right bytes.
    fs.mkdirSync(path.join(tmp, 'www', 'cdn2', sha.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'www', 'cdn2', sha.slice(0, 2), sha), good);
    await school.importFeed(`${nginx.url}corrupt/`, trust);
    const a = services('classroom-corrupt-a');
    const b = services('classroom-corrupt-b');
    try {
      await a.importFeed(`${hub.url}feed/cn.smartedu.corrupt/`, trust);
      await b.importFeed(`${hub.url}feed/cn.smartedu.corrupt/`, { ...trust, mirrors: [`${nginx.url}cdn2/`] });
      const sa = await syncAll(a, { backoffMs: 20 });
      const again = await syncAll(a, { backoffMs: 20 });
      const sb = await syncAll(b, { backoffMs: 20 });
      for (const s of [sa, again]) {
        expect(s.failed).toEqual([
          expect.objectContaining({ sha256: sha, resources: ['第1课时'], error: expect.stringMatching(/校验值.*the hub's upstream copy of this file is unusable/) }),
        ]);
      }
      expect(a.blobs.has(sha)).toBe(false);
      // Counted as bad bytes at the classroom (the status page's 'damaged'), not as a file the platform lacks.
      const job = { sha256: sha, size: good.length, urls: [`${hub.url}feed/cn.smartedu.corrupt/blobs/${sha.slice(0, 2)}/${sha}`] };
      await expect(downloadBlob(job, { blobs: a.blobs, bucket: new TokenBucket(Infinity) })).rejects.toBeInstanceOf(BadBytes);
      expect(sb).toMatchObject({ downloaded: { files: 1 }, failed: [] });
      expect(fs.readFileSync(b.blobs.pathFor(sha)).equals(good)).toBe(true);
      const upstream = await nginx.settled();
      // The hub's pull and its one more try (a bad transfer), then nothing: before, 2 per classroom request, 5 requests a sync.
      expect(upstream.filter((l) => l.includes(`/corrupt/blobs/${sha.slice(0, 2)}/${sha}`))).toHaveLength(2);
      expect(upstream.filter((l) => l.includes(`/cdn2/${sha.slice(0, 2)}/${sha}`))).toHaveLength(1);
      expect(school.blobs.has(sha)).toBe(false);
    } finally {
      a.close();
      b.close();
    }
  });

  it('a Content-Range a proxy mangled once is not remembered: the next request pulls again and gets the file', async () => {
    const good = crypto.randomBytes(200_000);
    await writeBlobFeed(path.join(tmp, 'www', 'glitch'), { id: 'cn.smartedu.glitch', title: '代理故障', key, blobs: [good] });
    const sha = sha256(good);
    // The platform's base lacks it; a mirror behind a proxy that answers a Range with the wrong Content-Range.
    fs.rmSync(path.join(tmp, 'www', 'glitch', 'blobs', sha.slice(0, 2), sha));
    const proxy = await startFaultServer(new Map([[sha, good]]));
    const glitchHub = services('hub-glitch');
    await glitchHub.importFeed(`${nginx.url}glitch/`, { ...trust, mirrors: [`${proxy.url}bad-range/`] });
    const hub4 = await startHub(glitchHub, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(glitchHub)] });
    try {
      // An earlier pull left the first bytes: the hub resumes with Range, and the proxy answers it wrong.
      fs.mkdirSync(glitchHub.blobs.tmpDir, { recursive: true });
      fs.writeFileSync(path.join(glitchHub.blobs.tmpDir, `${sha}.part`), good.subarray(0, 1000));
      const url = `${hub4.url}feed/cn.smartedu.glitch/blobs/${sha.slice(0, 2)}/${sha}`;
      const first = await fetch(url);
      expect(first.status).toBe(502);
      expect(await first.text()).toMatch(/did not fit/);
      // Was: a 404 "unusable … not fetched again for 30 min" for every classroom.
      const second = await fetch(url);
      expect(second.status).toBe(200);
      expect(Buffer.from(await second.arrayBuffer()).equals(good)).toBe(true);
      expect(proxy.log).toEqual([`/bad-range/${sha.slice(0, 2)}/${sha} bytes=1000-`, `/bad-range/${sha.slice(0, 2)}/${sha} -`]);
    } finally {
      await hub4.close();
      glitchHub.close();
      await proxy.close();
    }
  });

  it('a file upstream serves at another size than the feed says is remembered like a hash mismatch: one pull, not one per classroom retry', async () => {
    const good = crypto.randomBytes(100_000);
    await writeBlobFeed(path.join(tmp, 'www', 'resized'), { id: 'cn.smartedu.resized', title: '文件改了', key, blobs: [good] });
    const sha = sha256(good);
    fs.rmSync(path.join(tmp, 'www', 'resized', 'blobs', sha.slice(0, 2), sha));
    const cdn = await startFaultServer(new Map([[sha, good]]));
    const resizedHub = services('hub-resized');
    await resizedHub.importFeed(`${nginx.url}resized/`, { ...trust, mirrors: [`${cdn.url}size-lie/`] });
    const hub5 = await startHub(resizedHub, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(resizedHub)] });
    try {
      const url = `${hub5.url}feed/cn.smartedu.resized/blobs/${sha.slice(0, 2)}/${sha}`;
      for (let i = 0; i < 3; i++) {
        const r = await fetch(url);
        expect(r.status).toBe(404);
        expect(r.headers.get('x-classboard-unusable')).toBe('1');
      }
      // Before: every request pulled the whole file again (and classrooms retried the 502 five times each).
      expect(cdn.log.length).toBeLessThanOrEqual(2);
    } finally {
      await hub5.close();
      resizedHub.close();
      await cdn.close();
    }
  });

  it('a file the platform does not have is missing at the hub too (404, not 502): classrooms try their next base instead of retrying', async () => {
    const bytes = crypto.randomBytes(10_000);
    await writeBlobFeed(path.join(tmp, 'www', 'gone'), { id: 'cn.smartedu.gone', title: '下架', key, blobs: [bytes] });
    const sha = sha256(bytes);
    fs.rmSync(path.join(tmp, 'www', 'gone', 'blobs', sha.slice(0, 2), sha));
    await school.importFeed(`${nginx.url}gone/`, trust);
    const r = await fetch(`${hub.url}feed/cn.smartedu.gone/blobs/${sha.slice(0, 2)}/${sha}`);
    expect(r.status).toBe(404);
    expect(await r.text()).toMatch(/upstream has no such file/);
  });

  it("serves a feed it imported from a folder (every hub's demo library) whole, and no feed it no longer subscribes to", async () => {
    const demo = JSON.parse(fs.readFileSync(path.resolve('assets/demo-feed.pub.json'), 'utf8')) as { keyId: string; publicKey: string };
    const demoKeys = { keys: { [demo.keyId]: demo.publicKey } };
    const demoId = (await school.importFeed(path.resolve('assets/demo-feed'), demoKeys)).feedId;
    // A hub from before folder shards were kept: imported again unchanged, they are kept now.
    const shards = school.db.prepare('SELECT sha256 FROM shards WHERE feed_id = ?').pluck().all(demoId) as string[];
    for (const sha of shards) fs.rmSync(school.blobs.pathFor(sha));
    expect(await school.importFeed(path.resolve('assets/demo-feed'), demoKeys)).toMatchObject({ outcome: 'unchanged' });
    expect(shards.every((sha) => school.blobs.has(sha))).toBe(true);
    const classroom = services('classroom-demo');
    try {
      // Before, its shards (read in place from the folder) were not in the hub's cache: 404.
      const s = await classroom.importFeed(`${hub.url}feed/${demoId}/`, demoKeys);
      expect(s).toMatchObject({ feedId: demoId, outcome: 'applied' });
      expect(s.resources).toBeGreaterThan(0);
      // Unsubscribed on the hub: its kept index is no longer served (it would name shards the hub may drop).
      school.db.prepare('DELETE FROM feeds WHERE id = ?').run(demoId);
      expect((await fetch(`${hub.url}feed/${demoId}/feed.json`)).status).toBe(404);
    } finally {
      classroom.close();
    }
  });
});
