// Opening a cached lesson to its first video frame, in headless Chromium against
// the real hub, compared in the same run with the same file opened directly in a
// bare <video> (the baseline), interleaved so machine noise hits both alike.
// Then a PDF task sheet: tap → first page painted, against bare pdf.js in a fresh page.
// Also reports the teaching UI's JavaScript loaded before the first lesson opens.
//
//   npx tsx bench/first-frame.ts        (needs `npm run build` first)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launchBrowser, newBoardPage, startHubProcess } from '../tests/e2e/harness';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25);
const PDF_ROUNDS = Number(process.env.BENCH_PDF_ROUNDS ?? 7);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main() {
  const hub = await startHubProcess();
  const browser = await launchBrowser();
  const out: string[] = [];
  const log = (l = '') => {
    console.log(l);
    out.push(l);
  };
  try {
    const page = await newBoardPage(browser);
    const scripts = new Map<string, number>();
    page.on('response', async (r) => {
      if (r.request().resourceType() === 'script') scripts.set(r.url(), (await r.body().catch(() => Buffer.alloc(0))).length);
    });
    await page.goto(hub.url);
    await page.getByRole('searchbox').waitFor();
    await page.waitForLoadState('networkidle');
    // JS the board downloads before any lesson opens (gzip as the hub would send it).
    let raw = 0;
    let gz = 0;
    const built = path.resolve('out/renderer');
    for (const url of scripts.keys()) {
      const file = path.join(built, new URL(url).pathname);
      if (!fs.existsSync(file)) continue;
      const bytes = fs.readFileSync(file);
      raw += bytes.length;
      gz += zlib.gzipSync(bytes, { level: 9 }).length;
    }

    const found = (await (await fetch(`${hub.url}api/library:search`, { method: 'POST', body: JSON.stringify({ query: '三角形的内角和' }) })).json()) as {
      value: { results: { id: string; type: string }[] };
    };
    const id = found.value.results.find((r) => r.type === 'video')!.id;
    const res = (await (await fetch(`${hub.url}api/library:resource`, { method: 'POST', body: JSON.stringify({ id }) })).json()) as {
      value: { files: { role: string; url: string; height: number }[] };
    };
    void res;
    // The very URL the teaching UI plays, so both sides meet the same HTTP cache.
    const mediaUrl = new URL(`media/resource/${encodeURIComponent(id)}`, hub.url).href;

    const app: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // The teaching UI: tap the lesson (a hash change) → library:open → <video> → first frame.
      await page.evaluate(() => (window.location.hash = '#/'));
      await page.getByRole('searchbox').waitFor();
      // Let the home screen's own requests finish, as they would before a teacher taps.
      await page.waitForTimeout(300);
      app.push(
        await page.evaluate(async (rid) => {
          const t0 = performance.now();
          window.location.hash = `#/resource/${encodeURIComponent(rid)}/video`; // as a tap on a video row
          // A MutationObserver sees the <video> the moment React inserts it (polling
          // per animation frame would add up to 16 ms to the measurement). No named
          // inner functions: tsx would wrap them in a helper the page lacks.
          const v = await new Promise<HTMLVideoElement>((resolve) => {
            const found = document.querySelector('video');
            if (found) return resolve(found);
            const mo = new MutationObserver(() => {
              const el = document.querySelector('video');
              if (el) {
                mo.disconnect();
                resolve(el);
              }
            });
            mo.observe(document.body, { childList: true, subtree: true });
          });
          if (v.readyState < 2) await new Promise((r) => v!.addEventListener('loadeddata', r, { once: true }));
          return performance.now() - t0;
        }, id),
      );
      // Baseline: the same file in a bare <video>, same page, same cache state.
      bare.push(
        await page.evaluate(async (url) => {
          const t0 = performance.now();
          const v = document.createElement('video');
          v.preload = 'auto';
          v.muted = true;
          v.src = url;
          document.body.append(v);
          await new Promise((r) => v.addEventListener('loadeddata', r, { once: true }));
          const t = performance.now() - t0;
          v.remove();
          return t;
        }, mediaUrl),
      );
    }

    // A PDF task sheet: tap → first page painted, each round on a fresh page (pdf.js and its
    // worker not yet loaded, as at a teacher's first PDF of the day; the HTTP cache warm).
    // Baseline: pdf.js alone in a fresh page, rendering the same file's page 1 at the same size.
    let pdfId: string | undefined;
    for (let k = 0; k < 50 && !pdfId; k++) {
      const r = (await (await fetch(`${hub.url}api/library:search`, { method: 'POST', body: JSON.stringify({ query: '大青树 学习任务单' }) })).json()) as {
        value?: { results: { id: string; type: string }[] };
      };
      pdfId = r.value?.results.find((x) => x.type === 'pdf')?.id;
      if (!pdfId) await new Promise((r) => setTimeout(r, 200));
    }
    const assets = fs.readdirSync(path.resolve('out/renderer/assets'));
    const pdfjsUrl = new URL(`assets/${assets.find((f) => /^pdf-.*\.js$/.test(f))!}`, hub.url).href;
    const workerUrl = new URL(`assets/${assets.find((f) => /^pdf\.worker.*\.mjs$/.test(f))!}`, hub.url).href;
    const pdfApp: number[] = [];
    const pdfBare: number[] = [];
    let canvasWidth = 0;
    for (let i = 0; i < PDF_ROUNDS; i++) {
      const p = await newBoardPage(browser);
      await p.goto(hub.url);
      await p.getByRole('searchbox').waitFor();
      await p.waitForLoadState('networkidle');
      await p.waitForTimeout(300);
      const r = await p.evaluate(async (rid) => {
        const t0 = performance.now();
        window.location.hash = `#/resource/${encodeURIComponent(rid)}/pdf`; // as a tap on the 学习任务单 row
        await new Promise<void>((resolve) => {
          const mo = new MutationObserver(() => {
            if (document.querySelector('canvas.pdf-page[data-rendered-page="1"]')) {
              mo.disconnect();
              resolve();
            }
          });
          mo.observe(document.body, { childList: true, subtree: true, attributes: true });
        });
        await new Promise((r) => requestAnimationFrame(r)); // the frame that shows it
        return { ms: performance.now() - t0, width: document.querySelector<HTMLCanvasElement>('canvas.pdf-page')!.width };
      }, pdfId!);
      pdfApp.push(r.ms);
      canvasWidth = r.width;
      await p.close();
      const b = await newBoardPage(browser);
      await b.goto(hub.url);
      await b.getByRole('searchbox').waitFor();
      await b.waitForLoadState('networkidle');
      await b.waitForTimeout(300);
      pdfBare.push(
        await b.evaluate(
          async ({ lib, worker, url, width }) => {
            const t0 = performance.now();
            const pdfjs = await import(lib);
            pdfjs.GlobalWorkerOptions.workerSrc = worker;
            const doc = await pdfjs.getDocument({ url, isEvalSupported: false }).promise;
            const pg = await doc.getPage(1);
            const vp = pg.getViewport({ scale: width / pg.getViewport({ scale: 1 }).width });
            const c = document.createElement('canvas');
            c.width = Math.floor(vp.width);
            c.height = Math.floor(vp.height);
            document.body.append(c);
            await pg.render({ canvas: c, canvasContext: c.getContext('2d')!, viewport: vp }).promise;
            await new Promise((r) => requestAnimationFrame(r));
            return performance.now() - t0;
          },
          { lib: pdfjsUrl, worker: workerUrl, url: new URL(`media/resource/${encodeURIComponent(pdfId!)}`, hub.url).href, width: canvasWidth },
        ),
      );
      await b.close();
    }

    log('# Teaching-mode benchmark: first frame and initial JavaScript');
    log();
    log(`${new Date().toISOString()} · headless Chromium · 1920×1080 · ${ROUNDS} interleaved rounds · hub on 127.0.0.1`);
    log();
    log('| open to first video frame | p50 ms | p95 ms | max ms |');
    log('|---|---:|---:|---:|');
    log(`| teaching UI (tap a video row → <video> loadeddata; library:open in parallel) | ${pct(app, 50).toFixed(1)} | ${pct(app, 95).toFixed(1)} | ${Math.max(...app).toFixed(1)} |`);
    log(`| bare <video> with the same file (baseline) | ${pct(bare, 50).toFixed(1)} | ${pct(bare, 95).toFixed(1)} | ${Math.max(...bare).toFixed(1)} |`);
    log(`| ratio UI / bare | ${(pct(app, 50) / pct(bare, 50)).toFixed(2)}× | ${(pct(app, 95) / pct(bare, 95)).toFixed(2)}× | |`);
    log();
    log(`| tap → first PDF page painted (${PDF_ROUNDS} rounds, each on a fresh page) | p50 ms | p95 ms | max ms |`);
    log('|---|---:|---:|---:|');
    log(`| teaching UI (tap 学习任务单 → page 1 on the canvas, ${canvasWidth} px wide) | ${pct(pdfApp, 50).toFixed(1)} | ${pct(pdfApp, 95).toFixed(1)} | ${Math.max(...pdfApp).toFixed(1)} |`);
    log(`| bare pdf.js, same file and size (baseline) | ${pct(pdfBare, 50).toFixed(1)} | ${pct(pdfBare, 95).toFixed(1)} | ${Math.max(...pdfBare).toFixed(1)} |`);
    log(`| ratio UI / bare | ${(pct(pdfApp, 50) / pct(pdfBare, 50)).toFixed(2)}× | ${(pct(pdfApp, 95) / pct(pdfBare, 95)).toFixed(2)}× | |`);
    log();
    log(`Targets: p95 ≤ 300 ms and ≤ 1.2× the bare video. JavaScript before the first lesson: ${(raw / 1024).toFixed(0)} KB raw, **${(gz / 1024).toFixed(0)} KB gzipped** (target ≤ 300 KB; pdf.js and stream players load on demand).`);
    fs.mkdirSync(path.resolve('bench/results'), { recursive: true });
    fs.writeFileSync(path.resolve('bench/results/first-frame.md'), `${out.join('\n')}\n`);
  } finally {
    await browser.close();
    await hub.stop();
    fs.rmSync(hub.data, { recursive: true, force: true });
  }
}

await main();
