// The ink on one surface, as data: ordered strokes, undo/redo, and eraser
// hit-testing. No DOM here, so it is unit-tested under Node. Coordinates are the
// surface's content space (see InkLayer), so ink stays put when the view scales.
import type { Stroke } from '../../../preload/contract/annotations';

export type { Stroke };

/** What a change did, for persistence: strokes to save and ids to delete. */
export interface InkChange {
  added: Stroke[];
  removed: string[];
}

type Op = { kind: 'add' | 'remove'; strokes: Stroke[] };

/** Undo steps kept per page; older ones fall off. */
const MAX_STEPS = 200;

/**
 * One page's undo and redo, kept apart from the model that shows it: a surface
 * shows many pages in turn (and is rebuilt with each plan item), and the
 * teacher who turns back to a page can still undo there (a 清屏 included).
 */
export interface PageHistory {
  undo: Op[];
  redo: Op[];
  /** The page as this board last showed it, and how many of its changes are not saved yet. */
  shown: Stroke[];
  unsaved: number;
}

function freshHistory(): PageHistory {
  return { undo: [], redo: [], shown: [], unsaved: 0 };
}

/**
 * Every page's history while the teaching UI is open (memory only). Bounded:
 * the pages used longest ago are forgotten first, never one with unsaved changes.
 */
export class InkHistories {
  private readonly pages = new Map<string, PageHistory>();

  constructor(private readonly maxPages = 100) {}

  get(target: string, page: string): PageHistory {
    const key = `${target}\n${page}`;
    const h = this.pages.get(key) ?? freshHistory();
    // Map order is use order: the page used now goes last.
    this.pages.delete(key);
    this.pages.set(key, h);
    for (const [k, old] of this.pages) {
      if (this.pages.size <= this.maxPages) break;
      if (old !== h && old.unsaved === 0) this.pages.delete(k);
    }
    return h;
  }

  get size(): number {
    return this.pages.size;
  }

  /** Drops every page of `target` (a deleted plan: its id, a SQLite rowid, is given to the next plan made). */
  forget(target: string): void {
    for (const key of [...this.pages.keys()]) if (key.startsWith(`${target}\n`)) this.pages.delete(key);
  }
}

/**
 * What a page opened on this board shows once the hub's copy arrives. `seen` is
 * what the board showed when the page opened, `now` what it shows now: she may
 * have written (or undone) while the hub was answering, and those strokes may
 * not be saved yet. Her changes are kept, with the hub's strokes she never saw.
 * Otherwise the hub's copy is shown; when it is not the page this history
 * remembers (a deleted plan's id taken by a new one: ids are SQLite rowids), the
 * undo and redo steps belong to another page and are dropped, so 撤销 cannot
 * bring back and save ink that was never on this one.
 */
export function reconcile(history: PageHistory, hub: readonly Stroke[], seen: readonly Stroke[], now: readonly Stroke[], changed: boolean): Stroke[] {
  if (changed || history.unsaved > 0) {
    const seenIds = new Set(seen.map((s) => s.id));
    const nowIds = new Set(now.map((s) => s.id));
    return [...now, ...hub.filter((s) => !seenIds.has(s.id) && !nowIds.has(s.id))];
  }
  if (!sameIds(hub, seen)) {
    history.undo.length = 0;
    history.redo.length = 0;
  }
  return [...hub];
}

function sameIds(a: readonly Stroke[], b: readonly Stroke[]): boolean {
  if (a.length !== b.length) return false;
  const ids = new Set(a.map((s) => s.id));
  return b.every((s) => ids.has(s.id));
}

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function boundsOf(s: Stroke): Box {
  const p = s.points;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < p.length; i += 3) {
    const x = p[i]!;
    const y = p[i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const r = s.width / 2;
  return { minX: minX - r, minY: minY - r, maxX: maxX + r, maxY: maxY + r };
}

/** Squared distance from (px,py) to the segment (ax,ay)-(bx,by). */
function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  const cx = ax + t * dx - px;
  const cy = ay + t * dy - py;
  return cx * cx + cy * cy;
}

/** Does a circle at (x,y) of radius r touch the stroke's ink (its centre line widened by half its width)? */
export function strokeHits(s: Stroke, x: number, y: number, r: number, box: Box = boundsOf(s)): boolean {
  if (x + r < box.minX || x - r > box.maxX || y + r < box.minY || y - r > box.maxY) return false;
  const reach = r + s.width / 2;
  const reach2 = reach * reach;
  const p = s.points;
  if (p.length === 3) return (p[0]! - x) ** 2 + (p[1]! - y) ** 2 <= reach2;
  for (let i = 3; i < p.length; i += 3) {
    if (segmentDistance2(x, y, p[i - 3]!, p[i - 2]!, p[i]!, p[i + 1]!) <= reach2) return true;
  }
  return false;
}

export class InkModel {
  private list: Stroke[] = [];
  private boxes = new Map<string, Box>();
  private history: PageHistory = freshHistory();
  private grouping = false;
  private groupOp: Op | null = null;
  /** Bumped on every change; renderers redraw when it moves. */
  version = 0;

  get strokes(): readonly Stroke[] {
    return this.list;
  }

  get canUndo(): boolean {
    return this.history.undo.length > 0;
  }

  get canRedo(): boolean {
    return this.history.redo.length > 0;
  }

  /**
   * Replaces everything (a page opened). The page's history, if given, is used
   * in place and goes on from where it was; without one, history starts fresh.
   */
  load(strokes: Stroke[], history: PageHistory = freshHistory()): void {
    // Creation order, not save order: a stroke restored by undo is saved again last.
    this.list = [...strokes].sort(bySeq);
    this.boxes = new Map(strokes.map((s) => [s.id, boundsOf(s)]));
    this.history = history;
    history.shown = this.list;
    this.grouping = false;
    this.groupOp = null;
    this.version++;
  }

  add(stroke: Stroke): InkChange {
    this.apply({ kind: 'add', strokes: [stroke] });
    this.record({ kind: 'add', strokes: [stroke] });
    return { added: [stroke], removed: [] };
  }

  /** Removes these strokes (eraser, clear); one undo step. */
  remove(ids: Iterable<string>): InkChange {
    const wanted = new Set(ids);
    const gone = this.list.filter((s) => wanted.has(s.id));
    if (gone.length === 0) return { added: [], removed: [] };
    this.apply({ kind: 'remove', strokes: gone });
    this.record({ kind: 'remove', strokes: gone });
    return { added: [], removed: gone.map((s) => s.id) };
  }

  clear(): InkChange {
    return this.remove(this.list.map((s) => s.id));
  }

  undo(): InkChange | null {
    const op = this.history.undo.pop();
    if (!op) return null;
    const inverse: Op = { kind: op.kind === 'add' ? 'remove' : 'add', strokes: op.strokes };
    this.apply(inverse);
    this.history.redo.push(op);
    return changeOf(inverse);
  }

  redo(): InkChange | null {
    const op = this.history.redo.pop();
    if (!op) return null;
    this.apply(op);
    this.history.undo.push(op);
    return changeOf(op);
  }

  /** Ids of the strokes a circle at (x,y) with radius r touches, topmost first. */
  hitTest(x: number, y: number, r: number): string[] {
    const hits: string[] = [];
    for (let i = this.list.length - 1; i >= 0; i--) {
      const s = this.list[i]!;
      if (strokeHits(s, x, y, r, this.boxes.get(s.id))) hits.push(s.id);
    }
    return hits;
  }

  /** Everything removed until endGroup() (one eraser or palm gesture) undoes as one step. */
  beginGroup(): void {
    this.grouping = true;
    this.groupOp = null;
  }

  endGroup(): void {
    this.grouping = false;
    this.groupOp = null;
  }

  private record(op: Op): void {
    if (this.grouping && op.kind === 'remove') {
      if (this.groupOp) {
        this.groupOp.strokes.push(...op.strokes);
        this.history.redo.length = 0;
        return;
      }
      this.groupOp = op;
    }
    // In place: the arrays are the page's history, kept after the model moves on.
    const { undo, redo } = this.history;
    undo.push(op);
    if (undo.length > MAX_STEPS) undo.shift();
    redo.length = 0;
  }

  private apply(op: Op): void {
    if (op.kind === 'add') {
      for (const s of op.strokes) {
        if (this.boxes.has(s.id)) continue;
        this.list.push(s);
        this.boxes.set(s.id, boundsOf(s));
      }
      // Keep drawing order stable across undo/redo of interleaved edits; a new
      // stroke is already last, so the common case costs no sort.
      const n = this.list.length;
      if (n > 1 && bySeq(this.list[n - 2]!, this.list[n - 1]!) > 0) this.list.sort(bySeq);
    } else {
      const ids = new Set(op.strokes.map((s) => s.id));
      this.list = this.list.filter((s) => !ids.has(s.id));
      for (const id of ids) this.boxes.delete(id);
    }
    // The same array while this page is shown; left as it was when the model loads another.
    this.history.shown = this.list;
    this.version++;
  }
}

function changeOf(op: Op): InkChange {
  return op.kind === 'add' ? { added: op.strokes, removed: [] } : { added: [], removed: op.strokes.map((s) => s.id) };
}

/**
 * Several changes to one page as one: what the page shows after all of them.
 * Removals go before additions when saved, so the two lists never share an id.
 */
export function mergeChanges(changes: readonly InkChange[]): InkChange {
  const added = new Map<string, Stroke>();
  const removed = new Set<string>();
  for (const c of changes) {
    for (const id of c.removed) {
      added.delete(id);
      removed.add(id);
    }
    for (const s of c.added) {
      removed.delete(s.id);
      added.set(s.id, s);
    }
  }
  return { added: [...added.values()], removed: [...removed] };
}

/**
 * A change cut into requests the hub accepts (bodies up to 1 MiB, 10,000 items a
 * list): almost always one. Removals ride in the first part.
 */
export function splitChange(change: InkChange, maxBytes = 512 * 1024, maxItems = 10_000): InkChange[] {
  const parts: InkChange[] = [];
  for (let i = 0; i < change.removed.length; i += maxItems) parts.push({ added: [], removed: change.removed.slice(i, i + maxItems) });
  let part: InkChange = parts[0] ?? { added: [], removed: [] };
  if (parts.length === 0) parts.push(part);
  let bytes = 0;
  for (const s of change.added) {
    const size = JSON.stringify(s).length;
    if (part.added.length > 0 && (bytes + size > maxBytes || part.added.length >= maxItems)) {
      parts.push((part = { added: [], removed: [] }));
      bytes = 0;
    }
    part.added.push(s);
    bytes += size;
  }
  return parts.filter((p) => p.added.length + p.removed.length > 0);
}

let counter = 0;
/** Stroke ids sort by creation: "<ms base36>-<counter>-<random>". */
export function newStrokeId(now = Date.now()): string {
  counter = (counter + 1) % 1_000_000;
  return `${now.toString(36)}-${counter.toString(36).padStart(4, '0')}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Creation order from the id: time, then counter (compared apart: their product overflows 2^53). */
function bySeq(a: Stroke, b: Stroke): number {
  const [ta, ca] = seqParts(a.id);
  const [tb, cb] = seqParts(b.id);
  return ta - tb || ca - cb;
}

function seqParts(id: string): [number, number] {
  const [t, c] = id.split('-');
  const time = Number.parseInt(t ?? '', 36);
  const count = Number.parseInt(c ?? '', 36);
  return [Number.isFinite(time) ? time : 0, Number.isFinite(count) ? count : 0];
}
