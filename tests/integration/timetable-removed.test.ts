// A timetabled lesson that a new catalog revision removes: its period must not look
// like one where no lesson was chosen. timetable:today names the lesson that left
// (its id, and the title it had when it was timetabled), whether the period was set
// at the board or imported from the school's CSV, and keeps doing so when the
// timetable is saved again with that period unchanged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFeed } from '../../main/feed/write';
import { migrations } from '../../main/library/migrations';
import type { Services } from '../../main/services';
import type { TodayLesson } from '../../preload/contract';
import { hubServices } from '../fixtures/services';

let tmp: string;
let s: Services;
const F = 'cn.test.removed';
const TUESDAY = 2;
const WEDNESDAY = 3;

const node = { id: 'xx', parent: null, kind: 'stage' as const, title: '小学', order: 1 };
const lesson = (id: string, title: string) => ({ id, node: 'xx', type: 'pdf' as const, title, files: [] });
const kept = lesson('sx-u1-l1-v', '1 到 5 的认识');
const removed = lesson('sx-u1-l2-v', '比大小（第一课时）');
const removedByCsv = lesson('sx-u1-l3-v', '认识图形');

async function importRevision(revision: number, resources: ReturnType<typeof lesson>[]) {
  const dir = path.join(tmp, `feed-${revision}`);
  await writeFeed(dir, { id: F, title: '数学', revision, shards: [{ path: 'shards/a.json', nodes: [node], resources }] });
  await s.importFeed(dir, { unsigned: true });
}

const get = async <T>(p: Promise<{ ok: boolean; value?: T; error?: unknown }>) => {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
};
const day = (weekday: number) => get<{ lessons: TodayLesson[] }>(s.router.invoke('timetable:today', { weekday })).then((d) => d.lessons);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-timetable-removed-'));
  s = hubServices(path.join(tmp, 'data'), 't');
  await importRevision(1, [kept, removed, removedByCsv]);
});
afterAll(() => {
  s.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a timetabled lesson the platform removed', () => {
  it('is named in today\'s lessons, with its title, not shown as a period without a lesson', async () => {
    await get(
      s.router.invoke('timetable:set', {
        entries: [
          { weekday: TUESDAY, period: 1, starts: '08:00', ends: '08:40', className: '', resourceId: `${F}/${removed.id}` },
          { weekday: TUESDAY, period: 2, starts: '08:50', ends: '09:30', className: '', resourceId: `${F}/${kept.id}` },
          { weekday: TUESDAY, period: 3, starts: '09:50', ends: '10:30', className: '', resourceId: null },
        ],
      }),
    );
    await importRevision(2, [kept, removedByCsv]);
    const [p1, p2, p3] = await day(TUESDAY);
    expect(p1).toMatchObject({ period: 1, resource: null, missing: { resourceId: `${F}/${removed.id}`, title: removed.title } });
    // The platform's doing, its feed still subscribed: not told as an admin's unsubscribing.
    expect(p1!.missing!.unsubscribed).toBeUndefined();
    // A lesson still in the library, and a period never given one, say nothing of the kind.
    expect(p2!.resource?.id).toBe(`${F}/${kept.id}`);
    expect(p2!.missing).toBeUndefined();
    expect(p3).toMatchObject({ resource: null });
    expect(p3!.missing).toBeUndefined();
  });

  it('keeps its title when the timetable is saved again with that period as it was', async () => {
    // As the timetable page saves: every row, the removed one still naming its lesson.
    await get(
      s.router.invoke('timetable:set', {
        entries: [
          { weekday: TUESDAY, period: 1, starts: '08:00', ends: '08:40', className: '', resourceId: `${F}/${removed.id}` },
          { weekday: TUESDAY, period: 2, starts: '08:50', ends: '09:30', className: '', resourceId: `${F}/${kept.id}` },
        ],
      }),
    );
    const [p1] = await day(TUESDAY);
    expect(p1).toMatchObject({ resource: null, missing: { resourceId: `${F}/${removed.id}`, title: removed.title } });
  });

  it('is named too when the period came from the school\'s CSV, by id or by title', async () => {
    const csv = ['星期,节次,开始,结束,班级,课程', `三,1,08:00,08:40,一（1）班,${F}/${kept.id}`, `三,2,08:50,09:30,一（1）班,${removedByCsv.title}`].join('\n');
    expect(await get(s.router.invoke('timetable:import-csv', { csv }))).toMatchObject({ saved: 2, unmatched: [] });
    await importRevision(3, [lesson('sx-u1-l4-v', '分一分')]);
    const [p1, p2] = await day(WEDNESDAY);
    expect(p1).toMatchObject({ resource: null, missing: { resourceId: `${F}/${kept.id}`, title: kept.title } });
    expect(p2).toMatchObject({ resource: null, missing: { resourceId: `${F}/${removedByCsv.id}`, title: removedByCsv.title } });
  });

  it('keeps its id and title when the school\'s file is imported again with a subject in its cell', async () => {
    const csv = ['星期,节次,开始,结束,班级,课程', '三,1,08:00,08:40,一（1）班,数学', '三,2,08:50,09:30,一（1）班,数学'].join('\n');
    expect(await get(s.router.invoke('timetable:import-csv', { csv }))).toMatchObject({ saved: 2, kept: 2, unmatched: [] });
    const [p1, p2] = await day(WEDNESDAY);
    expect(p1).toMatchObject({ resource: null, missing: { resourceId: `${F}/${kept.id}`, title: kept.title } });
    expect(p2).toMatchObject({ resource: null, missing: { resourceId: `${F}/${removedByCsv.id}`, title: removedByCsv.title } });
  });

  it('is a lesson again once the platform brings it back', async () => {
    await importRevision(4, [kept, removedByCsv]);
    const [p1, p2] = await day(WEDNESDAY);
    expect(p1!.resource?.id).toBe(`${F}/${kept.id}`);
    expect(p1!.missing).toBeUndefined();
    expect(p2!.missing).toBeUndefined();
  });
});

describe('a timetabled lesson whose feed an admin unsubscribed', () => {
  it('is named with that cause, not as one the platform removed', async () => {
    const G = 'cn.test.unsubscribed';
    const dir = path.join(tmp, 'feed-g');
    await writeFeed(dir, { id: G, title: '语文', revision: 1, shards: [{ path: 'shards/a.json', nodes: [node], resources: [lesson('yw-l1', '找春天')] }] });
    await s.importFeed(dir, { unsigned: true });
    const THURSDAY = 4;
    await get(
      s.router.invoke('timetable:set', {
        entries: [
          { weekday: THURSDAY, period: 1, starts: '08:00', ends: '08:40', className: '', resourceId: `${G}/yw-l1` },
          { weekday: THURSDAY, period: 2, starts: '08:50', ends: '09:30', className: '', resourceId: `${F}/${kept.id}` },
        ],
      }),
    );
    // As `classboard feeds remove` forgets a feed: its row goes, and its resources with it.
    s.db.prepare('DELETE FROM feeds WHERE id = ?').run(G);
    s.queries.invalidate();
    const [p1, p2] = await day(THURSDAY);
    expect(p1).toMatchObject({ resource: null, missing: { resourceId: `${G}/yw-l1`, title: '找春天', unsubscribed: true } });
    expect(p2!.missing).toBeUndefined();
  });
});

describe('a library timetabled before lessons kept their titles', () => {
  it('takes the titles of the lessons it still has when it is upgraded', () => {
    const db = new Database(':memory:');
    const latest = migrations.findIndex((m) => /resource_title/.test(m));
    expect(latest).toBeGreaterThan(0);
    for (const m of migrations.slice(0, latest)) db.exec(m);
    db.exec(`INSERT INTO feeds(id, title, source) VALUES ('${F}', '数学', 'x')`);
    db.exec(`INSERT INTO resources(id, feed_id, shard, node_id, type, title) VALUES ('${F}/a', '${F}', 's', '${F}/xx', 'pdf', '比大小')`);
    db.exec(`INSERT INTO timetable(weekday, period, starts, ends, resource_id) VALUES (2, 1, '08:00', '08:40', '${F}/a'), (2, 2, '08:50', '09:30', '${F}/gone'), (2, 3, '09:50', '10:30', NULL)`);
    for (const m of migrations.slice(latest)) db.exec(m);
    expect(db.prepare('SELECT resource_title FROM timetable ORDER BY period').pluck().all()).toEqual(['比大小', null, null]);
    db.close();
  });
});
