import { describe, expect, it } from 'vitest';
import { Stroke } from '../../preload/contract/annotations';
import { InkModel, newStrokeId, strokeHits } from '../../renderer/teaching/ink/model';

const line = (x0: number, y0: number, x1: number, y1: number, width = 6, id = newStrokeId()): Stroke => {
  const points: number[] = [];
  for (let i = 0; i <= 10; i++) points.push(x0 + ((x1 - x0) * i) / 10, y0 + ((y1 - y0) * i) / 10, 0.5);
  return { id, tool: 'pen', color: '#e53935', width, points };
};

describe('ink model', () => {
  it('stores strokes in drawing order and undoes/redoes adds', () => {
    const m = new InkModel();
    const a = line(0, 0, 100, 0);
    const b = line(0, 50, 100, 50);
    m.add(a);
    m.add(b);
    expect(m.strokes.map((s) => s.id)).toEqual([a.id, b.id]);
    expect(m.undo()).toEqual({ added: [], removed: [b.id] });
    expect(m.strokes.map((s) => s.id)).toEqual([a.id]);
    expect(m.redo()).toEqual({ added: [b], removed: [] });
    expect(m.strokes.map((s) => s.id)).toEqual([a.id, b.id]);
  });

  it('undoes an erase and a clear as one step each, restoring order', () => {
    const m = new InkModel();
    const s = [line(0, 0, 100, 0), line(0, 50, 100, 50), line(0, 100, 100, 100)];
    s.forEach((x) => m.add(x));
    m.remove([s[1]!.id]);
    expect(m.strokes).toHaveLength(2);
    m.clear();
    expect(m.strokes).toHaveLength(0);
    expect(m.undo()?.added).toHaveLength(2);
    expect(m.undo()).toEqual({ added: [s[1]], removed: [] });
    expect(m.strokes.map((x) => x.id)).toEqual(s.map((x) => x.id));
    expect(m.canRedo).toBe(true);
  });

  it('one eraser gesture undoes as one step', () => {
    const m = new InkModel();
    const s = [line(0, 0, 100, 0), line(0, 50, 100, 50), line(0, 100, 100, 100)];
    s.forEach((x) => m.add(x));
    m.beginGroup();
    m.remove([s[0]!.id]);
    m.remove([s[2]!.id]);
    m.endGroup();
    expect(m.strokes).toHaveLength(1);
    expect(m.undo()?.added).toHaveLength(2);
    expect(m.strokes).toHaveLength(3);
  });

  it('a new stroke drops the redo history', () => {
    const m = new InkModel();
    m.add(line(0, 0, 10, 0));
    m.undo();
    m.add(line(0, 5, 10, 5));
    expect(m.canRedo).toBe(false);
    expect(m.redo()).toBeNull();
  });

  it('hit-tests against the ink, including its width: hits and near misses', () => {
    const s = line(0, 0, 100, 0, 10); // ink spans y in [-5, 5]
    expect(strokeHits(s, 50, 0, 1)).toBe(true);
    expect(strokeHits(s, 50, 8, 3.5)).toBe(true); // 8 - 3.5 = 4.5 < 5
    expect(strokeHits(s, 50, 9, 3.5)).toBe(false); // 9 - 3.5 = 5.5 > 5
    expect(strokeHits(s, 107, 0, 1)).toBe(false); // past the end cap
    expect(strokeHits(s, 104, 0, 1)).toBe(true); // within the round cap
    const dot: Stroke = { id: 'd', tool: 'pen', color: '#000', width: 4, points: [10, 10, 0.5] };
    expect(strokeHits(dot, 12, 10, 0.5)).toBe(true);
    expect(strokeHits(dot, 13, 10, 0.5)).toBe(false);
  });

  it('area/palm erase removes every stroke under the contact and nothing else', () => {
    const m = new InkModel();
    const near = [line(0, 100, 200, 100), line(100, 0, 100, 200)];
    const far = line(0, 400, 200, 400);
    [...near, far].forEach((s) => m.add(s));
    const hit = m.hitTest(100, 100, 40);
    expect(new Set(hit)).toEqual(new Set(near.map((s) => s.id)));
    const change = m.remove(hit);
    expect(change.removed).toHaveLength(2);
    expect(m.strokes).toEqual([far]);
  });

  it('stays fast with 5,000 strokes: hit-testing uses bounding boxes first', () => {
    const m = new InkModel();
    for (let i = 0; i < 5000; i++) m.add(line((i % 100) * 19, Math.floor(i / 100) * 21, (i % 100) * 19 + 15, Math.floor(i / 100) * 21 + 10, 4));
    expect(m.strokes).toHaveLength(5000);
    // Not a timing assertion: the count of strokes the eraser touches is what matters.
    expect(m.hitTest(-500, -500, 10)).toEqual([]);
    expect(m.hitTest(7, 5, 3).length).toBeGreaterThan(0);
  });

  it('serializes to the contract: every stroke round-trips through JSON and validates', () => {
    const m = new InkModel();
    m.add(line(0, 0, 30, 40));
    m.add({ ...line(5, 5, 6, 6), tool: 'highlighter', color: 'rgba(255,235,59,0.4)', width: 28 });
    const json = JSON.parse(JSON.stringify(m.strokes)) as unknown[];
    for (const s of json) expect(Stroke.safeParse(s).success).toBe(true);
    const copy = new InkModel();
    copy.load(json as Stroke[]);
    expect(copy.strokes).toEqual(m.strokes);
    expect(copy.canUndo).toBe(false);
  });

  it('restores strokes in creation order whatever order they were saved in', () => {
    const a = line(0, 0, 1, 1, 6, newStrokeId(1000));
    const b = line(0, 0, 1, 1, 6, newStrokeId(2000));
    const m = new InkModel();
    m.load([b, a]);
    expect(m.strokes.map((s) => s.id)).toEqual([a.id, b.id]);
  });

  it('makes ids that sort by creation time', () => {
    const a = newStrokeId(1000);
    const b = newStrokeId(1000);
    const c = newStrokeId(2000);
    const m = new InkModel();
    const mk = (id: string) => ({ ...line(0, 0, 1, 1), id });
    m.add(mk(c));
    m.add(mk(a));
    m.add(mk(b));
    expect(m.strokes.map((s) => s.id)).toEqual([a, b, c]);
  });
});
