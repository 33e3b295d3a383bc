// Undo lasts per page while the teaching UI is open: a surface shows many pages
// in turn (and is rebuilt with each plan item), and the history must outlive it.
import { describe, expect, it } from 'vitest';
import type { Stroke } from '../../preload/contract/annotations';
import { InkHistories, InkModel, newStrokeId, reconcile } from '../../renderer/teaching/ink/model';

const line = (y: number): Stroke => {
  const points: number[] = [];
  for (let i = 0; i <= 10; i++) points.push(i * 10, y, 0.5);
  return { id: newStrokeId(), tool: 'pen', color: '#e53935', width: 6, points };
};

describe('ink history per page', () => {
  it('undoes a 清屏 after turning away and back, in a model built anew', () => {
    const histories = new InkHistories();
    const m = new InkModel();
    m.load([], histories.get('plan:1', '1'));
    const s = [line(0), line(50), line(100)];
    s.forEach((x) => m.add(x));
    m.clear();
    // PageDown: the same model, or a new one, shows another page.
    m.load([], histories.get('plan:1', '2'));
    expect(m.canUndo).toBe(false);
    const back = new InkModel();
    back.load([], histories.get('plan:1', '1')); // the hub's copy: cleared
    expect(back.canUndo).toBe(true);
    expect(back.undo()).toEqual({ added: s, removed: [] });
    expect(back.strokes.map((x) => x.id)).toEqual(s.map((x) => x.id));
    expect(back.canRedo).toBe(true);
  });

  it('keeps each page its own history: an undo on one page leaves the other alone', () => {
    const histories = new InkHistories();
    const m = new InkModel();
    const a = line(0);
    const b = line(50);
    m.load([], histories.get('r1', 'p1'));
    m.add(a);
    m.load([], histories.get('r1', 'p2'));
    m.add(b);
    m.load([a], histories.get('r1', 'p1'));
    expect(m.undo()).toEqual({ added: [], removed: [a.id] });
    expect(m.canUndo).toBe(false);
    m.load([b], histories.get('r1', 'p2'));
    expect(m.strokes).toEqual([b]);
    expect(m.undo()).toEqual({ added: [], removed: [b.id] });
  });

  it('remembers the page as it was last shown', () => {
    const histories = new InkHistories();
    const m = new InkModel();
    const h = histories.get('r1', 'p1');
    m.load([], h);
    const a = line(0);
    m.add(a);
    m.add(line(50));
    m.undo();
    m.load([], histories.get('r1', 'p2'));
    m.add(line(100));
    expect(h.shown).toEqual([a]);
  });

  it('a model without a page history starts fresh each load', () => {
    const m = new InkModel();
    m.add(line(0));
    m.load([]);
    expect(m.canUndo).toBe(false);
  });

  it('is bounded: the pages used longest ago are forgotten, never one with unsaved changes', () => {
    const histories = new InkHistories(3);
    const first = histories.get('t', '0');
    first.unsaved = 1;
    const second = histories.get('t', '1');
    second.undo.push({ kind: 'add', strokes: [line(0)] });
    histories.get('t', '2');
    histories.get('t', '3');
    expect(histories.size).toBe(3);
    expect(histories.get('t', '0')).toBe(first);
    expect(histories.get('t', '1')).not.toBe(second);
    expect(histories.size).toBe(3);
  });

  it('keeps at most 200 undo steps a page', () => {
    const histories = new InkHistories();
    const m = new InkModel();
    m.load([], histories.get('t', 'p'));
    for (let i = 0; i < 250; i++) m.add(line(i));
    let n = 0;
    while (m.undo()) n++;
    expect(n).toBe(200);
    expect(m.strokes).toHaveLength(50);
  });

  it("when the hub's copy arrives after she wrote, keeps her strokes, her undo, and the hub's strokes she never saw", () => {
    const histories = new InkHistories();
    const h = histories.get('plan:1', '0');
    const m = new InkModel();
    const old = line(0);
    const erased = line(20);
    m.load([old, erased], h);
    const seen = h.shown;
    const fromHub = line(40); // saved from elsewhere, never shown here
    const mine = line(60);
    m.add(mine);
    m.remove([erased.id]);
    const shown = reconcile(h, [old, erased, fromHub], seen, m.strokes, true);
    m.load(shown, h);
    expect(m.strokes.map((s) => s.id)).toEqual([old, fromHub, mine].map((s) => s.id));
    expect(m.undo()).toEqual({ added: [erased], removed: [] });
    expect(m.undo()).toEqual({ added: [], removed: [mine.id] });
  });

  it("drops the undo of another page whose key the hub's copy shows is reused (a deleted plan's id)", () => {
    const histories = new InkHistories();
    const h = histories.get('plan:7', '0');
    const m = new InkModel();
    m.load([], h);
    m.add(line(0));
    m.add(line(50));
    // The plan is deleted and a new one takes id 7: the hub has nothing on its page.
    const shown = reconcile(h, [], h.shown, h.shown, false);
    m.load(shown, h);
    expect(m.strokes).toEqual([]);
    expect(m.canUndo).toBe(false);
    expect(m.canRedo).toBe(false);
  });

  it("keeps the undo when the hub's copy is the page as she left it", () => {
    const histories = new InkHistories();
    const h = histories.get('plan:1', '0');
    const m = new InkModel();
    m.load([], h);
    const a = line(0);
    m.add(a);
    m.load(reconcile(h, [a], h.shown, h.shown, false), h);
    expect(m.undo()).toEqual({ added: [], removed: [a.id] });
  });
});
