// How ink changes are put together for saving: merged in order, split only when too big.
import { describe, expect, it } from 'vitest';
import { mergeChanges, splitChange, type Stroke } from '../../renderer/teaching/ink/model';

const s = (id: string, n = 1): Stroke => ({ id, tool: 'pen', color: '#000', width: 4, points: Array.from({ length: n * 3 }, () => 1) });

describe('mergeChanges', () => {
  it('keeps what the page shows after all the changes, strokes in the order drawn', () => {
    const m = mergeChanges([
      { added: [s('a')], removed: [] },
      { added: [s('b')], removed: [] },
      { added: [], removed: ['a', 'old'] },
      { added: [s('c')], removed: [] },
      { added: [s('a')], removed: [] }, // undo of the erase
    ]);
    expect(m.added.map((x) => x.id)).toEqual(['b', 'c', 'a']);
    expect(m.removed).toEqual(['old']);
  });
});

describe('splitChange', () => {
  it('is one part for an ordinary change', () => {
    expect(splitChange({ added: [s('a'), s('b')], removed: ['x'] })).toHaveLength(1);
  });
  it('cuts a very large change under the size limit, removals first, nothing lost', () => {
    const added = Array.from({ length: 30 }, (_, i) => s(`k${i}`, 100));
    const parts = splitChange({ added, removed: ['x', 'y'] }, 5000);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]!.removed).toEqual(['x', 'y']);
    expect(parts.flatMap((p) => p.added)).toEqual(added);
    for (const p of parts) expect(p.added.length === 1 || JSON.stringify(p.added).length <= 5000 + 2 * p.added.length).toBe(true);
  });
});
