// Opening a cached lesson to its first video frame, in headless Chromium against
// the real hub, compared in the same run with the same file opened directly in a
// bare <video> (the baseline), interleaved so machine noise hits both alike.
// Also reports the teaching UI's JavaScript loaded before the first lesson opens.
//
//   npx tsx bench/first-frame.ts        (needs `npm run build` first)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launchBrowser, newBoardPage, startHubProcess } from '../tests/e2e/harness';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25);

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
