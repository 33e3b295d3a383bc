// Lesson plans and ink through the router on a real library with the demo feed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';

let data: string;
let s: Services;
let video: string;
let pdf: string;

beforeAll(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-plans-'));
  s = hubServices(data, 't');
  await s.ensureDemoLibrary();
  const r = await s.router.invoke('library:search', { query: '分数的初步认识' });
  if (!r.ok) throw new Error(r.error.message);
  video = r.value.results.find((x) => x.type === 'video')!.id;
  pdf = r.value.results.find((x) => x.type === 'pdf')!.id;
});
afterAll(() => {
  s.close();
  fs.rmSync(data, { recursive: true, force: true });
});

describe('lesson plans', () => {
  it('saves an ordered plan of resources and board pages, and reads it back with titles', async () => {
    const saved = await s.router.invoke('plans:save', {
      title: '分数的初步认识 · 第一课时',
      items: [{ kind: 'resource', resourceId: video }, { kind: 'board', template: 'tianzige' }, { kind: 'resource', resourceId: pdf }],
    });
    expect(saved.ok).toBe(true);
    const id = saved.ok ? saved.value.id : -1;
    const got = await s.router.invoke('plans:get', { id });
    expect(got).toMatchObject({
      ok: true,
      value: {
        title: '分数的初步认识 · 第一课时',
        items: [
          { kind: 'resource', resourceId: video, type: 'video', title: expect.stringContaining('分数') },
          { kind: 'board', template: 'tianzige' },
          { kind: 'resource', resourceId: pdf, type: 'pdf', title: '学习任务单' },
        ],
      },
    });
    // Reordering replaces the list exactly.
    await s.router.invoke('plans:save', { id, title: '改过的备课', items: [{ kind: 'board', template: 'green' }] });
    const again = await s.router.invoke('plans:get', { id });
    expect(again.ok && again.value.items).toEqual([{ kind: 'board', template: 'green' }]);
    const list = await s.router.invoke('plans:list', {});
    expect(list.ok && list.value.plans[0]).toMatchObject({ id, title: '改过的备课', items: 1 });
    expect(await s.router.invoke('plans:delete', { id })).toEqual({ ok: true, value: { deleted: true } });
    expect(await s.router.invoke('plans:get', { id })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('refuses malformed plans', async () => {
    for (const bad of [
      { title: '', items: [] },
      { title: 'x', items: [{ kind: 'board', template: 'plaid' }] },
      { title: 'x', items: [{ kind: 'resource', resourceId: 'not-an-id' }] },
      { title: 'x', items: [], extra: 1 },
    ]) {
      expect((await s.router.call('plans:save', bad)).ok, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('annotations', () => {
  const stroke = (id: string) => ({ id, tool: 'pen' as const, color: '#e53935', width: 6, points: [1, 2, 0.5, 3, 4, 0.5] });

  it('keeps strokes per target and page, in drawing order, and removes by id', async () => {
    await s.router.invoke('annotations:add', { target: video, page: 't12', stroke: stroke('a') });
    await s.router.invoke('annotations:add', { target: video, page: 't12', stroke: stroke('b') });
    await s.router.invoke('annotations:add', { target: video, page: 't13', stroke: stroke('c') });
    const t12 = await s.router.invoke('annotations:list', { target: video, page: 't12' });
    expect(t12.ok && t12.value.strokes.map((x) => x.id)).toEqual(['a', 'b']);
    expect(await s.router.invoke('annotations:remove', { target: video, page: 't12', ids: ['a', 'zzz'] })).toEqual({ ok: true, value: { removed: 1 } });
    expect(await s.router.invoke('annotations:clear', { target: video, page: 't13' })).toEqual({ ok: true, value: { removed: 1 } });
  });

  it('refuses a malformed stroke', async () => {
    const bad = [
      { target: video, page: 'p1', stroke: { ...stroke('x'), points: [1, 2] } },
      { target: video, page: 'p1', stroke: { ...stroke('x'), points: [1, 2, Number.NaN] } },
      { target: video, page: 'p1', stroke: { ...stroke('x'), tool: 'laser' } },
      { target: video, page: 'p1', stroke: { ...stroke('x'), width: 10_000 } },
    ];
    for (const b of bad) expect((await s.router.call('annotations:add', b)).ok).toBe(false);
  });
});

describe('timetable', () => {
  it("lists today's periods in order with a ready mark per lesson", async () => {
    const r = await s.router.invoke('library:search', { query: '声音的产生' });
    const sound = r.ok ? r.value.results.find((x) => x.type === 'video')!.id : '';
    // Make one lesson's video missing from the cache, as if tonight's sync had not run yet.
    const res = await s.router.invoke('library:resource', { id: sound });
    for (const f of res.ok ? res.value.files : []) if (f.role === 'main') fs.rmSync(s.blobs.pathFor(f.sha256));
    const saved = await s.router.invoke('timetable:set', {
      entries: [
        { weekday: 1, period: 2, starts: '08:55', ends: '09:35', className: '三（2）班', resourceId: sound },
        { weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '三（2）班', resourceId: video },
        { weekday: 1, period: 3, starts: '10:00', ends: '10:40', className: '三（2）班', resourceId: null },
        { weekday: 2, period: 1, starts: '08:00', ends: '08:40', className: '三（2）班', resourceId: pdf },
      ],
    });
    expect(saved).toEqual({ ok: true, value: { saved: 4 } });
    const monday = await s.router.invoke('timetable:today', { weekday: 1 });
    expect(monday.ok && monday.value.lessons.map((l) => [l.period, l.resource?.id ?? null, l.resource?.ready ?? false])).toEqual([
      [1, video, true],
      [2, sound, false],
      [3, null, false],
    ]);
    expect((await s.router.call('timetable:set', { entries: [{ weekday: 8, period: 1, starts: '8:00', ends: '09:00', resourceId: null }] })).ok).toBe(false);
    // A period that ends before it starts, or the same period twice, is refused in words, from the page or a CSV alike.
    const backwards = await s.router.call('timetable:set', { entries: [{ weekday: 1, period: 1, starts: '09:00', ends: '08:00', className: '', resourceId: null }] });
    expect(!backwards.ok && backwards.error.message).toMatch(/下课时间须晚于上课时间/);
    const period = { weekday: 1, period: 1, starts: '08:00', ends: '08:40', className: '三（2）班', resourceId: null };
    const twice = await s.router.call('timetable:set', { entries: [period, { ...period, ends: '08:45' }] });
    expect(!twice.ok && twice.error.message).toMatch(/星期一第 1 节（三（2）班）出现了两次/);
    const csv = await s.router.call('timetable:import-csv', { csv: '1,1,8:00,8:40,三（2）班,\n一,1,8:00,8:45,三（2）班,\n' });
    expect(!csv.ok && csv.error.message).toMatch(/出现了两次/);
    // Refused whole: the timetable is as it was.
    const after = await s.router.invoke('timetable:today', { weekday: 1 });
    expect(after.ok && after.value.lessons).toHaveLength(3);
  });
});
