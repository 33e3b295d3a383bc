// A teacher's USB stick (`classboard export`) brought to a classroom that already
// subscribes to the platform feed its lessons come from (through the school hub,
// here nginx serving the demo feed): the stick fills the cache, checked against
// the subscribed catalog, and adds no second copy of the lessons.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../main/services';
import { exportFeed } from '../../main/sync/export';
import { generateSigningKey } from '../../main/feed/keys';
import { FeedIndex } from '../../main/feed/schema';
import { sha256 } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices, withServices } from '../fixtures/services';

const DEMO = 'cn.classboard.demo';
const demoKey = JSON.parse(fs.readFileSync(path.resolve('assets/demo-feed.pub.json'), 'utf8')) as { keyId: string; publicKey: string };

let tmp: string;
let board: Services;
let hub: Nginx;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-export-sub-'));
  // The platform feed as the school hub serves it.
  fs.cpSync(path.resolve('assets/demo-feed'), path.join(tmp, 'platform'), { recursive: true });
  hub = await startNginx(path.join(tmp, 'platform'));
  // The teacher's board: the same feed with every file downloaded.
  board = hubServices(path.join(tmp, 'board'), 't');
  await board.ensureDemoLibrary();
});
afterAll(async () => {
  board?.close();
  await hub?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A classroom subscribed to the platform through the hub: its catalog, none of its files yet. */
const classroom = <T>(name: string, fn: (s: Services) => Promise<T>, subscribed = true): Promise<T> =>
  withServices(path.join(tmp, name), async (s) => {
    if (subscribed) await s.importFeed(hub.url, { keys: { [demoKey.keyId]: demoKey.publicKey } });
    return fn(s);
  });

const count = (s: Services, sql: string) => s.db.prepare(sql).pluck().get() as number;
const search = async (s: Services, query: string) => {
  const r = await s.router.invoke('library:search', { query });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value.results.map((x) => x.id);
};
/** The blob files a stick carries. */
const stickBlobs = (dir: string) =>
  fs.readdirSync(path.join(dir, 'blobs')).flatMap((aa) => fs.readdirSync(path.join(dir, 'blobs', aa)).map((name) => path.join(dir, 'blobs', aa, name)));
/** Anything half-written left in the cache folder. */
const partFiles = (s: Services) => (fs.readdirSync(s.blobs.root, { recursive: true }) as string[]).filter((f) => f.endsWith('.part'));

describe('an export of lessons from a feed the classroom subscribes to', () => {
  it('says where its lessons came from in feed.json', async () => {
    const r = await exportFeed(board, path.join(tmp, 'usb-origin'), { nodes: [`${DEMO}/xx-4`] });
    const index = FeedIndex.parse(JSON.parse(fs.readFileSync(path.join(r.dir, 'feed.json'), 'utf8')));
    expect(index.origins).toEqual([{ id: DEMO, title: 'Classboard 示例资源库', revision: 1 }]);
    // Optional (a platform feed has none) and checked like every other field.
    const { origins: _, ...plain } = index;
    expect(FeedIndex.safeParse(plain).success).toBe(true);
    expect(FeedIndex.safeParse({ ...plain, origins: [{ id: 'Not An Id', title: 'x' }] }).success).toBe(false);
  });

  it('fills the cache from an unsigned stick and adds no second copy of its lessons', async () => {
    const stick = await exportFeed(board, path.join(tmp, 'usb-sx'), { nodes: [`${DEMO}/xx-4`] });
    await classroom('room-a', async (room) => {
      const resources = count(room, 'SELECT count(*) FROM resources');
      const found = await search(room, '三角形的内角和');
      expect(found.length).toBeGreaterThan(0);
      expect(count(room, 'SELECT count(*) FROM blobs')).toBeLessThan(stick.files);

      const r = await room.importFeed(stick.dir, { unsigned: true });
      // The lessons once, from the subscribed feed; no export feed beside it.
      expect(room.db.prepare('SELECT id FROM feeds').pluck().all()).toEqual([DEMO]);
      expect(count(room, 'SELECT count(*) FROM resources')).toBe(resources);
      expect(await search(room, '三角形的内角和')).toEqual(found);
      expect(r).toMatchObject({ feedId: DEMO, outcome: 'unchanged', added: 0, blobs: { copied: stick.files, rejected: 0 } });
      expect(r.fromExport).toMatchObject({ exportId: stick.id, feeds: [{ id: DEMO, title: 'Classboard 示例资源库' }], ignored: 0, noRoom: 0 });
      // Every file of the exported lessons is in the cache and listed there, under its own hash.
      const files = room.db
        .prepare(`SELECT DISTINCT f.sha256 FROM resource_files f JOIN resources r ON r.rid = f.rid JOIN nodes n ON n.id = r.node_id WHERE n.id LIKE '${DEMO}/%'`)
        .pluck()
        .all() as string[];
      for (const file of stickBlobs(stick.dir)) {
        const sha = path.basename(file);
        expect(files).toContain(sha);
        expect(room.blobs.has(sha)).toBe(true);
        expect(sha256(fs.readFileSync(room.blobs.pathFor(sha)))).toBe(sha);
        expect(count(room, `SELECT count(*) FROM blobs WHERE sha256 = '${sha}'`)).toBe(1);
      }
      // The same stick again: nothing more to copy.
      const again = await room.importFeed(stick.dir, { unsigned: true });
      expect(again.blobs).toMatchObject({ copied: 0, present: stick.files });
      expect(room.db.prepare('SELECT id FROM feeds').pluck().all()).toEqual([DEMO]);
    });
  });

  it('takes a signed stick without its key, refuses a half-copied file and ignores one the catalog does not list', async () => {
    const key = generateSigningKey('teacher-wang');
    const stick = await exportFeed(board, path.join(tmp, 'usb-yw'), { nodes: [`${DEMO}/xx-3`], signingKey: key });
    expect(fs.existsSync(path.join(stick.dir, 'feed.json.sig'))).toBe(true);
    const files = stickBlobs(stick.dir).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
    // The stick was pulled out while its biggest file was being copied.
    const tornFile = files[0]!;
    fs.truncateSync(tornFile, Math.floor(fs.statSync(tornFile).size / 2));
    // And someone put a file of their own beside the lessons'.
    const stray = Buffer.from('不是课程的文件 / not a lesson');
    fs.mkdirSync(path.join(stick.dir, 'blobs', sha256(stray).slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(stick.dir, 'blobs', sha256(stray).slice(0, 2), sha256(stray)), stray);

    await classroom('room-b', async (room) => {
      const resources = count(room, 'SELECT count(*) FROM resources');
      // No --unsigned, no --key: the files are checked against the subscribed feed's own catalog.
      const r = await room.importFeed(stick.dir);
      expect(room.db.prepare('SELECT id FROM feeds').pluck().all()).toEqual([DEMO]);
      expect(count(room, 'SELECT count(*) FROM resources')).toBe(resources);
      expect(r.blobs).toMatchObject({ copied: stick.files - 1, rejected: 1 });
      // Named, so the teacher knows which lessons to copy again on the board they came from.
      const torn = room.db
        .prepare(`SELECT DISTINCT r.title FROM resource_files f JOIN resources r ON r.rid = f.rid WHERE f.sha256 = ? ORDER BY r.title`)
        .pluck()
        .all(path.basename(tornFile));
      expect(torn.length).toBeGreaterThan(0);
      expect(r.blobs.incomplete).toEqual(torn);
      expect(r.fromExport).toMatchObject({ ignored: 1 });
      expect(room.blobs.has(path.basename(tornFile))).toBe(false);
      expect(count(room, `SELECT count(*) FROM blobs WHERE sha256 = '${path.basename(tornFile)}'`)).toBe(0);
      expect(room.blobs.has(sha256(stray))).toBe(false);
      expect(partFiles(room)).toEqual([]);
    });
  });

  it('keeps within the cache quota as the sync does', async () => {
    const stick = await exportFeed(board, path.join(tmp, 'usb-quota'), { nodes: [`${DEMO}/xx-4`] });
    await classroom('room-c', async (room) => {
      const before = count(room, 'SELECT count(*) FROM blobs');
      const r = await room.importFeed(stick.dir, { room: { quotaBytes: room.blobs.totals().bytes } });
      expect(r.blobs.copied).toBe(0);
      expect(r.fromExport?.noRoom).toBe(stick.files);
      expect(count(room, 'SELECT count(*) FROM blobs')).toBe(before);
      expect(room.db.prepare('SELECT id FROM feeds').pluck().all()).toEqual([DEMO]);
    });
  });

  it('is imported as its own feed where the classroom does not subscribe to its origin', async () => {
    const stick = await exportFeed(board, path.join(tmp, 'usb-elsewhere'), { nodes: [`${DEMO}/xx-4`] });
    await classroom(
      'room-d',
      async (room) => {
        const r = await room.importFeed(stick.dir, { unsigned: true });
        expect(r).toMatchObject({ feedId: stick.id, outcome: 'applied', resources: stick.resources, blobs: { copied: stick.files } });
        expect(r.fromExport).toBeUndefined();
        expect(room.db.prepare('SELECT id FROM feeds').pluck().all()).toEqual([stick.id]);
        // Then the classroom subscribes through the hub: the stick's copy is folded in (export-before-subscribe.test.ts),
        // and the same stick again only fills the cache, with no earlier copy left to remove.
        await room.importFeed(hub.url, { keys: { [demoKey.keyId]: demoKey.publicKey } });
        const again = await room.importFeed(stick.dir, { unsigned: true });
        expect(again.fromExport).toMatchObject({ feeds: [{ id: DEMO }] });
        expect(again.fromExport?.earlierFeed).toBeUndefined();
        expect(room.db.prepare('SELECT id FROM feeds ORDER BY id').pluck().all()).toEqual([DEMO]);
      },
      false,
    );
  });
});
