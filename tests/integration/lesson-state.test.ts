// What the teacher is told about a resource that is not on the PC: lists and
// search say 未下载, and the lesson page knows whether the night will fetch it
// (kept: selected, timetabled or a favourite, as the planner decides) and what
// kind of node it hangs on (keeping a unit's material keeps the whole unit).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../main/feed/keys';
import { writeFeed } from '../../main/feed/write';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';

let tmp: string;
let s: Services;
const F = 'cn.test.state';
const here = Buffer.alloc(1000, 1);
const gone = Buffer.alloc(1000, 2);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-lesson-state-'));
  const file = (b: Buffer) => [{ role: 'main', sha256: sha256Hex(b), size: b.length, mime: 'application/pdf' }];
  await writeFeed(path.join(tmp, 'feed'), {
    id: F,
    title: '状态',
    revision: 1,
    shards: [
      {
        path: 'shards/a.json',
        nodes: [
          { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
          { id: 'u1', parent: 'xx', kind: 'unit', title: '第一单元', order: 1 },
          { id: 'l1', parent: 'u1', kind: 'lesson', title: '春', order: 1 },
          { id: 'l2', parent: 'u1', kind: 'lesson', title: '夏', order: 2 },
          { id: 'l3', parent: 'u1', kind: 'lesson', title: '秋', order: 3 },
        ],
        resources: [
          { id: 'have', node: 'l1', type: 'pdf', title: '春 课件', files: file(here) },
          { id: 'want', node: 'l1', type: 'pdf', title: '春 练习', files: file(gone) },
          { id: 'unit', node: 'u1', type: 'pdf', title: '单元 任务单', files: file(gone) },
          { id: 'summer', node: 'l2', type: 'pdf', title: '夏 课件', files: file(here) },
          { id: 'autumn', node: 'l3', type: 'pdf', title: '秋 课件', files: file(gone) },
        ],
      },
    ],
    blobs: [{ source: here }], // the other file never made it onto the stick
  });
  s = hubServices(path.join(tmp, 'data'), 't');
  await s.importFeed(path.join(tmp, 'feed'), { unsigned: true });
});
afterAll(() => {
  s.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const get = async <T>(p: Promise<{ ok: boolean; value?: T; error?: unknown }>) => {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
};

describe('a resource that is not on the PC', () => {
  it('is marked in the tree and in search; one that is here is not', async () => {
    const tree = await get<{ resources: { id: string; ready: boolean }[] }>(s.router.invoke('library:tree', { parent: `${F}/l1` }));
    expect(tree.resources.map((r) => [r.id, r.ready])).toEqual([
      [`${F}/have`, true],
      [`${F}/want`, false],
    ]);
    const found = await get<{ results: { id: string; ready: boolean }[] }>(s.router.invoke('library:search', { query: '春' }));
    expect(Object.fromEntries(found.results.map((r) => [r.id, r.ready]))).toMatchObject({ [`${F}/have`]: true, [`${F}/want`]: false });
  });

  it("makes its lesson's row in the unit say so, before the lesson is opened", async () => {
    const unit = await get<{ nodes: { id: string; resourceCount: number; notReady?: number }[] }>(s.router.invoke('library:tree', { parent: `${F}/u1` }));
    // Before: only "2 个资源"; 未下载 showed once the lesson was opened.
    expect(unit.nodes.map((n) => [n.id, n.resourceCount, n.notReady])).toEqual([
      [`${F}/l1`, 2, 1],
      [`${F}/l2`, 1, 0],
      [`${F}/l3`, 1, 1],
    ]);
    // Only lessons carry it: a unit's row in its volume does not.
    const root = await get<{ nodes: { notReady?: number }[] }>(s.router.invoke('library:tree', { parent: `${F}/xx` }));
    expect(root.nodes.every((n) => n.notReady === undefined)).toBe(true);
  });

  it('is kept while the selection keeps it, not once unticked, and again as a favourite; it names its node kind', async () => {
    const resource = () => get<{ kept: boolean; nodeKind: string }>(s.router.invoke('library:resource', { id: `${F}/want` }));
    expect(await resource()).toMatchObject({ kept: true, nodeKind: 'lesson' });
    await get(s.router.invoke('sync:keep', { ids: [`${F}/xx`], keep: false }));
    expect((await resource()).kept).toBe(false);
    await get(s.router.invoke('library:favourite', { id: `${F}/want`, favourite: true }));
    expect((await resource()).kept).toBe(true);
    expect(await get(s.router.invoke('library:resource', { id: `${F}/unit` }))).toMatchObject({ kept: false, nodeKind: 'unit' });
  });
});
