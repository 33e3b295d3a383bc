// Deleting a 备课 takes the ink on its board pages with it. Plan ids are SQLite
// rowids, so the next plan made after deleting the newest one gets the same id: it
// opened with the deleted plan's writing on its board pages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';

let data: string;
let s: Services;

beforeAll(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-plan-ink-'));
  s = hubServices(data, 't');
});
afterAll(() => {
  s.close();
  fs.rmSync(data, { recursive: true, force: true });
});

const stroke = { id: 'old-plan-ink', tool: 'pen' as const, color: '#e53935', width: 6, points: [1, 2, 0.5, 3, 4, 0.5] };

it("a plan made after deleting one does not show the deleted plan's ink", async () => {
  const a = await s.router.invoke('plans:save', { title: '旧备课', items: [{ kind: 'board', template: 'tianzige' }] });
  if (!a.ok) throw new Error(a.error.message);
  expect((await s.router.invoke('annotations:add', { target: `plan:${a.value.id}`, page: '0', stroke })).ok).toBe(true);
  // A second plan with its own ink.
  const keep = await s.router.invoke('plans:save', { title: '留下的备课', items: [{ kind: 'board', template: 'white' }] });
  if (!keep.ok) throw new Error(keep.error.message);
  await s.router.invoke('annotations:add', { target: `plan:${keep.value.id}`, page: '0', stroke: { ...stroke, id: 'kept' } });

  // Both deleted, so the next plan takes the first one's id.
  expect(await s.router.invoke('plans:delete', { id: keep.value.id })).toEqual({ ok: true, value: { deleted: true } });
  await s.router.invoke('plans:delete', { id: a.value.id });
  const b = await s.router.invoke('plans:save', { title: '新备课', items: [{ kind: 'board', template: 'tianzige' }] });
  if (!b.ok) throw new Error(b.error.message);
  expect(b.value.id).toBe(a.value.id);
  expect(await s.router.invoke('annotations:list', { target: `plan:${b.value.id}`, page: '0' })).toEqual({ ok: true, value: { strokes: [] } });
});
