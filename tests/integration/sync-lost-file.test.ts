// A cached file gone from disk while the cache index still lists it (an admin
// cleaned a folder, an antivirus quarantined it): the board must not call its
// lesson ready, and the next sync brings it back. Before, the planner trusted the
// index, so no sync fetched it again and the lesson failed in class. Real SQLite,
// nginx on 127.0.0.1 as the platform, the hub's HTTP server.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { startHub, type Hub } from '../../main/hub/server';
import type { Services } from '../../main/services';
import { planInWorker, syncAll } from '../../main/sync/engine';
import { createFeedMirror } from '../../main/sync/mirror';
import type { LessonFetch, TodayLesson } from '../../preload/contract';
import { sha256, writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

const F = 'cn.test.lost';
const TUESDAY = 2;
let tmp: string;
let www: string;
let nginx: Nginx;
let s: Services;
let hub: Hub;
// One lesson of three resources (a video each), the first on Tuesday's timetable.
const files = [0, 1, 2].map(() => crypto.randomBytes(40_000));
const shas = files.map(sha256);

const get = async <T>(p: Promise<{ ok: boolean; value?: T; error?: unknown }>) => {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
};
/** The Tuesday period's lesson: which of its resources are not on this PC. */
const waiting = async () => {
  const [period] = await get<{ lessons: TodayLesson[] }>(s.router.invoke('timetable:today', { weekday: TUESDAY })).then((d) => d.lessons);
  return period!.waiting.map((w) => w.id.slice(F.length + 1));
};
/** What the status shows as still to download (the plan without a sync's check of the disk). */
const queued = () => planInWorker(s, {}, true).then((p) => p.files);
const blobGets = async (sha: string) => (await nginx.settled()).filter((l) => l.startsWith(`200 GET /f/blobs/${sha.slice(0, 2)}/${sha}`)).length;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-lost-file-'));
  www = path.join(tmp, 'www');
  const key = generateSigningKey('k');
  await writeBlobFeed(path.join(www, 'f'), { id: F, title: '丢失的文件', key, blobs: files });
  nginx = await startNginx(www);
  s = hubServices(path.join(tmp, 'data'), 't');
  await s.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } });
  await get(s.router.invoke('timetable:set', { entries: [{ weekday: TUESDAY, period: 1, starts: '08:00', ends: '08:40', className: '三（2）班', resourceId: `${F}/r0` }] }));
  hub = await startHub(s, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(s)] });
  const first = await syncAll(s, { backoffMs: 10 });
  expect(first.downloaded.files).toBe(3);
  expect(await waiting()).toEqual([]);
}, 60_000);

afterAll(async () => {
  await hub?.close();
  await nginx?.stop();
  s?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a cached file deleted from disk', () => {
  it('turns its lesson red, and the next sync downloads it again and counts it', async () => {
    fs.rmSync(s.blobs.pathFor(shas[1]!));
    expect(await waiting()).toEqual(['r1']);
    const summary = await syncAll(s, { backoffMs: 10 });
    // Before: 0 files, the index still listing it, and the lesson red every day after.
    expect(summary.downloaded).toEqual({ files: 1, bytes: files[1]!.length });
    expect(summary.failed).toEqual([]);
    expect(sha256(fs.readFileSync(s.blobs.pathFor(shas[1]!)))).toBe(shas[1]);
    expect(await blobGets(shas[1]!)).toBe(2);
    expect(await waiting()).toEqual([]);
    // The files still there were not fetched again.
    expect(await blobGets(shas[0]!)).toBe(1);
    expect(await blobGets(shas[2]!)).toBe(1);
  }, 60_000);

  it('asked for by the player: answered 404 with why, and queued for download at once', async () => {
    fs.rmSync(s.blobs.pathFor(shas[2]!));
    expect(await queued()).toBe(0);
    const res = await fetch(`${hub.url}media/${shas[2]}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/^本机缓存中没有这个文件/);
    // Before: still listed, so the status said nothing to download until `classboard verify` ran.
    expect(await queued()).toBe(1);
    expect(await waiting()).toEqual(['r2']);
    expect((await syncAll(s, { backoffMs: 10 })).downloaded.files).toBe(1);
    expect(await queued()).toBe(0);
    expect(await waiting()).toEqual([]);
  }, 60_000);

  it('fetched at once by 现在下载这节课 on its red lesson', async () => {
    fs.rmSync(s.blobs.pathFor(shas[1]!));
    expect(await waiting()).toEqual(['r1']);
    const done = new Promise<LessonFetch>((resolve) => {
      const off = s.events.subscribe((name, e) => {
        if (name !== 'sync:lesson' || (e as LessonFetch).state === 'running') return;
        off();
        resolve(e as LessonFetch);
      });
    });
    // Before: done at once with nothing to fetch, the period staying red.
    expect(await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/r0` }))).toMatchObject({ state: 'running', totalFiles: 1 });
    expect(await done).toMatchObject({ state: 'done', files: 1, failures: [] });
    expect(await waiting()).toEqual([]);
  }, 60_000);

  it("on a hub, asked for by a classroom: pulled from upstream; when upstream has lost it too, the hub's own queue counts it", async () => {
    const sha = shas[0]!;
    const url = `${hub.url}feed/${F}/blobs/${sha.slice(0, 2)}/${sha}`;
    fs.rmSync(s.blobs.pathFor(sha));
    const pulled = await fetch(url);
    expect(pulled.status).toBe(200);
    expect(sha256(Buffer.from(await pulled.arrayBuffer()))).toBe(sha);

    // Gone from the hub and, for now, from the platform too.
    fs.rmSync(s.blobs.pathFor(sha));
    const upstream = path.join(www, 'f', 'blobs', sha.slice(0, 2), sha);
    const kept = path.join(tmp, 'kept');
    fs.renameSync(upstream, kept);
    const refused = await fetch(url);
    expect(refused.status).toBe(404);
    await refused.arrayBuffer();
    // Before: the hub's index still listed it, so its night would not try it again.
    expect(await queued()).toBe(1);
    fs.renameSync(kept, upstream);
    expect((await syncAll(s, { backoffMs: 10 })).downloaded.files).toBe(1);
    expect(await waiting()).toEqual([]);
  }, 60_000);
});
