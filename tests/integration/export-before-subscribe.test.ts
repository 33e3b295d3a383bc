// A classroom with no network imports a teacher's USB stick (`classboard export`)
// as a feed of its own, and subscribes to the platform feed its lessons come from
// the next day (here through the school hub, nginx serving the demo feed). The
// stick's copy is folded into the subscription, as when the stick comes second:
// each lesson shows once, nothing is fetched again, and what the teacher made on
// the stick's copy (favourite, timetable, plan, ink) now points at the lesson.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../main/services';
import { exportFeed } from '../../main/sync/export';
import { syncAll } from '../../main/sync/engine';
import { generateSigningKey } from '../../main/feed/keys';
import { reviseDemoFeed, sha256, writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices, withServices } from '../fixtures/services';

const DEMO = 'cn.classboard.demo';
const OWN = 'cn.test.own';
const demoKey = JSON.parse(fs.readFileSync(path.resolve('assets/demo-feed.pub.json'), 'utf8')) as { keyId: string; publicKey: string };
const subscribe = (s: Services) => s.importFeed(hub.url, { keys: { [demoKey.keyId]: demoKey.publicKey } });

let tmp: string;
let board: Services;
let hub: Nginx;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-export-first-'));
  fs.cpSync(path.resolve('assets/demo-feed'), path.join(tmp, 'platform'), { recursive: true });
  hub = await startNginx(path.join(tmp, 'platform'));
  // The teacher's board: the demo feed with every file, and a feed of the teacher's own the platform does not have.
  board = hubServices(path.join(tmp, 'board'), 't');
  await board.ensureDemoLibrary();
  const key = generateSigningKey('own');
  await writeBlobFeed(path.join(tmp, 'own'), { id: OWN, title: '自制课件', key, blobs: [Buffer.from('own lesson video')], lesson: '自制课' });
  await board.importFeed(path.join(tmp, 'own'), { keys: { own: key.publicKey } });
});
afterAll(async () => {
  board?.close();
  await hub?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const classroom = <T>(name: string, fn: (s: Services) => Promise<T>): Promise<T> => withServices(path.join(tmp, name), fn);

async function call<T>(s: Services, channel: string, req: unknown): Promise<T> {
  const r = await (s.router.invoke as (c: string, q: unknown) => Promise<{ ok: boolean; value?: T }>)(channel, req);
  if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r)}`);
  return r.value as T;
}
const searchIds = async (s: Services, query: string) => (await call<{ results: { id: string }[] }>(s, 'library:search', { query })).results.map((r) => r.id).sort();
const rootTitles = async (s: Services) => (await call<{ nodes: { title: string }[] }>(s, 'library:tree', { parent: null })).nodes.map((n) => n.title);

describe('a USB stick imported before the subscription to its feed', () => {
  it('is folded into the subscription: each lesson once, nothing fetched again, the teacher’s favourite, timetable, plan and ink kept', async () => {
    const stick = await exportFeed(board, path.join(tmp, 'usb'), { nodes: [`${DEMO}/xx-4`] });
    await classroom('room', async (room) => {
      const own = await room.importFeed(stick.dir, { unsigned: true });
      expect(own).toMatchObject({ feedId: stick.id, outcome: 'applied' });
      const onStick = `${stick.id}/${DEMO}/l-sjxnjh-v1`;
      const lesson = `${DEMO}/l-sjxnjh-v1`;
      // Before the network: the admin keeps the stick's lessons; the teacher marks one, timetables it, plans it and draws on it.
      await room.sync.keep([`${stick.id}/${DEMO}/xx-4`], true);
      await call(room, 'library:favourite', { id: onStick, favourite: true });
      await call(room, 'timetable:set', { entries: [{ weekday: 3, period: 1, starts: '08:00', ends: '08:40', className: '四年级(1)班', resourceId: onStick }] });
      const plan = await call<{ id: number }>(room, 'plans:save', { title: '三角形', items: [{ kind: 'resource', resourceId: onStick }] });
      const stroke = { id: 's1', tool: 'pen', color: '#e53935', width: 4, points: [1, 2, 0.5, 3, 4, 0.5] };
      await call(room, 'annotations:add', { target: onStick, page: '1', stroke });

      const sub = await subscribe(room);
      expect(sub.folded).toEqual([{ exportId: stick.id, into: { id: DEMO, title: 'Classboard 示例资源库' }, resources: stick.resources, kept: 0, left: 0 }]);
      expect(room.db.prepare('SELECT id FROM feeds').pluck().all()).toEqual([DEMO]);
      // Each lesson once: in search, and one 小学 in the tree.
      expect(await searchIds(room, '三角形')).toEqual([`${DEMO}/l-sjxfl-rw`, lesson, `${DEMO}/l-sjxnjh-tu`].sort());
      expect((await rootTitles(room)).filter((t) => t === '小学')).toHaveLength(1);
      // What the teacher made on the stick's copy opens the subscribed lesson.
      const favourites = await call<{ items: { id: string; ready: boolean }[] }>(room, 'library:favourites', {});
      expect(favourites.items.map((f) => [f.id, f.ready])).toEqual([[lesson, true]]);
      expect(await call(room, 'library:open', { id: lesson })).toMatchObject({ id: lesson });
      const today = await call<{ lessons: { resource: { id: string; ready: boolean } | null }[] }>(room, 'timetable:today', { weekday: 3 });
      expect(today.lessons.map((l) => l.resource && [l.resource.id, l.resource.ready])).toEqual([[lesson, true]]);
      const planned = await call<{ items: { resourceId?: string; title: string | null }[] }>(room, 'plans:get', { id: plan.id });
      expect(planned.items).toMatchObject([{ resourceId: lesson, title: '三角形的内角和（第一课时）' }]);
      expect(await call(room, 'annotations:list', { target: lesson, page: '1' })).toEqual({ strokes: [stroke] });
      // The stick's files count for the subscription, and the lessons it kept stay kept: the night's sync fetches nothing.
      const run = await room.sync.runNow();
      expect(run.downloaded.files).toBe(0);
      expect(room.selection.keepsNode(`${DEMO}/l-sjxnjh`)).toBe(true);
      expect(room.selection.keepsNode(`${DEMO}/l-fs`)).toBe(false);
      expect(fs.existsSync(path.join(tmp, 'room', 'feeds', stick.id))).toBe(false);
      // The same stick again only fills the cache: no second copy, and no earlier copy left to remove.
      const again = await room.importFeed(stick.dir, { unsigned: true });
      expect(again.fromExport).toMatchObject({ feeds: [{ id: DEMO }] });
      expect(again.fromExport?.earlierFeed).toBeUndefined();
      expect(room.db.prepare('SELECT id FROM feeds').pluck().all()).toEqual([DEMO]);
    });
  });

  it('keeps the stick’s lessons the subscribed feed does not have', async () => {
    const stick = await exportFeed(board, path.join(tmp, 'usb-both'), { nodes: [`${DEMO}/xx-4`, `${OWN}/l`] });
    await classroom('room-both', async (room) => {
      await room.importFeed(stick.dir, { unsigned: true });
      const ownLesson = `${stick.id}/${OWN}/r0`;
      await call(room, 'library:favourite', { id: ownLesson, favourite: true });
      const sub = await subscribe(room);
      expect(sub.folded).toEqual([{ exportId: stick.id, into: { id: DEMO, title: 'Classboard 示例资源库' }, resources: stick.resources - 1, kept: 0, left: 1 }]);
      expect(await searchIds(room, '三角形')).toEqual([`${DEMO}/l-sjxfl-rw`, `${DEMO}/l-sjxnjh-v1`, `${DEMO}/l-sjxnjh-tu`].sort());
      expect(await searchIds(room, '自制课')).toEqual([ownLesson]);
      // The stick's tree keeps only its own lesson's branch: one 小学, the platform's.
      expect(await rootTitles(room)).toContain('自制课');
      expect((await rootTitles(room)).filter((t) => t === '小学')).toHaveLength(1);
      expect(room.db.prepare('SELECT resource_count, node_count FROM feeds WHERE id = ?').get(stick.id)).toEqual({ resource_count: 1, node_count: 1 });
      expect(await call(room, 'library:open', { id: ownLesson })).toMatchObject({ id: ownLesson, title: '第1课时' });
      expect((await call<{ items: { id: string }[] }>(room, 'library:favourites', {})).items.map((f) => f.id)).toEqual([ownLesson]);
    });
  });

  it('keeps the stick’s copy of a lesson the platform revised since the export: it still plays, the rest fold as before', async () => {
    // The platform put a new video in 三角形的内角和 after the teacher exported it.
    const key = generateSigningKey('platform-2');
    const dir = path.join(tmp, 'platform-revised');
    const newVideo = Buffer.from('三角形的内角和（第一课时）新版视频');
    const oldVideo = await reviseDemoFeed(dir, { key, resourceId: 'l-sjxnjh-v1', video: newVideo });
    const platform = await startNginx(dir);
    let up = true;

    const stick = await exportFeed(board, path.join(tmp, 'usb-revised'), { nodes: [`${DEMO}/xx-4`] });
    await classroom('room-revised', async (room) => {
      await room.importFeed(stick.dir, { unsigned: true });
      await room.sync.keep([`${stick.id}/${DEMO}/xx-4`], true);
      const onStick = `${stick.id}/${DEMO}/l-sjxnjh-v1`;
      await call(room, 'library:favourite', { id: onStick, favourite: true });
      await call(room, 'timetable:set', { entries: [{ weekday: 3, period: 1, starts: '08:00', ends: '08:40', className: '四年级(1)班', resourceId: onStick }] });

      const sub = await room.importFeed(platform.url, { keys: { [key.keyId]: key.publicKey } });
      // That night the platform does not answer: the revised video cannot come, and nothing the stick brought may go.
      await platform.stop();
      up = false;
      const run = await syncAll(room, { retries: 0, backoffMs: 0, hostWait: { ms: 0 }, floorBytes: 0 });

      // The teacher's lesson still plays from the stick's copy: ready, its video in the cache.
      expect(room.blobs.has(oldVideo)).toBe(true);
      expect(fs.existsSync(room.blobs.pathFor(oldVideo))).toBe(true);
      const favourites = await call<{ items: { id: string; ready: boolean }[] }>(room, 'library:favourites', {});
      expect(favourites.items.map((f) => [f.id, f.ready])).toEqual([[onStick, true]]);
      const today = await call<{ lessons: { resource: { id: string; ready: boolean } | null }[] }>(room, 'timetable:today', { weekday: 3 });
      expect(today.lessons.map((l) => l.resource && [l.resource.id, l.resource.ready])).toEqual([[onStick, true]]);
      // Only the revised video was to come; the unchanged lessons folded as before (their files counted, shown once).
      expect(run.failed.map((f) => f.sha256)).toEqual([sha256(newVideo)]);
      expect(sub.folded).toEqual([{ exportId: stick.id, into: { id: DEMO, title: 'Classboard 示例资源库' }, resources: stick.resources - 1, kept: 1, left: 0 }]);
      expect(await searchIds(room, '三角形')).toEqual([`${DEMO}/l-sjxfl-rw`, `${DEMO}/l-sjxnjh-v1`, `${DEMO}/l-sjxnjh-tu`, onStick].sort());
      expect(room.db.prepare('SELECT resource_count FROM feeds WHERE id = ?').pluck().get(stick.id)).toBe(1);
    }).finally(() => up && platform.stop());
  });
});

