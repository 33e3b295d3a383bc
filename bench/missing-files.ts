// The night's check that every cached file the plan counts on is still on disk
// (missingBlobs, in the plan worker), at a hub's size: 150,000 files in the
// cache's <aa> folders. Baseline in the same run: a stat per file, as the check
// did before. Warm (the folders in the kernel's cache, as on a busy night) and,
// when this process may drop the kernel's caches (root on Linux), cold (as after
// a reboot: the first night's check).
//
//   npm run bench:missing-files
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blobPath, missingBlobs } from '../main/cache/blob-store';

const FILES = Number(process.env.BENCH_FILES ?? 150_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const COLD_ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 3);

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** Empties the kernel's page, dentry and inode caches; false where not allowed. */
function dropCaches(): boolean {
  try {
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

const statEach = (root: string, shas: string[]) => shas.filter((sha) => !fs.existsSync(blobPath(root, sha)));

function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-bench-missing-'));
  const out: string[] = [];
  const log = (l = '') => {
    console.log(l);
    out.push(l);
  };
  try {
    const shas = Array.from({ length: FILES }, (_, i) => crypto.createHash('sha256').update(`file ${i}`).digest('hex'));
    for (const sha of shas) {
      const file = blobPath(root, sha);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, '');
    }
    // One in a thousand lost (an antivirus's quarantine): both ways must name exactly those.
    const lost = shas.filter((_, i) => i % 1000 === 7);
    for (const sha of lost) fs.rmSync(blobPath(root, sha));
    const check = (found: string[], how: string) => {
      if (found.length !== lost.length || found.some((s, i) => s !== lost[i])) throw new Error(`${how} named ${found.length} missing files, not the ${lost.length} removed`);
    };
    const time = (fn: () => string[], how: string, cold: boolean) => {
      if (cold) dropCaches();
      const t0 = performance.now();
      const found = fn();
      const ms = performance.now() - t0;
      check(found, how);
      return ms;
    };
    const rows: { label: string; warm: number[]; cold: number[] }[] = [
      { label: 'a stat per file (baseline)', warm: [], cold: [] },
      { label: 'missingBlobs (a readdir per <aa> folder)', warm: [], cold: [] },
    ];
    const ways = [() => statEach(root, shas), () => missingBlobs(root, shas)];
    // Alternating, so a noisy neighbour costs both alike.
    for (let r = 0; r < ROUNDS; r++) ways.forEach((fn, i) => rows[i]!.warm.push(time(fn, rows[i]!.label, false)));
    const canDrop = dropCaches();
    if (canDrop) for (let r = 0; r < COLD_ROUNDS; r++) ways.forEach((fn, i) => rows[i]!.cold.push(time(fn, rows[i]!.label, true)));

    log('# Missing-file check benchmark');
    log();
    log(`${new Date().toISOString()} · node ${process.version} · ${os.cpus().length} CPU · ${FILES.toLocaleString('en')} cached files in 256 folders, ${lost.length} of them removed`);
    log();
    log('| way | warm p50 | warm p95 | cold p50 | cold p95 |');
    log('|---|---:|---:|---:|---:|');
    const ms = (xs: number[], q: number) => (xs.length ? `${quantile(xs, q).toFixed(0)} ms` : 'n/a');
    for (const r of rows) log(`| ${r.label} | ${ms(r.warm, 0.5)} | ${ms(r.warm, 0.95)} | ${ms(r.cold, 0.5)} | ${ms(r.cold, 0.95)} |`);
    const ratio = (k: 'warm' | 'cold') => (rows[1]![k].length ? `${((quantile(rows[1]![k], 0.5) / quantile(rows[0]![k], 0.5)) * 100).toFixed(0)}%` : 'n/a');
    log(`| ratio, missingBlobs / baseline (p50) | ${ratio('warm')} | | ${ratio('cold')} | |`);
    if (!canDrop) log('\nCold rows need root on Linux (/proc/sys/vm/drop_caches): not measured here.');
    fs.mkdirSync(path.resolve('bench/results'), { recursive: true });
    fs.writeFileSync(path.resolve('bench/results/missing-files.md'), `${out.join('\n')}\n`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main();
