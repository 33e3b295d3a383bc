// A file damaged in the hub's cache (bit rot, a bad disk): a classroom that gets
// bad bytes asks the same source once more with Cache-Control: no-cache, as an
// HTTP cache is asked to revalidate; the hub re-hashes its copy, quarantines it
// when bad and pulls the file through from upstream again (once) before
// answering. Bytes still wrong after that say which server sent them, in Chinese
// first, and what the admin does about it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../main/hub/server';
import { generateSigningKey } from '../../main/feed/keys';
import type { Services } from '../../main/services';
import { syncAll } from '../../main/sync/engine';
import { createFeedMirror } from '../../main/sync/mirror';
import { downloadBlob } from '../../main/sync/downloader';
import { TokenBucket } from '../../main/sync/token-bucket';
import { failureLines } from '../../main/cli-failures';
import { hubServices } from '../fixtures/services';
import { sha256, writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';

let tmp: string;
let nginx: Nginx;
let school: Services;
let hub: Hub;
const hubLog: string[] = [];
const key = generateSigningKey('smartedu-2026');
const trust = { keys: { [key.keyId]: key.publicKey } };
const services = (name: string) => hubServices(path.join(tmp, name), 't');
const blobPath = (sha: string) => `${sha.slice(0, 2)}/${sha}`;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-hub-damaged-'));
  fs.mkdirSync(path.join(tmp, 'www'));
  nginx = await startNginx(path.join(tmp, 'www'));
  school = services('hub');
  hub = await startHub(school, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(school, { log: (m) => hubLog.push(m) })] });
});
afterAll(async () => {
  await hub?.close();
  school?.close();
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("a damaged file in the hub's cache", () => {
  it('heals on the classroom\'s sync: the hub re-checks its copy and pulls it from upstream once more', async () => {
    const good = crypto.randomBytes(300_000);
    await writeBlobFeed(path.join(tmp, 'www', 'rot'), { id: 'cn.smartedu.rot', title: '坏盘', key, blobs: [good], lesson: '找春天' });
    const sha = sha256(good);
    await school.importFeed(`${nginx.url}rot/`, trust);
    const first = services('classroom-first');
    const second = services('classroom-second');
    try {
      await first.importFeed(`${hub.url}feed/cn.smartedu.rot/`, trust);
      expect(await syncAll(first, { backoffMs: 20 })).toMatchObject({ downloaded: { files: 1 }, failed: [] });
      // Bit rot on the hub's disk, the way admin2 did it: four bytes at offset 50.
      const onHub = school.blobs.pathFor(sha);
      const fd = fs.openSync(onHub, 'r+');
      fs.writeSync(fd, Buffer.from('ZZZZ'), 0, 4, 50);
      fs.closeSync(fd);

      await second.importFeed(`${hub.url}feed/cn.smartedu.rot/`, trust);
      const s = await syncAll(second, { backoffMs: 20 });
      // Was: "已隔离，下次同步会重新下载", the same bad bytes from the hub on every sync.
      expect(s).toMatchObject({ downloaded: { files: 1 }, failed: [] });
      expect(fs.readFileSync(second.blobs.pathFor(sha)).equals(good)).toBe(true);
      expect(fs.readFileSync(onHub).equals(good)).toBe(true);
      // The damaged copy went where `classboard verify` puts one, and the hub said so.
      expect(fs.readdirSync(path.join(school.blobs.root, '.quarantine')).some((f) => f.startsWith(`${sha}.`))).toBe(true);
      expect(hubLog.join('\n')).toMatch(new RegExp(`${sha.slice(0, 12)}.*damaged`));

      // A good copy is served as before, also to a no-cache request: nothing more from upstream.
      const again = await fetch(`${hub.url}feed/cn.smartedu.rot/blobs/${blobPath(sha)}`, { headers: { 'cache-control': 'no-cache' } });
      expect(Buffer.from(await again.arrayBuffer()).equals(good)).toBe(true);
      const upstream = (await nginx.settled()).filter((l) => l.includes(`/rot/blobs/${blobPath(sha)}`));
      // The first pull-through, and exactly one more for the damaged copy.
      expect(upstream).toHaveLength(2);
    } finally {
      first.close();
      second.close();
    }
  });

  it('classrooms asking at once for the damaged file: upstream serves it once more, not once per classroom', async () => {
    const good = crypto.randomBytes(200_000);
    await writeBlobFeed(path.join(tmp, 'www', 'rot2'), { id: 'cn.smartedu.rot2', title: '坏盘2', key, blobs: [good] });
    const sha = sha256(good);
    await school.importFeed(`${nginx.url}rot2/`, trust);
    const url = `${hub.url}feed/cn.smartedu.rot2/blobs/${blobPath(sha)}`;
    expect((await fetch(url)).status).toBe(200);
    const onHub = school.blobs.pathFor(sha);
    const bad = Buffer.from(good);
    bad[1234] = bad[1234]! ^ 0xff;
    fs.writeFileSync(onHub, bad);
    const answers = await Promise.all([0, 1, 2].map(() => fetch(url, { headers: { 'cache-control': 'no-cache' } }).then(async (r) => Buffer.from(await r.arrayBuffer()))));
    for (const a of answers) expect(a.equals(good)).toBe(true);
    const upstream = (await nginx.settled()).filter((l) => l.includes(`/rot2/blobs/${blobPath(sha)}`));
    expect(upstream).toHaveLength(2);
  });
});

describe('no-cache requests for a good copy', () => {
  it('re-hash it once in a while, never for a Range resume, and do not hold headers past the pull wait', async () => {
    const good = crypto.randomBytes(400_000);
    await writeBlobFeed(path.join(tmp, 'www', 'good'), { id: 'cn.smartedu.good', title: '好盘', key, blobs: [good] });
    const sha = sha256(good);
    await school.importFeed(`${nginx.url}good/`, trust);
    const url = `${hub.url}feed/cn.smartedu.good/blobs/${blobPath(sha)}`;
    expect((await fetch(url)).status).toBe(200);
    const onHub = school.blobs.pathFor(sha);
    const upstream = async () => (await nginx.settled()).filter((l) => l.includes(`/good/blobs/${blobPath(sha)}`)).length;
    const rechecks = () => hubLog.filter((l) => l.includes(`re-checked ${sha.slice(0, 12)}`)).length;
    expect(await upstream()).toBe(1);

    // A classroom resuming a cut download (its retries send no no-cache now, but a
    // Range with it must not cost the hub a read of the whole file either): the
    // copy, damaged here, is not re-hashed, so not quarantined nor pulled again.
    const bad = Buffer.from(good);
    bad[10] = bad[10]! ^ 0xff;
    fs.writeFileSync(onHub, bad);
    const resumed = await fetch(url, { headers: { range: 'bytes=1000-', 'cache-control': 'no-cache', pragma: 'no-cache' } });
    expect(resumed.status).toBe(206);
    expect(Buffer.from(await resumed.arrayBuffer()).equals(good.subarray(1000))).toBe(true);
    expect(await upstream()).toBe(1);
    expect(fs.readFileSync(onHub).equals(bad)).toBe(true);

    // From byte 0 it is re-hashed: damaged, so healed with one more upstream fetch.
    const fresh = await fetch(url, { headers: { range: 'bytes=0-', 'cache-control': 'no-cache' } });
    expect(Buffer.from(await fresh.arrayBuffer()).equals(good)).toBe(true);
    expect(await upstream()).toBe(2);

    // A loop of no-cache requests (anyone on the LAN may send them): one re-hash, then none within the window.
    for (let i = 0; i < 4; i++) {
      const r = await fetch(url, { headers: { 'cache-control': 'no-cache' } });
      expect(Buffer.from(await r.arrayBuffer()).equals(good)).toBe(true);
    }
    expect(rechecks()).toBe(1);
    expect(await upstream()).toBe(2);

    // A re-hash slower than the mirror's pull wait: 503 + Retry-After at once, as a
    // slow pull-through answers, not headers held past a classroom's headersTimeout.
    // The classroom's retry (no no-cache) waits for that re-check, then gets the file.
    school.db.prepare('UPDATE blobs SET verified_at = added_at WHERE sha256 = ?').run(sha);
    const impatient = await startHub(school, {
      port: 0,
      rendererDir: path.join(tmp, 'ui'),
      routes: [createFeedMirror(school, { pullWaitMs: 0, retryAfterS: 3, log: (m) => hubLog.push(m) })],
    });
    try {
      const slow = `${impatient.url}feed/cn.smartedu.good/blobs/${blobPath(sha)}`;
      const busy = await fetch(slow, { headers: { 'cache-control': 'no-cache' } });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('3');
      await busy.arrayBuffer();
      await expect.poll(rechecks).toBe(2);
      const after = await fetch(slow);
      expect(Buffer.from(await after.arrayBuffer()).equals(good)).toBe(true);
    } finally {
      await impatient.close();
    }
  });
});

describe("the classroom's no-cache try", () => {
  it('is sent once, on the fresh request after bad bytes, not on the Range resume of a cut', async () => {
    const good = crypto.randomBytes(200_000);
    const sha = sha256(good);
    const bad = Buffer.from(good);
    bad[10] = bad[10]! ^ 0xff;
    const seen: { range?: string; noCache: boolean }[] = [];
    const server = http.createServer((req, res) => {
      const noCache = /no-cache/.test(`${req.headers['cache-control'] ?? ''} ${req.headers.pragma ?? ''}`);
      seen.push({ range: req.headers.range, noCache });
      if (seen.length === 1) return res.end(bad); // bad bytes
      if (seen.length === 2) {
        // The no-cache try, cut halfway.
        res.writeHead(200, { 'content-length': good.length, etag: `"${sha}"` });
        res.write(good.subarray(0, 100_000));
        setTimeout(() => res.destroy(), 50);
        return;
      }
      const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      res.writeHead(from ? 206 : 200, {
        'content-length': good.length - from,
        ...(from ? { 'content-range': `bytes ${from}-${good.length - 1}/${good.length}` } : {}),
        etag: `"${sha}"`,
      });
      res.end(good.subarray(from));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const classroom = services('classroom-nocache');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/blobs/${blobPath(sha)}`;
      await downloadBlob({ sha256: sha, size: good.length, urls: [url] }, { blobs: classroom.blobs, bucket: new TokenBucket(Infinity), retries: 3, backoffMs: 20 });
      expect(fs.readFileSync(classroom.blobs.pathFor(sha)).equals(good)).toBe(true);
      expect(seen.map((r) => r.noCache)).toEqual([false, true, false]);
      expect(seen[2]!.range).toBe('bytes=100000-');
    } finally {
      classroom.close();
      server.close();
    }
  });
});

describe('bytes that stay wrong', () => {
  it('a classroom syncing straight from a platform that serves bad bytes: asked twice, then it names the server', async () => {
    const good = crypto.randomBytes(100_000);
    await writeBlobFeed(path.join(tmp, 'www', 'badcdn'), { id: 'cn.smartedu.badcdn', title: '坏源', key, blobs: [good] });
    const sha = sha256(good);
    const bad = Buffer.from(good);
    bad[10] = bad[10]! ^ 0xff;
    fs.writeFileSync(path.join(tmp, 'www', 'badcdn', 'blobs', blobPath(sha)), bad);
    const classroom = services('classroom-direct');
    try {
      await classroom.importFeed(`${nginx.url}badcdn/`, trust);
      const s = await syncAll(classroom, { backoffMs: 20 });
      const host = new URL(nginx.url).host;
      expect(s.failed).toEqual([expect.objectContaining({ sha256: sha, reason: 'damaged' })]);
      const error = s.failed[0]!.error;
      // Chinese first, naming the server, with what to do if it is the school hub.
      expect(error).toMatch(new RegExp(`^[^/]*${host.replace(/\./g, '\\.')}[^/]*两次[^/]*classboard verify`));
      expect((await nginx.settled()).filter((l) => l.includes(`/badcdn/blobs/${blobPath(sha)}`))).toHaveLength(2);
      // The CLI's line does not promise that the next sync fixes it.
      const lines = failureLines(s.failed, { floorBytes: 0, usedBytes: 0, freeBytes: null }).join('\n');
      expect(lines).not.toMatch(/下次同步会重新下载/);
      expect(lines).toMatch(host);
    } finally {
      classroom.close();
    }
  });

  it("through the hub, when upstream's copy is bad: the classroom is told which hub and which upstream", async () => {
    const good = crypto.randomBytes(100_000);
    await writeBlobFeed(path.join(tmp, 'www', 'badup'), { id: 'cn.smartedu.badup', title: '上游坏', key, blobs: [good] });
    const sha = sha256(good);
    const bad = Buffer.from(good);
    bad[10] = bad[10]! ^ 0xff;
    fs.writeFileSync(path.join(tmp, 'www', 'badup', 'blobs', blobPath(sha)), bad);
    await school.importFeed(`${nginx.url}badup/`, trust);
    const classroom = services('classroom-badup');
    try {
      await classroom.importFeed(`${hub.url}feed/cn.smartedu.badup/`, trust);
      const s = await syncAll(classroom, { backoffMs: 20 });
      expect(s.failed).toEqual([expect.objectContaining({ sha256: sha, reason: 'damaged' })]);
      const error = s.failed[0]!.error;
      const zh = error.split(' / ')[0]!;
      expect(zh).toContain(new URL(hub.url).host);
      expect(zh).toContain(new URL(nginx.url).host);
      expect(zh).toMatch(/校验值/);
      // The hub's pull and its one more try (no-cache), then nothing more for this classroom's retry.
      expect((await nginx.settled()).filter((l) => l.includes(`/badup/blobs/${blobPath(sha)}`))).toHaveLength(2);
    } finally {
      classroom.close();
    }
  });
});
