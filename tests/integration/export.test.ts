// `classboard export` as a teacher uses it: a USB stick from one board's library,
// imported into another classroom's, on real SQLite files and real cached files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../main/services';
import { exportFeed } from '../../main/sync/export';
import { sha256Hex } from '../../main/feed/keys';
import { writeFeed } from '../../main/feed/write';
import { syncAll } from '../../main/sync/engine';
import { hubServices, withServices } from '../fixtures/services';

let tmp: string;
let board: Services;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-export-'));
  board = hubServices(path.join(tmp, 'board'), 't');
  await board.ensureDemoLibrary();
});
afterAll(() => {
  board.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A classroom's library, fresh, for the length of `fn`. */
const classroom = <T>(name: string, fn: (s: Services) => Promise<T>): Promise<T> => withServices(path.join(tmp, name), fn);

const filesOf = (s: Services, resourceId: string) =>
  s.db.prepare('SELECT f.role, f.sha256, f.height FROM resource_files f JOIN resources r ON r.rid = f.rid WHERE r.id = ? ORDER BY f.idx').all(resourceId) as { role: string; sha256: string; height: number | null }[];

describe('export', () => {
  it('gives each selection its own feed id, the same one again when the same selection is exported again', async () => {
    const sx = await exportFeed(board, path.join(tmp, 'usb-sx'), { nodes: ['cn.classboard.demo/xx-4'] });
    const yw = await exportFeed(board, path.join(tmp, 'usb-yw'), { nodes: ['cn.classboard.demo/xx-3'] });
    const both = await exportFeed(board, path.join(tmp, 'usb-both'), { nodes: ['cn.classboard.demo/xx-3', 'cn.classboard.demo/xx-4'] });
    const bothReversed = await exportFeed(board, path.join(tmp, 'usb-both-2'), { nodes: ['cn.classboard.demo/xx-4', 'cn.classboard.demo/xx-3', 'cn.classboard.demo/xx-4'] });
    const all = await exportFeed(board, path.join(tmp, 'usb-all'), {});
    expect(sx.id).toMatch(/^classboard\.export\.[0-9a-f]{8,}$/);
    expect(bothReversed.id).toBe(both.id);
    expect(new Set([sx.id, yw.id, both.id, all.id]).size).toBe(4);
    expect((await exportFeed(board, path.join(tmp, 'usb-named'), { nodes: ['cn.classboard.demo/xx-4'], id: 'usb.shuxue' })).id).toBe('usb.shuxue');
    const index = JSON.parse(fs.readFileSync(path.join(tmp, 'usb-sx', 'feed.json'), 'utf8'));
    expect(index.id).toBe(sx.id);
    // Another teacher's board exporting the very same volume (or everything, with the defaults) makes another feed.
    const other = hubServices(path.join(tmp, 'other-board'), 't');
    try {
      await other.ensureDemoLibrary();
      const theirs = await exportFeed(other, path.join(tmp, 'usb-other-sx'), { nodes: ['cn.classboard.demo/xx-4'] });
      const theirAll = await exportFeed(other, path.join(tmp, 'usb-other-all'), {});
      expect(theirs.id).not.toBe(sx.id);
      expect(theirAll.id).not.toBe(all.id);
      expect((await exportFeed(other, path.join(tmp, 'usb-other-sx-2'), { nodes: ['cn.classboard.demo/xx-4'] })).id).toBe(theirs.id);
    } finally {
      other.close();
    }

    await classroom('room-a', async (room) => {
      // A second teacher's stick is another feed: the first one's lessons stay.
      const first = await room.importFeed(path.join(tmp, 'usb-sx'), { unsigned: true });
      const second = await room.importFeed(path.join(tmp, 'usb-yw'), { unsigned: true });
      expect(first).toMatchObject({ feedId: sx.id, removed: 0 });
      expect(second).toMatchObject({ feedId: yw.id, removed: 0 });
      const feeds = room.db.prepare('SELECT id, resource_count AS n FROM feeds ORDER BY id').all() as { id: string; n: number }[];
      expect(feeds.map((f) => f.id).sort()).toEqual([sx.id, yw.id].sort());
      expect(feeds.find((f) => f.id === sx.id)!.n).toBe(sx.resources);
      // The same selection exported again (to the same stick, within the same second) updates that feed instead of adding a copy.
      const again = await exportFeed(board, path.join(tmp, 'usb-sx'), { nodes: ['cn.classboard.demo/xx-4'] });
      expect(again.id).toBe(sx.id);
      const updated = await room.importFeed(path.join(tmp, 'usb-sx'), { unsigned: true });
      expect(updated).toMatchObject({ feedId: sx.id, outcome: 'applied', removed: 0 });
      expect((room.db.prepare('SELECT count(*) FROM feeds').pluck().get() as number)).toBe(2);
    });
  });

  it('takes only what is downloaded: a lesson without its main file is left out, a missing poster or rendition is not listed', async () => {
    const id = (local: string) => `cn.classboard.demo/${local}`;
    const drop = (sha: string) => fs.rmSync(board.blobs.pathFor(sha));
    // 三角形的内角和（第一课时）: its video never came. 大青树下的小学（第一课时）: its 720p rendition and its poster never came.
    const video = filesOf(board, id('l-sjxnjh-v1'));
    drop(video.find((f) => f.role === 'main')!.sha256);
    const dqs = filesOf(board, id('l-dqs-v1'));
    const kept = dqs.find((f) => f.role === 'main' && f.height === 360)!;
    drop(dqs.find((f) => f.role === 'main' && f.height === 720)!.sha256);
    drop(dqs.find((f) => f.role === 'poster')!.sha256);

    const total = board.db.prepare('SELECT count(*) FROM resources').pluck().get() as number;
    const r = await exportFeed(board, path.join(tmp, 'usb-partial'), {});
    expect(r).toMatchObject({ resources: total - 1, leftOut: 1, missing: 2 });

    await classroom('room-b', async (room) => {
      const imported = await room.importFeed(path.join(tmp, 'usb-partial'), { unsigned: true });
      expect(imported).toMatchObject({ feedId: r.id, resources: total - 1, blobs: { missing: 0, rejected: 0 } });
      // Every file the classroom lists is in its cache, so its nightly sync has nothing it cannot fetch.
      const files = room.db.prepare('SELECT sha256 FROM resource_files').pluck().all() as string[];
      expect(files.length).toBeGreaterThan(0);
      for (const sha of files) expect(room.blobs.has(sha)).toBe(true);
      expect(filesOf(room, `${r.id}/${id('l-dqs-v1')}`)).toEqual([{ role: 'main', sha256: kept.sha256, height: 360 }]);
      expect(filesOf(room, `${r.id}/${id('l-sjxnjh-v1')}`)).toEqual([]);
      const found = await room.router.invoke('library:search', { query: '三角形的内角和' });
      expect(found.ok && found.value.results.map((x) => x.title)).toEqual(['三角形的内角和·板书图']);
      const night = await syncAll(room, { retries: 0 });
      expect(night.failed).toEqual([]);
    });
  });

  it('a cached file damaged since it came is taken out of the cache and its lesson left out: the stick lists only what it holds', async () => {
    const data = path.join(tmp, 'board-rot');
    await withServices(data, async (s) => {
      await s.ensureDemoLibrary();
      const pdf = s.db.prepare("SELECT r.id, f.sha256 FROM resource_files f JOIN resources r ON r.rid = f.rid WHERE r.type = 'pdf' AND f.role = 'main' LIMIT 1").get() as { id: string; sha256: string };
      // A bad sector: one byte of the cached copy changed.
      const file = s.blobs.pathFor(pdf.sha256);
      const bytes = fs.readFileSync(file);
      bytes[10]! ^= 0xff;
      fs.writeFileSync(file, bytes);
      const stick = path.join(tmp, 'usb-rot');
      const r = await exportFeed(s, stick, {});
      expect(r.damaged).toBe(1);
      expect(s.blobs.has(pdf.sha256)).toBe(false); // the next sync fetches it again
      // Before: copied under the hash it had, listed under the one it should have; the classroom's import said the stick lacked it.
      const listed = new Set((JSON.parse(fs.readFileSync(path.join(stick, 'shards/export.json'), 'utf8')) as { resources: { id: string; files: { sha256: string }[] }[] }).resources.flatMap((x) => x.files.map((f) => f.sha256)));
      const held = fs.readdirSync(path.join(stick, 'blobs')).flatMap((d) => fs.readdirSync(path.join(stick, 'blobs', d)));
      expect(held.sort()).toEqual([...listed].sort());
      expect(listed.has(pdf.sha256)).toBe(false);
      await classroom('room-rot', async (room) => {
        const imp = await room.importFeed(stick, { unsigned: true });
        expect(imp.blobs).toMatchObject({ missing: 0, rejected: 0 });
      });
    });
  });

  it('copies again a file a stick pulled mid-copy left short, on the next export to the same folder', async () => {
    const stick = path.join(tmp, 'usb-short');
    await exportFeed(board, stick, { nodes: ['cn.classboard.demo/xx-4'] });
    const [dir] = fs.readdirSync(path.join(stick, 'blobs'));
    const [name] = fs.readdirSync(path.join(stick, 'blobs', dir!));
    const file = path.join(stick, 'blobs', dir!, name!);
    const whole = fs.readFileSync(file);
    fs.truncateSync(file, 100);
    // Before: kept because its name was there, and every import refused it as incomplete.
    await exportFeed(board, stick, { nodes: ['cn.classboard.demo/xx-4'] });
    expect(fs.readFileSync(file).equals(whole)).toBe(true);
  });

  it('refuses an unusable signing key before copying anything', async () => {
    const stick = path.join(tmp, 'usb-badkey');
    // A 64-byte key (a whole key pair pasted where the seed goes): before, every file was copied first, then
    // feed.json written naming the key with no signature beside it, and the classroom told the stick was unsigned.
    const bad = { keyId: 'teacher-1', privateKey: Buffer.alloc(64, 7).toString('base64') };
    await expect(exportFeed(board, stick, { signingKey: bad })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/32 字节/) });
    expect(fs.existsSync(stick) ? fs.readdirSync(stick) : []).toEqual([]);
  });

  it("keeps each lesson's resources in the lesson's order, also one the platform inserted later", async () => {
    const src = path.join(tmp, 'order-src');
    const bytes = (n: number) => Buffer.alloc(500, n);
    const res = (id: string, title: string, n: number) => ({ id, node: 'l1', type: 'pdf' as const, title, files: [{ role: 'main' as const, sha256: sha256Hex(bytes(n)), size: 500, mime: 'application/pdf' }] });
    const nodes = [
      { id: 'xx', parent: null, kind: 'stage' as const, title: '小学', order: 1 },
      { id: 'l1', parent: 'xx', kind: 'lesson' as const, title: '课', order: 1 },
    ];
    const publish = (revision: number, list: ReturnType<typeof res>[]) =>
      writeFeed(src, { id: 'cn.test.order', title: '顺序', revision, shards: [{ path: 'shards/a.json', nodes, resources: list }], blobs: [1, 2, 3].map((n) => ({ source: bytes(n) })) });
    const order = (s: Services) => s.db.prepare("SELECT title FROM resources WHERE feed_id = ? ORDER BY ord").pluck().all(s.db.prepare("SELECT feed_id FROM resources WHERE title = '2 学习任务单'").pluck().get());
    await withServices(path.join(tmp, 'board-order'), async (s) => {
      await publish(1, [res('a', '1 课件', 1), res('c', '3 练习', 3)]);
      await s.importFeed(src, { unsigned: true });
      await publish(2, [res('a', '1 课件', 1), res('b', '2 学习任务单', 2), res('c', '3 练习', 3)]);
      await s.importFeed(src, { unsigned: true });
      expect(order(s)).toEqual(['1 课件', '2 学习任务单', '3 练习']);
      await exportFeed(s, path.join(tmp, 'usb-order'), {});
    });
    // Before: in the order they came in (1, 3, 2) on the classroom that imports the stick.
    await classroom('room-order', async (room) => {
      await room.importFeed(path.join(tmp, 'usb-order'), { unsigned: true });
      expect(order(room)).toEqual(['1 课件', '2 学习任务单', '3 练习']);
    });
  });

  it('refuses a selection with nothing downloaded rather than writing an empty stick', async () => {
    // 三角形的内角和's video is gone (above); take its board picture too.
    const picture = filesOf(board, 'cn.classboard.demo/l-sjxnjh-tu').find((f) => f.role === 'main')!;
    fs.rmSync(board.blobs.pathFor(picture.sha256));
    await expect(exportFeed(board, path.join(tmp, 'usb-empty'), { nodes: ['cn.classboard.demo/l-sjxnjh'] })).rejects.toThrow(/尚未下载/);
    expect(fs.existsSync(path.join(tmp, 'usb-empty', 'feed.json'))).toBe(false);
  });
});
