// The README has a school's IT admin run `classboard feeds add`, `keep`,
// `unkeep` and `feeds remove` on a running hub's data folder: another process,
// another connection to the same library. The running hub's tree counts, its
// sync page's queue and today's lessons follow at once, not after a restart
// (before: the tree showed the new stage with 0 个资源 and the sync page said
// everything was downloaded, from caches only the hub's own writes cleared).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../main/feed/keys';
import { writeFeed } from '../../main/feed/write';
import { layoutTreeCounts } from '../../main/library/search';
import { createServices, type Services } from '../../main/services';
import { hubServices } from '../fixtures/services';

const A = 'cn.test.primary';
const B = 'cn.test.junior';
let tmp: string;
let data: string;
let hub: Services;

const here = Buffer.alloc(2000, 1);
const notYet1 = Buffer.alloc(3000, 2);
const notYet2 = Buffer.alloc(4000, 3);
const file = (b: Buffer) => [{ role: 'main', sha256: sha256Hex(b), size: b.length, mime: 'application/pdf' }];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-other-process-'));
  data = path.join(tmp, 'data');
  await writeFeed(path.join(tmp, 'a'), {
    id: A,
    title: '小学',
    revision: 1,
    shards: [
      {
        path: 'shards/a.json',
        nodes: [
          { id: 's', parent: null, kind: 'stage', title: '小学', order: 1 },
          { id: 'l', parent: 's', kind: 'lesson', title: '春', order: 1 },
        ],
        resources: [{ id: 'a1', node: 'l', type: 'pdf', title: '春 课件', files: file(here) }],
      },
    ],
    blobs: [{ source: here }],
  });
  // Its files are not in the folder: the night fetches them (as from a feed on nginx).
  await writeFeed(path.join(tmp, 'b'), {
    id: B,
    title: '初中',
    revision: 1,
    shards: [
      {
        path: 'shards/a.json',
        nodes: [
          { id: 's', parent: null, kind: 'stage', title: '初中', order: 2 },
          { id: 'u', parent: 's', kind: 'unit', title: '第一单元', order: 1 },
          { id: 'l', parent: 'u', kind: 'lesson', title: '背影', order: 1 },
          // A lesson of its own: a timetabled period keeps its whole lesson, so unkeeping the stage leaves this one only.
          { id: 'l2', parent: 'u', kind: 'lesson', title: '背影（练习课）', order: 2 },
        ],
        resources: [
          { id: 'b1', node: 'l', type: 'pdf', title: '背影 课件', files: file(notYet1) },
          { id: 'b2', node: 'l2', type: 'pdf', title: '背影 练习', files: file(notYet2) },
        ],
      },
    ],
    blobs: [],
  });
  // As `classboard hub` builds its services: the catalog's layout warmed in a worker.
  hub = createServices({ dataDir: data, host: 'hub', mediaBase: '/media/', assetsDir: path.resolve('assets'), version: 't', warmAtStart: true });
  await hub.importFeed(path.join(tmp, 'a'), { unsigned: true });
  // Monday's first period is a lesson of the catalog not subscribed yet.
  await get(
    hub.router.invoke('timetable:set', {
      entries: [
        { weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '七(1)班', resourceId: `${B}/b1` },
        { weekday: 1, period: 2, starts: '09:00', ends: '09:40', className: '一(2)班', resourceId: `${A}/a1` },
      ],
    }),
  );
});
afterAll(() => {
  hub.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function get<T>(p: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
}

/** A CLI command on the hub's data folder: its own services and connection, gone when done. */
async function elsewhere(fn: (admin: Services) => unknown): Promise<void> {
  const admin = hubServices(data, 't');
  try {
    await fn(admin);
  } finally {
    admin.close();
  }
}

const roots = async () =>
  (await get<{ nodes: { title: string; resourceCount: number; childCount: number }[] }>(hub.router.invoke('library:tree', { parent: null }))).nodes.map((n) => [
    n.title,
    n.resourceCount,
  ]);
const queued = async () => (await get<{ queued: { files: number; bytes: number } }>(hub.router.invoke('sync:status', {}))).queued;
const monday = async () =>
  (await get<{ lessons: { period: number; resource: { id: string; ready: boolean } | null }[] }>(hub.router.invoke('timetable:today', { weekday: 1 }))).lessons.map((l) => [
    l.period,
    l.resource && [l.resource.id, l.resource.ready],
  ]);

describe('a running hub, while the admin changes its library from the command line', () => {
  it('shows a feed added, a node kept or not, and a feed removed, without a restart', async () => {
    // What the hub has shown (and cached) before the admin's commands.
    expect(await roots()).toEqual([['小学', 1]]);
    expect(await queued()).toEqual({ files: 0, bytes: 0 });
    expect(await monday()).toEqual([
      [1, null],
      [2, [`${A}/a1`, true]],
    ]);

    // `classboard --data <hub data> feeds add <folder>`
    await elsewhere((admin) => admin.importFeed(path.join(tmp, 'b'), { unsigned: true }));
    expect(await roots()).toEqual([
      ['小学', 1],
      ['初中', 2],
    ]);
    // Counted from a layout rebuilt in the worker, not on the hub's thread.
    expect(layoutTreeCounts(hub.db)).not.toBeNull();
    const stage = await get<{ nodes: { title: string; resourceCount: number }[] }>(hub.router.invoke('library:tree', { parent: `${B}/s` }));
    expect(stage.nodes.map((n) => [n.title, n.resourceCount])).toEqual([['第一单元', 2]]);
    expect(await queued()).toEqual({ files: 2, bytes: 7000 });
    expect(await monday()).toEqual([
      [1, [`${B}/b1`, false]],
      [2, [`${A}/a1`, true]],
    ]);
    const found = await get<{ total: number }>(hub.router.invoke('library:search', { query: '背影' }));
    expect(found.total).toBe(2);

    // `classboard unkeep <stage>`: only the timetabled lesson is still fetched tonight.
    await elsewhere((admin) => admin.sync.keep([`${B}/s`], false));
    expect(await queued()).toEqual({ files: 1, bytes: 3000 });
    // `classboard keep <stage>`
    await elsewhere((admin) => admin.sync.keep([`${B}/s`], true));
    expect(await queued()).toEqual({ files: 2, bytes: 7000 });

    // The hub's own writes still take effect at once, through its own connection.
    await get(hub.router.invoke('sync:keep', { ids: [`${B}/s`], keep: false }));
    expect(await queued()).toEqual({ files: 1, bytes: 3000 });
    await get(hub.router.invoke('sync:keep', { ids: [`${B}/s`], keep: true }));
    expect(await queued()).toEqual({ files: 2, bytes: 7000 });

    // `classboard feeds remove <id>`, as the CLI does it.
    await elsewhere((admin) => admin.db.prepare('DELETE FROM feeds WHERE id = ?').run(B));
    expect(await roots()).toEqual([['小学', 1]]);
    expect(await queued()).toEqual({ files: 0, bytes: 0 });
    expect(await monday()).toEqual([
      [1, null],
      [2, [`${A}/a1`, true]],
    ]);
  });
});
