// annotations:batch through the router on a real library: one change the teacher
// sees (undo of 清屏, an eraser sweep) is saved whole or not at all.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';

let data: string;
let s: Services;
const where = { target: 'board-batch', page: 'p1' };
const stroke = (id: string) => ({ id, tool: 'pen' as const, color: '#e53935', width: 6, points: [1, 2, 0.5, 3, 4, 0.5] });
const ids = async () => {
  const r = await s.router.invoke('annotations:list', where);
  return r.ok ? r.value.strokes.map((x) => x.id) : null;
};

beforeAll(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-ink-batch-'));
  s = hubServices(data, 't');
});
afterAll(() => {
  s.close();
  fs.rmSync(data, { recursive: true, force: true });
});

describe('annotations:batch', () => {
  it('removes then adds in one call, in the order given', async () => {
    expect(await s.router.invoke('annotations:batch', { ...where, add: ['a', 'b', 'c', 'd'].map(stroke), remove: [] })).toEqual({
      ok: true,
      value: { added: 4, removed: 0 },
    });
    expect(await ids()).toEqual(['a', 'b', 'c', 'd']);
    // 清屏 then 撤销: all gone, then all back.
    expect(await s.router.invoke('annotations:batch', { ...where, add: [], remove: ['a', 'b', 'c', 'd'] })).toMatchObject({ value: { removed: 4 } });
    expect(await ids()).toEqual([]);
    await s.router.invoke('annotations:batch', { ...where, add: ['a', 'b', 'c', 'd'].map(stroke), remove: [] });
    expect(await ids()).toEqual(['a', 'b', 'c', 'd']);
    await s.router.invoke('annotations:batch', { ...where, add: [stroke('e')], remove: ['b'] });
    expect(await ids()).toEqual(['a', 'c', 'd', 'e']);
  });

  it('refuses a malformed batch and writes none of it', async () => {
    const before = await ids();
    const bad = [
      { ...where, add: [stroke('x'), { ...stroke('y'), points: [1, 2] }], remove: [] }, // points not in triples
      { ...where, add: [stroke('x')], remove: ['a', ''] }, // an empty id
      { ...where, add: [stroke('x'), { ...stroke('z'), width: -1 }], remove: ['a'] },
      { ...where, add: [], remove: [] }, // nothing to do
      { ...where, add: [stroke('x')] }, // no remove list
      { ...where, add: [stroke('x')], remove: [], extra: 1 },
      { target: '', page: 'p1', add: [stroke('x')], remove: [] },
      { ...where, add: Array.from({ length: 10_001 }, (_, i) => stroke(`n${i}`)), remove: [] },
    ];
    for (const req of bad) {
      const r = await s.router.call('annotations:batch', req);
      expect(r).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    expect(await ids()).toEqual(before);
  });

  it('rolls back a batch that fails half-way in the database', async () => {
    const before = await ids();
    // A real SQLite failure on the second stroke: the removal and the first stroke must not stay.
    s.db.exec("CREATE TRIGGER fail_z BEFORE INSERT ON annotations WHEN NEW.id = 'z' BEGIN SELECT RAISE(ABORT, 'boom'); END");
    const r = await s.router.invoke('annotations:batch', { ...where, add: [stroke('y'), stroke('z')], remove: ['a'] });
    expect(r.ok).toBe(false);
    expect(await ids()).toEqual(before);
    s.db.exec('DROP TRIGGER fail_z');
  });
});
