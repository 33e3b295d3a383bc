// Ink latency in headless Chromium on the real teaching UI (a board page served
// by the hub): five fingers drawing through CDP touch events, with 5,000 strokes
// already on the page, against the same page with none (baseline), same run.
// Latency = pointer event timeStamp → the animation frame that painted it
// (the surface stamps data-painted at the end of its rAF draw).
//
//   npx tsx bench/ink.ts        (needs `npm run build` first)
import fs from 'node:fs';
import path from 'node:path';
import { hubServices } from '../tests/fixtures/services';
import type { Page } from 'playwright-core';
import { launchBrowser, newBoardPage, startHubProcess } from '../tests/e2e/harness';
import fsPromises from 'node:fs/promises';
import os from 'node:os';

const STROKES = Number(process.env.BENCH_STROKES ?? 5000);
const MOVES = Number(process.env.BENCH_MOVES ?? 120);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** Five fingers down, MOVES wavy moves together through CDP touch events, lifted. */
async function fiveFingers(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const fingers = [0, 1, 2, 3, 4].map((i) => ({ id: i + 1, x: 200 + i * 300, y: 250 }));
  const at = (i: number) => fingers.map((f) => ({ ...f, x: f.x + i * 2, y: f.y + Math.sin(i / 6) * 60 + i * 3, radiusX: 2, radiusY: 2, force: 0.5 }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
  for (let i = 1; i <= MOVES; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(i) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** Writes `count` realistic handwriting strokes onto one board page, as if drawn before. */
function seed(data: string, page: string, count: number) {
  const s = hubServices(data, 'bench');
  let seedN = 7;
  const rand = () => ((seedN = (seedN * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < count; i++) {
    const x0 = rand() * 1800 + 60;
    const y0 = rand() * 900 + 60;
    const points: number[] = [];
    for (let k = 0; k < 24; k++) points.push(x0 + k * 3 + Math.sin(k / 3) * 8, y0 + Math.cos(k / 4) * 10 + k, 0.5);
    s.db
      .prepare('INSERT INTO annotations(id, target, page, seq, stroke, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(`seed-${String(i).padStart(5, '0')}`, 'board:free', page, i, JSON.stringify({ id: `0-${i.toString(36)}-seed`, tool: 'pen', color: '#ffffff', width: 6, points }), Date.now());
  }
  s.close();
}

async function measure(existing: number): Promise<{ lat: number[]; queue: number[]; draw: number[]; frames: number }> {
  const data = await fsPromises.mkdtemp(path.join(os.tmpdir(), 'cb-bench-ink-'));
  seed(data, 'bench', existing);
  const hub = await startHubProcess({ data });
  const browser = await launchBrowser();
  try {
    const page = await newBoardPage(browser);
    await page.addInitScript(() => localStorage.setItem('classboard.board.pages', JSON.stringify([{ id: 'bench', template: 'green' }])));
    await page.goto(`${hub.url}#/board`);
    const live = page.locator('canvas.ink-layer__live');
    await live.waitFor();
    await page.waitForFunction((n) => document.querySelector('canvas.ink-layer__live')?.getAttribute('data-stroke-count') === String(n), existing, { timeout: 60_000 });
    await page.evaluate(() => {
      const c = document.querySelector('canvas.ink-layer__live') as HTMLCanvasElement;
      const w = window as unknown as { inkLat: number[]; inkQueue: number[]; inkDraw: number[]; inkFrames: number; pending: [number, number][] };
      w.inkLat = [];
      w.inkQueue = [];
      w.inkDraw = [];
      w.inkFrames = 0;
      w.pending = [];
      // Capture runs before the surface's own handler: event time, and when the page got it.
      // The event the surface draws on (pointerrawupdate where the browser has it).
      const type = 'onpointerrawupdate' in window ? 'pointerrawupdate' : 'pointermove';
      c.addEventListener(type, (e) => w.pending.push([e.timeStamp, performance.now()]), true);
      new MutationObserver(() => {
        const painted = Number(c.dataset.painted);
        w.inkFrames++;
        for (const [t, got] of w.pending) {
          w.inkLat.push(painted - t);
          w.inkQueue.push(got - t);
          w.inkDraw.push(painted - got);
        }
        w.pending = [];
      }).observe(c, { attributes: true, attributeFilter: ['data-painted'] });
    });
    await fiveFingers(page);
    await page.waitForFunction((n) => document.querySelector('canvas.ink-layer__live')?.getAttribute('data-stroke-count') === String(n), existing + 5);
    const r = await page.evaluate(() => {
      const w = window as unknown as { inkLat: number[]; inkQueue: number[]; inkDraw: number[]; inkFrames: number };
      return { lat: w.inkLat, queue: w.inkQueue, draw: w.inkDraw, frames: w.inkFrames };
    });
    return r;
  } finally {
    await browser.close();
    await hub.stop();
    fs.rmSync(data, { recursive: true, force: true });
  }
}

/**
 * The floor: a bare canvas that paints a dot in the same event, fed the same CDP
 * touches. What it measures is Chromium's own input delivery, not ours.
 */
async function measureFloor(): Promise<{ lat: number[]; queue: number[]; draw: number[]; frames: number }> {
  const browser = await launchBrowser();
  try {
    const page = await newBoardPage(browser);
    await page.setContent('<canvas width=1920 height=1080 style="touch-action:none;position:fixed;inset:0"></canvas>');
    await page.evaluate(() => {
      const c = document.querySelector('canvas')!;
      const ctx = c.getContext('2d', { desynchronized: true })!;
      const w = window as unknown as { r: { lat: number[]; queue: number[]; draw: number[]; frames: number } };
      w.r = { lat: [], queue: [], draw: [], frames: 0 };
      const type = 'onpointerrawupdate' in window ? 'pointerrawupdate' : 'pointermove';
      c.addEventListener(type, (e) => {
        const got = performance.now();
        ctx.fillStyle = '#fff';
        ctx.fillRect((e as PointerEvent).clientX, (e as PointerEvent).clientY, 4, 4);
        const painted = performance.now();
        w.r.lat.push(painted - e.timeStamp);
        w.r.queue.push(got - e.timeStamp);
        w.r.draw.push(painted - got);
        w.r.frames++;
      });
    });
    await fiveFingers(page);
    return await page.evaluate(() => (window as unknown as { r: { lat: number[]; queue: number[]; draw: number[]; frames: number } }).r);
  } finally {
    await browser.close();
  }
}

const floor = await measureFloor();
const base = await measure(0);
const loaded = await measure(STROKES);
const out: string[] = [];
const log = (l = '') => {
  console.log(l);
  out.push(l);
};
log('# Ink latency benchmark');
log();
log(`${new Date().toISOString()} · headless Chromium (software rendering, --disable-gpu) · 1920×1080 · 5 fingers × ${MOVES} moves through CDP touch events`);
log();
log('| strokes already on the page | events | paints | latency p50 ms | latency p95 ms | max ms | of which input queue p50/p95 | of which our paint p50/p95 |');
log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [n, r] of [
  ['bare canvas, same touches (floor)', floor],
  [0, base],
  [STROKES, loaded],
] as const) {
  log(
    `| ${typeof n === 'number' ? n.toLocaleString('en') : n} | ${r.lat.length} | ${r.frames} | ${pct(r.lat, 50).toFixed(1)} | ${pct(r.lat, 95).toFixed(1)} | ${Math.max(...r.lat).toFixed(1)} | ${pct(r.queue, 50).toFixed(1)} / ${pct(r.queue, 95).toFixed(1)} | ${pct(r.draw, 50).toFixed(2)} / ${pct(r.draw, 95).toFixed(2)} |`,
  );
}
log();
log(`Ratio with ${STROKES.toLocaleString('en')} strokes vs the bare-canvas floor: p50 ${(pct(loaded.lat, 50) / pct(floor.lat, 50)).toFixed(2)}×, p95 ${(pct(loaded.lat, 95) / pct(floor.lat, 95)).toFixed(2)}×.`);
log(`Ratio with ${STROKES.toLocaleString('en')} strokes vs none: p50 ${(pct(loaded.lat, 50) / pct(base.lat, 50)).toFixed(2)}×, p95 ${(pct(loaded.lat, 95) / pct(base.lat, 95)).toFixed(2)}×. Target: p95 ≤ 16 ms with 5 pointers and 5,000 strokes.`);
fs.mkdirSync(path.resolve('bench/results'), { recursive: true });
fs.writeFileSync(path.resolve('bench/results/ink.md'), `${out.join('\n')}\n`);
