// `classboard export` as a teacher uses it: a USB stick from one board's library,
// imported into another classroom's, on real SQLite files and real cached files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../main/services';
import { exportFeed } from '../../main/sync/export';
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

  it('refuses a selection with nothing downloaded rather than writing an empty stick', async () => {
    // 三角形的内角和's video is gone (above); take its board picture too.
    const picture = filesOf(board, 'cn.classboard.demo/l-sjxnjh-tu').find((f) => f.role === 'main')!;
    fs.rmSync(board.blobs.pathFor(picture.sha256));
    await expect(exportFeed(board, path.join(tmp, 'usb-empty'), { nodes: ['cn.classboard.demo/l-sjxnjh'] })).rejects.toThrow(/尚未下载/);
    expect(fs.existsSync(path.join(tmp, 'usb-empty', 'feed.json'))).toBe(false);
  });
});
