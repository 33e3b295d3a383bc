// The ink surface: two stacked canvases over any content. Finished strokes are
// painted once into the lower canvas (each stroke's outline cached as a Path2D);
// strokes in progress are redrawn on the upper one once per animation frame, so
// 5,000 strokes on the page cost nothing while five fingers write. Every pointer
// writes its own stroke; a large contact (a palm) erases.
import getStroke from 'perfect-freehand';
import { InkHistories, InkModel, newStrokeId, reconcile, type InkChange, type PageHistory, type Stroke } from './model';
import { outboxFor, type InkOutbox } from './outbox';

export type InkMode = 'pen' | 'highlighter' | 'eraser' | 'area-eraser' | 'off';

export interface InkSettings {
  mode: InkMode;
  color: string;
  /** Pen width in content units. */
  width: number;
}

export interface InkStore {
  list(target: string, page: string): Promise<Stroke[]>;
  /** Saves one change (undo of 清屏 restores every stroke at once) in one transaction. */
  save(target: string, page: string, change: InkChange): Promise<void>;
}

export interface SurfaceOptions {
  /** Content units across the surface's width (ink coordinates are in these). */
  contentWidth: number;
  /** A contact at least this wide (CSS px) is a palm and erases; by default 2rem (40 px at 1080p). */
  palmPx?: number;
  /** Undo history per page, shared by every surface while the teaching UI is open. */
  histories?: InkHistories;
  onChange?: (model: InkModel) => void;
  onError?: (message: string) => void;
}

const HIGHLIGHTER_ALPHA = 0.35;

/**
 * CSS px per rem: the UI is sized in rem, 1/54 of the screen height (see
 * styles.css), so a 4K board at scale factor 1 has twice the px per finger.
 * Touch sizes measured in rem stay the same physical size on every screen.
 */
function pxPerRem(): number {
  const px = Number.parseFloat(getComputedStyle(document.documentElement).fontSize);
  return Number.isFinite(px) && px > 0 ? px : 20;
}

/**
 * Chromium holds pointermove until the next frame; pointerrawupdate arrives as
 * soon as the input does (secure contexts: the app's file:// page, the hub on
 * localhost). Ink follows the finger a frame sooner with it.
 */
export const MOVE_EVENT: 'pointermove' | 'pointerrawupdate' =
  typeof window !== 'undefined' && 'onpointerrawupdate' in window ? ('pointerrawupdate' as 'pointermove') : 'pointermove';

/** The SVG-style outline perfect-freehand returns, as a Path2D. */
function outlinePath(points: number[][]): Path2D {
  const path = new Path2D();
  if (points.length < 2) return path;
  const [first, ...rest] = points;
  path.moveTo(first![0]!, first![1]!);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const b = rest[(i + 1) % rest.length]!;
    path.quadraticCurveTo(a[0]!, a[1]!, (a[0]! + b[0]!) / 2, (a[1]! + b[1]!) / 2);
  }
  path.closePath();
  return path;
}

function strokeOutline(s: Stroke, last: boolean): Path2D {
  const pts: number[][] = [];
  for (let i = 0; i < s.points.length; i += 3) pts.push([s.points[i]!, s.points[i + 1]!, s.points[i + 2]!]);
  const realPressure = s.tool === 'pen' && pts.some((p) => p[2] !== 0.5 && p[2]! > 0);
  return outlinePath(
    getStroke(pts, {
      size: s.width,
      thinning: realPressure ? 0.6 : 0,
      smoothing: 0.5,
      streamline: 0.35,
      simulatePressure: false,
      last,
    }),
  );
}

interface Live {
  stroke: Stroke;
  erasing: boolean;
  radius: number;
}

export class InkSurface {
  readonly model = new InkModel();
  private readonly base: CanvasRenderingContext2D;
  private readonly live: CanvasRenderingContext2D;
  private readonly paths = new Map<string, Path2D>();
  private readonly active = new Map<number, Live>();
  private settings: InkSettings = { mode: 'off', color: '#e53935', width: 6 };
  private key: { target: string; page: string; history: PageHistory } | null = null;
  private readonly histories: InkHistories;
  private scale = 1;
  private dpr = 1;
  private frame = 0;
  private baseVersion = -1;
  /** Ids painted into the base canvas, in order: new strokes at the end are painted alone. */
  private painted: string[] = [];
  private readonly outbox: InkOutbox;
  private readonly unwatch: () => void;
  private readonly resizeObserver: ResizeObserver;
  private loadSeq = 0;

  constructor(
    private readonly host: HTMLElement,
    private readonly baseCanvas: HTMLCanvasElement,
    private readonly liveCanvas: HTMLCanvasElement,
    private readonly store: InkStore,
    private readonly opts: SurfaceOptions,
  ) {
    this.histories = opts.histories ?? new InkHistories();
    this.base = baseCanvas.getContext('2d')!;
    this.live = liveCanvas.getContext('2d', { desynchronized: true }) ?? liveCanvas.getContext('2d')!;
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(host);
    liveCanvas.addEventListener('pointerdown', this.onDown);
    liveCanvas.addEventListener(MOVE_EVENT, this.onMove as EventListener);
    liveCanvas.addEventListener('pointerup', this.onUp);
    liveCanvas.addEventListener('pointercancel', this.onUp);
    liveCanvas.addEventListener('touchstart', this.onTouchStart, { passive: false });
    this.outbox = outboxFor(store);
    this.unwatch = this.outbox.watch({
      unsaved: (n) => (liveCanvas.dataset.unsaved = String(n)),
      error: (m) => opts.onError?.(m),
    });
    this.resize();
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.resizeObserver.disconnect();
    this.liveCanvas.removeEventListener('pointerdown', this.onDown);
    this.liveCanvas.removeEventListener(MOVE_EVENT, this.onMove as EventListener);
    this.liveCanvas.removeEventListener('pointerup', this.onUp);
    this.liveCanvas.removeEventListener('pointercancel', this.onUp);
    this.liveCanvas.removeEventListener('touchstart', this.onTouchStart);
    this.unwatch();
  }

  setSettings(settings: InkSettings): void {
    this.settings = settings;
    this.liveCanvas.style.pointerEvents = settings.mode === 'off' ? 'none' : 'auto';
  }

  /** Shows the ink of another target/page, loaded from the store. */
  async open(target: string, page: string): Promise<void> {
    const seq = ++this.loadSeq;
    const history = this.histories.get(target, page);
    this.key = { target, page, history };
    this.paths.clear();
    if (history.unsaved > 0) {
      // Changes to this page are still on their way to the hub (or waiting for
      // it): the hub's copy is older than what the teacher left, so show hers.
      this.model.load(history.shown, history);
      this.requestDraw();
      return;
    }
    // Her page as this board last showed it, with its history, until the hub's
    // copy arrives: what she writes meanwhile (or if the hub never answers) goes
    // into this page's history, which the outbox counts as unsaved.
    const seen = history.shown;
    this.model.load(seen, history);
    const version = this.model.version;
    this.requestDraw();
    try {
      const strokes = await this.store.list(target, page);
      if (seq !== this.loadSeq) return;
      const changed = this.model.version !== version;
      this.model.load(reconcile(history, strokes, seen, this.model.strokes, changed), history);
      this.requestDraw();
    } catch (err) {
      this.opts.onError?.((err as Error).message);
    }
  }

  undo(): void {
    this.commit(this.model.undo());
  }

  redo(): void {
    this.commit(this.model.redo());
  }

  clear(): void {
    this.commit(this.model.clear());
  }

  // --- input ---------------------------------------------------------------

  private toContent(e: PointerEvent): [number, number] {
    const r = this.liveCanvas.getBoundingClientRect();
    return [(e.clientX - r.left) / this.scale, (e.clientY - r.top) / this.scale];
  }

  /**
   * A finger that lifts while still moving (the flick ending 撇 or 钩) makes
   * Chromium start a fling even under touch-action: none, and on Windows and
   * Linux the next tap that stops the fling gives no click: 撤销 tapped within
   * ~0.3 s did nothing. Taking the touch sequence here means Chromium makes no
   * gestures from it; ink comes from pointer events, which still arrive.
   */
  private readonly onTouchStart = (e: TouchEvent) => {
    if (this.settings.mode !== 'off' && this.key) e.preventDefault();
  };

  private readonly onDown = (e: PointerEvent) => {
    if (this.settings.mode === 'off' || !this.key) return;
    e.preventDefault();
    this.liveCanvas.setPointerCapture?.(e.pointerId);
    // In rem, as the UI is: a fixed 40 px took a 4K board's finger (44 px there, 22 px at 1080p) for a palm.
    const rem = pxPerRem();
    const palm = Math.max(e.width, e.height) >= (this.opts.palmPx ?? 2 * rem);
    const mode = this.settings.mode;
    const erasing = palm || mode === 'eraser' || mode === 'area-eraser';
    const radius = palm ? Math.max(e.width, e.height) / 2 / this.scale : ((mode === 'area-eraser' ? 2 : 0.5) * rem) / this.scale;
    const [x, y] = this.toContent(e);
    const tool = mode === 'highlighter' ? 'highlighter' : 'pen';
    const stroke: Stroke = {
      id: newStrokeId(),
      tool,
      color: this.settings.color,
      width: tool === 'highlighter' ? this.settings.width * 4 : this.settings.width,
      points: [x, y, e.pointerType === 'pen' ? e.pressure : 0.5],
    };
    if (erasing) this.model.beginGroup();
    this.active.set(e.pointerId, { stroke, erasing, radius });
    if (erasing) this.eraseAt(x, y, radius);
    this.requestDraw();
  };

  private readonly onMove = (e: PointerEvent) => {
    const live = this.active.get(e.pointerId);
    if (!live) return;
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length > 0 ? events : [e]) {
      const [x, y] = this.toContent(ev);
      if (live.erasing) this.eraseAt(x, y, live.radius);
      else live.stroke.points.push(x, y, ev.pointerType === 'pen' ? ev.pressure : 0.5);
    }
    // Ink in progress is painted now, in the event, not at the next animation
    // frame: waiting for rAF put it a frame behind the finger.
    if (!live.erasing) this.drawLive();
  };

  private readonly onUp = (e: PointerEvent) => {
    const live = this.active.get(e.pointerId);
    if (!live) return;
    this.active.delete(e.pointerId);
    if (live.erasing) {
      this.model.endGroup();
    } else if (live.stroke.points.length >= 3) {
      this.commit(this.model.add(live.stroke));
    }
    this.requestDraw();
  };

  private eraseAt(x: number, y: number, r: number): void {
    const hits = this.model.hitTest(x, y, r);
    if (hits.length > 0) this.commit(this.model.remove(hits));
  }

  // --- persistence: every change is saved at once, whole; failures retry in order (outbox.ts) ---

  private commit(change: InkChange | null): void {
    if (!change || !this.key) return;
    const { target, page, history } = this.key;
    this.outbox.push(target, page, change, history);
    this.opts.onChange?.(this.model);
    this.liveCanvas.dataset.strokeCount = String(this.model.strokes.length);
    this.requestDraw();
  }

  // --- drawing ---------------------------------------------------------------

  private resize(): void {
    const w = this.host.clientWidth;
    const h = this.host.clientHeight;
    this.dpr = window.devicePixelRatio || 1;
    this.scale = w / this.opts.contentWidth;
    for (const c of [this.baseCanvas, this.liveCanvas]) {
      c.width = Math.max(1, Math.round(w * this.dpr));
      c.height = Math.max(1, Math.round(h * this.dpr));
      c.style.width = `${w}px`;
      c.style.height = `${h}px`;
    }
    this.baseVersion = -1;
    this.requestDraw();
  }

  private requestDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private paint(ctx: CanvasRenderingContext2D, s: Stroke, path: Path2D): void {
    ctx.globalAlpha = s.tool === 'highlighter' ? HIGHLIGHTER_ALPHA : 1;
    ctx.fillStyle = s.color;
    ctx.fill(path);
  }

  private draw(): void {
    const k = this.scale * this.dpr;
    if (this.baseVersion !== this.model.version) {
      // Finished strokes change rarely (a stroke ends, an erase, an undo). A stroke
      // added on top is painted alone; anything else repaints from cached outlines.
      const ctx = this.base;
      const strokes = this.model.strokes;
      const n = this.painted.length;
      const appended = this.baseVersion >= 0 && strokes.length > n && (n === 0 || strokes[n - 1]!.id === this.painted[n - 1]);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      if (!appended) {
        ctx.clearRect(0, 0, this.baseCanvas.width, this.baseCanvas.height);
        this.painted = [];
        const keep = new Set(strokes.map((x) => x.id));
        for (const id of this.paths.keys()) if (!keep.has(id)) this.paths.delete(id);
      }
      ctx.setTransform(k, 0, 0, k, 0, 0);
      for (let i = this.painted.length; i < strokes.length; i++) {
        const s = strokes[i]!;
        let p = this.paths.get(s.id);
        if (!p) this.paths.set(s.id, (p = strokeOutline(s, true)));
        this.paint(ctx, s, p);
        this.painted.push(s.id);
      }
      ctx.globalAlpha = 1;
      this.baseVersion = this.model.version;
      this.liveCanvas.dataset.strokeCount = String(this.model.strokes.length);
    }
    this.drawLive();
  }

  private drawLive(): void {
    const k = this.scale * this.dpr;
    const live = this.live;
    live.setTransform(1, 0, 0, 1, 0, 0);
    live.clearRect(0, 0, this.liveCanvas.width, this.liveCanvas.height);
    live.setTransform(k, 0, 0, k, 0, 0);
    for (const { stroke, erasing } of this.active.values()) {
      if (!erasing) this.paint(live, stroke, strokeOutline(stroke, false));
    }
    live.globalAlpha = 1;
    this.liveCanvas.dataset.painted = String(performance.now());
  }
}
