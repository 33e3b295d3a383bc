// A file many lessons share (a grade's one 学习任务单 PDF on each of its lessons)
// is one file everywhere the sync page counts: the tree's sizes, the kept total,
// the "everything" total, the queue, the night's budget and the disk agree. And a
// classroom that lowers its rendition with the higher one on disk keeps it: the
// figures then still add up. A real feed on nginx, a real library.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import type { ShardNode, ShardResource } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import type { Services } from '../../main/services';
import { planFor, syncAll } from '../../main/sync/engine';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

const F = 'cn.test.shared';
const key = generateSigningKey('shared-2026');
// 小学 › {一年级, 二年级} › {语文, 数学} › 3 lessons; each lesson a 720p and a 360p video and its grade's worksheet.
const HD = 3000;
const SD = 1000;
const PDF = 500;
const GRADES = ['g1', 'g2'];
const SUBJECTS = ['yw', 'sx'];
const LESSONS = 3;
const perSubject = (video: number) => LESSONS * video + PDF; // the worksheet once
const perGrade = (video: number) => SUBJECTS.length * LESSONS * video + PDF;
const everything = (video: number) => GRADES.length * perGrade(video);

let tmp: string;
let nginx: Nginx;
let services: Services;

const fill = (name: string, size: number) => {
  const b = Buffer.alloc(size, name);
  b.write(name);
  return b;
};
const selection = async (parent: string | null) => {
  const r = await services.router.invoke('sync:selection', { parent });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const sizes = async (parent: string | null) => (await selection(parent)).nodes.map((n) => [n.title, n.bytes, n.cachedBytes]);
const configure = async (patch: { maxHeight: number }) => {
  const r = await services.router.invoke('sync:configure', patch);
  if (!r.ok) throw new Error(r.error.message);
};

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-shared-'));
  const nodes: ShardNode[] = [{ id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 }];
  const resources: ShardResource[] = [];
  const blobs: { source: Buffer }[] = [];
  for (const [gi, g] of GRADES.entries()) {
    nodes.push({ id: g, parent: 'xx', kind: 'grade', title: g, order: gi });
    const pdf = fill(`${g}-学习任务单`, PDF);
    blobs.push({ source: pdf });
    for (const [si, s] of SUBJECTS.entries()) {
      nodes.push({ id: `${g}-${s}`, parent: g, kind: 'subject', title: `${g}-${s}`, order: si });
      for (let l = 0; l < LESSONS; l++) {
        const id = `${g}-${s}-${l}`;
        nodes.push({ id, parent: `${g}-${s}`, kind: 'lesson', title: id, order: l });
        const [hd, sd] = [fill(`${id}-720`, HD), fill(`${id}-360`, SD)];
        blobs.push({ source: hd }, { source: sd });
        resources.push(
          {
            id: `v-${id}`,
            node: id,
            type: 'video',
            title: `视频${id}`,
            files: [
              { role: 'main', sha256: sha256Hex(hd), size: HD, mime: 'video/mp4', height: 720 },
              { role: 'main', sha256: sha256Hex(sd), size: SD, mime: 'video/mp4', height: 360 },
            ],
          },
          { id: `p-${id}`, node: id, type: 'pdf', title: `学习任务单${id}`, files: [{ role: 'main', sha256: sha256Hex(pdf), size: PDF, mime: 'application/pdf' }] },
        );
      }
    }
  }
  const www = path.join(tmp, 'www');
  await writeFeed(path.join(www, 'feed'), { id: F, title: '共享文件', revision: 1, signingKey: key, shards: [{ path: 'shards/a.json', nodes, resources }], blobs });
  nginx = await startNginx(www);
  services = hubServices(path.join(tmp, 'data'));
  await services.importFeed(`${nginx.url}feed/feed.json`, { keys: { [key.keyId]: key.publicKey } });
  await configure({ maxHeight: 720 });
});
afterAll(async () => {
  services?.close();
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a file shared by many lessons', () => {
  it('counts once in the tree, the totals, and the queue before any sync', async () => {
    const root = await selection(null);
    // Before: 12 worksheets (one per lesson) instead of 2, so "全部保存" read more than "待下载" for the same files.
    expect(root).toMatchObject({ everything: true, totalBytes: everything(HD), keptBytes: everything(HD) });
    expect(root.nodes).toEqual([expect.objectContaining({ title: '小学', bytes: everything(HD), cachedBytes: 0 })]);
    expect(await sizes(`${F}/xx`)).toEqual([
      ['g1', perGrade(HD), 0],
      ['g2', perGrade(HD), 0],
    ]);
    expect(await sizes(`${F}/g1`)).toEqual([
      ['g1-yw', perSubject(HD), 0],
      ['g1-sx', perSubject(HD), 0],
    ]);
    const queued = (await services.sync.status()).queued;
    expect(queued).toEqual({ files: GRADES.length * (SUBJECTS.length * LESSONS + 1), bytes: root.totalBytes });
  });

  it('shows an unticked subject as its own videos and one worksheet, and a favourite there once', async () => {
    await services.router.invoke('sync:keep', { ids: [`${F}/g1-yw`, `${F}/g2-yw`], keep: true });
    const kept = everything(HD) - GRADES.length * LESSONS * HD; // 语文 of both grades, worksheets included
    expect((await selection(null)).keptBytes).toBe(kept);
    expect((await services.sync.status()).queued.bytes).toBe(kept);
    // Two favourite lessons in the unticked 数学: their videos, and the worksheet 语文 already keeps, once.
    for (const l of [0, 1]) await services.router.invoke('library:favourite', { id: `${F}/p-g1-sx-${l}`, favourite: true });
    for (const l of [0, 1]) await services.router.invoke('library:favourite', { id: `${F}/v-g1-sx-${l}`, favourite: true });
    try {
      const g1 = await selection(`${F}/g1`);
      expect(g1.nodes.map((n) => [n.title, n.keep, n.alwaysBytes])).toEqual([
        ['g1-yw', 'all', 0],
        ['g1-sx', 'none', 2 * HD + PDF],
      ]);
      expect(g1.keptBytes).toBe(kept + 2 * HD);
      expect((await selection(`${F}/xx`)).nodes[0]).toMatchObject({ title: 'g1', alwaysBytes: 2 * HD + PDF });
    } finally {
      for (const id of ['p', 'v'].flatMap((k) => [0, 1].map((l) => `${F}/${k}-g1-sx-${l}`))) await services.router.invoke('library:favourite', { id, favourite: false });
    }
  });

  it('after the sync, downloaded never exceeds selected, and both match the summary and the disk', async () => {
    const summary = await syncAll(services, { maxHeight: 720 });
    expect(summary.failed).toEqual([]);
    const kept = everything(HD) - GRADES.length * LESSONS * HD;
    expect(summary.downloaded).toEqual({ files: GRADES.length * (LESSONS + 1), bytes: kept });
    const root = await selection(null);
    expect(root.keptBytes).toBe(kept);
    // Before: 小学 read more downloaded than selected, and more than the disk holds.
    expect(root.nodes[0]).toMatchObject({ bytes: everything(HD), cachedBytes: kept });
    // The disk: these files and the catalog's shard.
    const shards = services.db.prepare('SELECT sum(size) FROM blobs WHERE sha256 IN (SELECT sha256 FROM shards)').pluck().get() as number;
    expect(services.blobs.totals().bytes - shards).toBe(kept);
    // Before: an unticked subject never downloaded read a third downloaded (its lessons' worksheets, each counted).
    expect(await sizes(`${F}/g1`)).toEqual([
      ['g1-yw', perSubject(HD), perSubject(HD)],
      ['g1-sx', perSubject(HD), PDF],
    ]);
    expect((await services.sync.status()).queued).toEqual({ files: 0, bytes: 0 });
  });

  it('plans a night within its budget counting the worksheet once', async () => {
    // A classroom with nothing yet: a budget of exactly the night's files needs no lower rendition; before, each
    // lesson's worksheet was counted against it (12 for 2 files) and three lessons dropped to 360p.
    const fresh = hubServices(path.join(tmp, 'fresh'));
    try {
      await fresh.importFeed(`${nginx.url}feed/feed.json`, { keys: { [key.keyId]: key.publicKey } });
      const full = planFor(fresh, { maxHeight: 720 });
      const bytes = full.jobs.reduce((a, j) => a + j.size, 0);
      expect(bytes).toBe(everything(HD));
      expect(planFor(fresh, { maxHeight: 720, budgetBytes: bytes }).downgraded).toBe(0);
      // One byte short: one lesson, the least urgent, drops to 360p.
      expect(planFor(fresh, { maxHeight: 720, budgetBytes: bytes - 1 }).downgraded).toBe(1);
    } finally {
      fresh.close();
    }
  });
});

describe('a lower rendition chosen with the higher one on disk', () => {
  it('keeps the 720p copies it has, and fetches 360p only for lessons without them', async () => {
    await configure({ maxHeight: 360 });
    const kept = everything(HD) - GRADES.length * LESSONS * HD; // 语文 at 720p, as on disk
    // The 720p files play and the lessons are ready: nothing is fetched for them, and the tree says they are here.
    expect(planFor(services, { maxHeight: 360 }).jobs).toEqual([]);
    expect((await services.sync.status()).queued).toEqual({ files: 0, bytes: 0 });
    const root = await selection(null);
    expect(root.keptBytes).toBe(kept);
    expect(root.nodes[0]).toMatchObject({ cachedBytes: kept, bytes: kept + GRADES.length * LESSONS * SD });
    expect(await sizes(`${F}/g1`)).toEqual([
      ['g1-yw', perSubject(HD), perSubject(HD)],
      ['g1-sx', perSubject(SD), PDF], // not on disk: at the new height
    ]);
    // Ticking 数学 queues its lessons at 360p; the figures still add up.
    await services.router.invoke('sync:keep', { ids: [`${F}/g1-sx`], keep: true });
    const queued = (await services.sync.status()).queued;
    expect(queued).toEqual({ files: LESSONS, bytes: LESSONS * SD });
    const after = await selection(null);
    expect(after.keptBytes).toBe(after.nodes[0]!.cachedBytes + queued.bytes);
    await services.router.invoke('sync:keep', { ids: [`${F}/g1-sx`], keep: false });
    await configure({ maxHeight: 720 });
  });
});
