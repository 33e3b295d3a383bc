// 今日课表's ready mark means the whole lesson is on this PC: a period whose video
// is here but whose 学习任务单 is not is not ready, and says which of its lesson is
// missing; a lesson's files count as the sync would fetch them (at the classroom's
// rendition); a resource on a unit's node stands alone. The lesson page asks the
// same (library:waiting). Real SQLite, a feed folder imported as a USB stick would
// be, with some of its files left off the stick.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../main/feed/keys';
import type { ShardResource } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import { LESSON_FILES_SQL } from '../../main/library/lesson-ready';
import type { Services } from '../../main/services';
import type { LessonFetch, TodayLesson } from '../../preload/contract';
import { hubServices } from '../fixtures/services';

const F = 'cn.test.whole';
const TUESDAY = 2;
const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);
const VIDEO_720 = bytes(3000, 1);
// The platform's 1080p copy: bigger than the cache quota below could ever hold (never on this PC: a listed size only).
const VIDEO_1080 = { sha256: sha256Hex('1080p'), size: 300 * 1024 ** 2 };
const SLIDES = bytes(2000, 3);
const SHEET = bytes(1000, 4);
const OTHER_VIDEO = bytes(3000, 5);
const UNIT_SHEET = bytes(1000, 6);
const UNIT_IMAGE = bytes(1000, 7);
const file = (b: Buffer, mime: string, height?: number) => ({ role: 'main' as const, sha256: sha256Hex(b), size: b.length, mime, ...(height ? { height } : {}) });

const resources: ShardResource[] = [
  // 分数的初步认识: its video (720p here, 1080p not), 课件 here, 学习任务单 not.
  { id: 'r1', node: 'l1', type: 'video', title: '分数的初步认识（微课）', files: [file(VIDEO_720, 'video/mp4', 720), { role: 'main', ...VIDEO_1080, mime: 'video/mp4', height: 1080 }] },
  { id: 'r2', node: 'l1', type: 'pdf', title: '分数的初步认识 课件', files: [file(SLIDES, 'application/pdf')] },
  { id: 'r3', node: 'l1', type: 'pdf', title: '学习任务单', files: [file(SHEET, 'application/pdf')] },
  // 几分之一: all here.
  { id: 'r4', node: 'l2', type: 'video', title: '几分之一（微课）', files: [file(OTHER_VIDEO, 'video/mp4', 720)] },
  // On the unit's node: each alone.
  { id: 'r5', node: 'u1', type: 'pdf', title: '单元练习', files: [file(UNIT_SHEET, 'application/pdf')] },
  { id: 'r6', node: 'u1', type: 'image', title: '单元板书', files: [file(UNIT_IMAGE, 'image/png')] },
];

let tmp: string;
let s: Services;
const get = async <T>(p: Promise<{ ok: boolean; value?: T; error?: unknown }>) => {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
};
const today = () => get<{ lessons: TodayLesson[] }>(s.router.invoke('timetable:today', { weekday: TUESDAY })).then((d) => d.lessons);
const ids = (l: Pick<TodayLesson, 'waiting'>) => l.waiting.map((w) => w.id.slice(F.length + 1));
const configure = (patch: { maxHeight?: number; quotaBytes?: number | null }) => get(s.router.invoke('sync:configure', patch));

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-whole-lesson-'));
  await writeFeed(path.join(tmp, 'stick'), {
    id: F,
    title: '数学',
    revision: 1,
    shards: [
      {
        path: 'shards/a.json',
        nodes: [
          { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
          { id: 'u1', parent: 'xx', kind: 'unit', title: '第八单元 分数的初步认识', order: 1 },
          { id: 'l1', parent: 'u1', kind: 'lesson', title: '分数的初步认识', order: 1 },
          { id: 'l2', parent: 'u1', kind: 'lesson', title: '几分之一', order: 2 },
        ],
        resources,
      },
    ],
    // Left off the stick: the 1080p video, the 学习任务单 and the unit's 练习.
    blobs: [VIDEO_720, SLIDES, OTHER_VIDEO, UNIT_IMAGE].map((source) => ({ source })),
  });
  s = hubServices(path.join(tmp, 'data'), 't');
  await s.importFeed(path.join(tmp, 'stick'), { unsigned: true });
  // A classroom that plays 720p: the video on the stick is the one the sync would bring.
  await configure({ maxHeight: 720 });
  await get(
    s.router.invoke('timetable:set', {
      entries: ['r1', 'r4', 'r6', 'r5'].map((r, i) => ({ weekday: TUESDAY, period: i + 1, starts: `${10 + i}:00`, ends: `${10 + i}:40`, className: '三（2）班', resourceId: `${F}/${r}` })),
    }),
  );
});
afterAll(() => {
  s.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("今日课表's ready mark", () => {
  it('is not ready for a lesson whose video is here but whose 学习任务单 is not, and names what is missing', async () => {
    const [p1, p2, p3, p4] = await today();
    // The period's own video opens (the mark before only looked at it)...
    expect(p1!.resource).toMatchObject({ id: `${F}/r1`, ready: true });
    // ...but its lesson is not all here.
    expect(p1).toMatchObject({ total: 3, waiting: [{ id: `${F}/r3`, title: '学习任务单', type: 'pdf' }] });
    expect(p2).toMatchObject({ total: 1, waiting: [] });
    // On the unit's node: the resource alone, its unit's other material not counted either way.
    expect(p3).toMatchObject({ total: 1, waiting: [] });
    expect(ids(p4!)).toEqual(['r5']);
    // The lesson page says the same, from any of the lesson's resources.
    for (const r of ['r1', 'r2', 'r3']) expect(ids(await get(s.router.invoke('library:waiting', { id: `${F}/${r}` })))).toEqual(['r3']);
    expect(await s.router.invoke('library:waiting', { id: `${F}/nope` })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('turns ready once the rest of the lesson is in the cache', async () => {
    const sheet = path.join(tmp, 'sheet.pdf');
    fs.writeFileSync(sheet, SHEET);
    await s.blobs.putFile(sheet, { sha256: sha256Hex(SHEET), size: SHEET.length });
    const [p1] = await today();
    expect(p1).toMatchObject({ total: 3, waiting: [] });
  });

  it("counts the video at the classroom's rendition, as the sync would fetch it", async () => {
    // At 1080p the night's sync would bring the 1080p copy: the 720p one here does not make the lesson ready.
    await configure({ maxHeight: 1080 });
    expect(ids((await today())[0]!)).toEqual(['r1']);
    // Under a 200 MB quota the 300 MB copy could never come: 现在下载这节课 settles for the 720p one here, and so does the mark
    // (else the period would stay red with a 下载 that brings nothing).
    await configure({ quotaBytes: 200 * 1024 ** 2 });
    expect(ids((await today())[0]!)).toEqual([]);
    expect(await get<LessonFetch>(s.router.invoke('sync:fetch', { id: `${F}/r1` }))).toMatchObject({ state: 'done', totalFiles: 0 });
    await configure({ maxHeight: 720, quotaBytes: null });
    expect(ids((await today())[0]!)).toEqual([]);
  });

  it('reads the whole day by key, in one query', () => {
    const plan = (s.db.prepare(`EXPLAIN QUERY PLAN ${LESSON_FILES_SQL}`).all('[]') as { detail: string }[]).map((r) => r.detail);
    // Only the day's own list is scanned; every table is reached through its key or an index (resources by node).
    expect(plan.filter((d) => d.startsWith('SCAN')).every((d) => d.includes('json_each'))).toBe(true);
    for (const alias of ['p', 'n', 'r', 'f', 'b']) expect(plan.some((d) => d.startsWith(`SEARCH ${alias} USING `))).toBe(true);
  });
});
