// What a classroom downloads tonight, from a feed on a real nginx: the offline
// selection (keep / unkeep with sizes), earliest deadline first, and a lower
// rendition for the least urgent lessons when the night's byte budget is short.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '../../main/feed/keys';
import type { ShardNode, ShardResource } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import type { Services } from '../../main/services';
import { planFor, syncAll } from '../../main/sync/engine';
import { targetWeekday } from '../../main/sync/plan';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

let tmp: string;
let nginx: Nginx;
let services: Services;
const key = generateSigningKey('plan-2026');
const F = 'cn.test.plan';
// Tuesday 22:00 in Shanghai: tonight prepares Wednesday (3).
const NOW = new Date('2026-11-24T14:00:00Z');

// 小学 › 三年级 › 数学 › {三年级上册: L1 L2 L3, 三年级下册: L4}; 语文 › 三年级上册: L5
const lessons = [
  { id: 'L1', volume: 'sx-s' },
  { id: 'L2', volume: 'sx-s' },
  { id: 'L3', volume: 'sx-s' },
  { id: 'L4', volume: 'sx-x' },
  { id: 'L5', volume: 'yw-s' },
];
const blob = (name: string, size: number) => {
  const b = Buffer.alloc(size, name);
  b.write(name);
  return b;
};

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-plan-'));
  const nodes: ShardNode[] = [
    { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
    { id: 'g3', parent: 'xx', kind: 'grade', title: '三年级', order: 1 },
    { id: 'sx', parent: 'g3', kind: 'subject', title: '数学', order: 1 },
    { id: 'sx-s', parent: 'sx', kind: 'volume', title: '三年级上册', order: 1 },
    { id: 'sx-x', parent: 'sx', kind: 'volume', title: '三年级下册', order: 2 },
    { id: 'yw', parent: 'g3', kind: 'subject', title: '语文', order: 2 },
    { id: 'yw-s', parent: 'yw', kind: 'volume', title: '三年级上册', order: 1 },
  ];
  const resources: ShardResource[] = [];
  const blobs: { source: Buffer }[] = [];
  for (const [i, l] of lessons.entries()) {
    nodes.push({ id: l.id, parent: l.volume, kind: 'lesson', title: `课${l.id}`, order: i });
    const [hd, sd, poster] = [blob(`${l.id}-1080`, 2000), blob(`${l.id}-720`, 1000), blob(`${l.id}-poster`, 100)];
    blobs.push({ source: hd }, { source: sd }, { source: poster });
    resources.push({
      id: `r${l.id}`,
      node: l.id,
      type: 'video',
      title: `视频${l.id}`,
      files: [
        { role: 'main', sha256: sha256Hex(hd), size: hd.length, mime: 'video/mp4', height: 1080 },
        { role: 'main', sha256: sha256Hex(sd), size: sd.length, mime: 'video/mp4', height: 720 },
        { role: 'poster', sha256: sha256Hex(poster), size: poster.length, mime: 'image/jpeg' },
      ],
    });
  }
  const www = path.join(tmp, 'www');
  await writeFeed(path.join(www, 'feed'), { id: F, title: '测试', revision: 1, signingKey: key, shards: [{ path: 'shards/a.json', nodes, resources }], blobs });
  nginx = await startNginx(www);
  services = hubServices(path.join(tmp, 'data'));
  await services.importFeed(`${nginx.url}feed/feed.json`, { keys: { [key.keyId]: key.publicKey } });
});
afterAll(async () => {
  services?.close();
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const titlesOf = (jobs: ReturnType<typeof planFor>['jobs']) => jobs.map((j) => j.resources.join());
const selection = async (parent: string | null) => {
  const r = await services.router.invoke('sync:selection', { parent });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('offline selection', () => {
  it('keeps everything while nothing is chosen, one rendition per lesson', async () => {
    const plan = planFor(services, { maxHeight: 1080 });
    expect(plan.jobs).toHaveLength(10); // 5 × (1080p + poster)
    expect(plan.jobs.reduce((a, j) => a + j.size, 0)).toBe(5 * 2100);
    expect(plan.skipped).toBe(5); // the 720p copies
    expect(planFor(services, { maxHeight: 720 }).jobs.reduce((a, j) => a + j.size, 0)).toBe(5 * 1100);
    const root = await selection(null);
    expect(root).toMatchObject({ everything: true, totalBytes: 5 * 2100, keptBytes: 5 * 2100 });
    expect(root.nodes).toEqual([expect.objectContaining({ title: '小学', keep: 'all', bytes: 10500, cachedBytes: 0 })]);
  });

  it('keeps only the chosen subject; the tree shows sizes and a part-kept parent', async () => {
    const kept = await services.router.invoke('sync:keep', { ids: [`${F}/sx`], keep: true });
    expect(kept).toEqual({ ok: true, value: { keptBytes: 4 * 2100, everything: false } });
    expect(titlesOf(planFor(services).jobs).sort()).toEqual(['视频L1', '视频L1', '视频L2', '视频L2', '视频L3', '视频L3', '视频L4', '视频L4']);
    expect((await selection(null)).nodes[0]).toMatchObject({ title: '小学', keep: 'some' });
    const grade = await selection(`${F}/g3`);
    expect(grade.trail.map((t) => t.title)).toEqual(['小学', '三年级']);
    expect(grade.nodes.map((n) => [n.title, n.keep, n.bytes])).toEqual([
      ['数学', 'all', 4 * 2100],
      ['语文', 'none', 2100],
    ]);
  });

  it('unkeeps a volume inside a kept subject; keeping the subject again replaces that', async () => {
    await services.router.invoke('sync:keep', { ids: [`${F}/sx-x`], keep: false });
    expect(titlesOf(planFor(services).jobs)).not.toContain('视频L4');
    expect((await selection(`${F}/g3`)).nodes[0]).toMatchObject({ title: '数学', keep: 'some' });
    expect((await selection(`${F}/sx`)).nodes.map((n) => n.keep)).toEqual(['all', 'none']);
    await services.router.invoke('sync:keep', { ids: [`${F}/sx`], keep: true });
    expect((await selection(`${F}/sx`)).nodes.map((n) => n.keep)).toEqual(['all', 'all']);
  });

  it('counts a favourite lesson in an unticked subject as kept, and shows where it is', async () => {
    // 语文 is not kept; its one lesson becomes a favourite, which the planner keeps anyway.
    await services.router.invoke('library:favourite', { id: `${F}/rL5`, favourite: true });
    try {
      const grade = await selection(`${F}/g3`);
      expect(grade.nodes.map((n) => [n.title, n.keep, n.alwaysBytes])).toEqual([
        ['数学', 'all', 0],
        ['语文', 'none', 2100],
      ]);
      // Before: "已选" left it out, though tonight's plan fetches it.
      expect(grade.keptBytes).toBe(4 * 2100 + 2100);
      expect(titlesOf(planFor(services).jobs)).toContain('视频L5');
    } finally {
      await services.router.invoke('library:favourite', { id: `${F}/rL5`, favourite: false });
    }
  });

  it('refuses an unknown node and a malformed request, changing nothing', async () => {
    const before = await selection(`${F}/g3`);
    expect(await services.router.invoke('sync:keep', { ids: [`${F}/nope`], keep: true })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await services.router.invoke('sync:selection', { parent: `${F}/nope` })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await services.router.call('sync:keep', { ids: [], keep: true })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await services.router.call('sync:configure', { window: '25:00-06:00' })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await selection(`${F}/g3`)).toEqual(before);
  });

  it('the sync page never keeps a queue planned before a change', async () => {
    const before = await services.sync.status();
    await services.router.invoke('sync:keep', { ids: [`${F}/yw`], keep: true });
    const planning = services.sync.status();
    // This thread is held while the planner reads the library; the change then
    // lands before the plan's answer is taken in (seconds at 150,000 lessons).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    await services.router.invoke('sync:keep', { ids: [`${F}/yw`], keep: false });
    await planning;
    expect((await services.sync.status()).queued).toEqual(before.queued);
  });

  it('downloads the chosen part only; the rest stays browsable, marked not downloaded', async () => {
    const summary = await syncAll(services, { maxHeight: 720 });
    expect(summary.failed).toEqual([]);
    expect(summary.downloaded.files).toBe(8); // L1–L4 at 720p + posters
    const l5 = services.queries.resource(`${F}/rL5`);
    expect(l5.files.every((f) => !f.cached)).toBe(true);
    const l1 = services.queries.resource(`${F}/rL1`);
    expect(l1.files.filter((f) => f.cached).map((f) => f.height ?? 'poster')).toEqual([720, 'poster']);
    expect((await selection(`${F}/g3`)).nodes.map((n) => [n.title, n.cachedBytes])).toEqual([
      ['数学', 0 + 4 * 100], // at 1080p (the setting), only the posters are here
      ['语文', 0],
    ]);
  });
});

describe('earliest deadline first', () => {
  const timetable = [
    { weekday: 3, period: 3, starts: '10:00', ends: '10:40', className: '三(2)班', resourceId: `${F}/rL2` },
    { weekday: 3, period: 1, starts: '08:00', ends: '08:40', className: '三(2)班', resourceId: `${F}/rL5` },
    { weekday: 4, period: 1, starts: '08:00', ends: '08:40', className: '三(2)班', resourceId: `${F}/rL4` },
  ];

  it('orders tomorrow first periods, tomorrow, the week, favourites, this term, the rest', async () => {
    expect(targetWeekday(NOW, 'Asia/Shanghai')).toBe(3);
    await services.router.invoke('sync:keep', { ids: [`${F}/xx`], keep: true });
    await services.router.invoke('timetable:set', { entries: timetable });
    await services.router.invoke('library:favourite', { id: `${F}/rL1`, favourite: true });
    // Nothing cached at 1080p yet: every lesson's main file is planned.
    const mains = planFor(services, { maxHeight: 1080, now: NOW }).jobs.filter((j) => j.size === 2000);
    expect(mains.map((j) => [j.resources[0], j.priority])).toEqual([
      ['视频L5', 0],
      ['视频L2', 1],
      ['视频L4', 2],
      ['视频L1', 3],
      ['视频L3', 4], // 三年级上册 in November
    ]);
  });

  it('a timetabled lesson is kept even outside the selection', async () => {
    await services.router.invoke('sync:keep', { ids: [`${F}/yw`], keep: false });
    expect(titlesOf(planFor(services, { now: NOW }).jobs)).toContain('视频L5');
    // The sync page's queue follows the timetable: without L5 there, it is not kept.
    const timetabled = (await services.sync.status()).queued;
    await services.router.invoke('timetable:set', { entries: timetable.filter((e) => !e.resourceId.endsWith('rL5')) });
    expect((await services.sync.status()).queued.files).toBeLessThan(timetabled.files);
    await services.router.invoke('timetable:set', { entries: timetable });
    await services.router.invoke('sync:keep', { ids: [`${F}/yw`], keep: true });
  });

  it("gives the least urgent lessons a lower rendition when the night's budget is short", async () => {
    const full = planFor(services, { maxHeight: 1080, now: NOW });
    const bytes = full.jobs.reduce((a, j) => a + j.size, 0);
    // 2,500 bytes over: the two least urgent (this term, then the favourite) drop to their 720p copies, already here.
    const plan = planFor(services, { maxHeight: 1080, now: NOW, budgetBytes: bytes - 2500 });
    expect(plan.downgraded).toBe(2);
    const hd = plan.jobs.filter((j) => j.size === 2000).map((j) => j.resources[0]);
    expect(hd).toEqual(['视频L5', '视频L2', '视频L4']);
    expect(plan.jobs.reduce((a, j) => a + j.size, 0)).toBeLessThanOrEqual(bytes - 2500);
  });
});
