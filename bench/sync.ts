// Downloads from nginx on loopback, in one run: throughput of `classboard sync`
// (SHA-256 verified, .part + rename) against curl fetching the same files with
// the same concurrency; then the achieved average under a rate cap over 30 s.
//
//   npx tsx bench/sync.ts
import { execSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKey } from '../main/feed/keys';
import type { ShardResource } from '../main/feed/schema';
import { writeFeed } from '../main/feed/write';
import { hubServices } from '../tests/fixtures/services';
import { syncAll } from '../main/sync/engine';
import { startNginx } from '../tests/fixtures/nginx';
import { watchDelay } from './main-thread';

const FILES = Number(process.env.BENCH_FILES ?? 12);
const FILE_MB = Number(process.env.BENCH_FILE_MB ?? 24);
const CONCURRENCY = 3;
const RATE = Number(process.env.BENCH_RATE_MBPS ?? 4) * 1e6; // bytes per second
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 30);

/** curl saving the same files to disk (no hashing): the baseline; `durable` adds an fsync per file (coreutils sync FILE), as the sync does before its rename. */
async function curlAll(urls: string[], dir: string, durable = false): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  let next = 0;
  const one = async () => {
    while (next < urls.length) {
      const url = urls[next++]!;
      await new Promise<void>((resolve, reject) => {
        const file = path.join(dir, path.basename(url));
        const p = durable ? spawn('sh', ['-c', 'curl -sS -o "$1" "$2" && sync "$1"', 'sh', file, url]) : spawn('curl', ['-sS', '-o', file, url]);
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl ${code}`))));
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, one));
  return performance.now() - t0;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-bench-sync-'));
  const www = path.join(tmp, 'www');
  const key = generateSigningKey('bench');
  const make = async (name: string, count: number, mb: number) => {
    const resources: ShardResource[] = [];
    const blobs: { source: string }[] = [];
    for (let i = 0; i < count; i++) {
      const file = path.join(tmp, `${name}-${i}.bin`);
      const bytes = crypto.randomBytes(mb * 1024 * 1024);
      fs.writeFileSync(file, bytes);
      const sha = crypto.createHash('sha256').update(bytes).digest('hex');
      resources.push({ id: `r${i}`, node: 'l', type: 'video', title: `课 ${i}`, files: [{ role: 'main', sha256: sha, size: bytes.length, mime: 'video/mp4', height: 720 }] });
      blobs.push({ source: file });
    }
    await writeFeed(path.join(www, name), {
      id: `bench.${name}`,
      title: name,
      revision: 1,
      signingKey: key,
      shards: [{ path: 'shards/a.json', nodes: [{ id: 'l', parent: null, kind: 'lesson', title: '课', order: 1 }], resources }],
      blobs,
    });
    for (const b of blobs) fs.rmSync(b.source);
    return resources.map((r) => r.files[0]!.sha256);
  };
  const shas = await make('speed', FILES, FILE_MB);
  const rateCount = Math.ceil((RATE * RATE_SECONDS * 1.3) / (8 * 1024 * 1024));
  await make('rate', rateCount, 8);
  const nginx = await startNginx(www);
  const out: string[] = [];
  const log = (l = '') => {
    console.log(l);
    out.push(l);
  };
  try {
    const totalBytes = FILES * FILE_MB * 1024 * 1024;
    const urls = shas.map((s) => `${nginx.url}speed/blobs/${s.slice(0, 2)}/${s}`);
    const rounds: { curl: number; durable: number; ours: number }[] = [];
    // What the downloads cost the main thread (the Electron main process serves the UI's IPC).
    const lags: { p99: number; max: number }[] = [];
    for (let round = 0; round < 3; round++) {
      // Each client starts with the disk quiet: without this, one client's fsyncs
      // wait behind the other's unwritten pages.
      execSync('sync');
      const curlMs = await curlAll(urls, path.join(tmp, `curl-${round}`));
      fs.rmSync(path.join(tmp, `curl-${round}`), { recursive: true, force: true });
      execSync('sync');
      const durableMs = await curlAll(urls, path.join(tmp, `curl-sync-${round}`), true);
      fs.rmSync(path.join(tmp, `curl-sync-${round}`), { recursive: true, force: true });
      const data = fs.mkdtempSync(path.join(tmp, 'data-'));
      const services = hubServices(data, 'bench');
      await services.importFeed(`${nginx.url}speed/`, { keys: { [key.keyId]: key.publicKey } });
      execSync('sync');
      const lag = await watchDelay();
      const t0 = performance.now();
      const s = await syncAll(services, { concurrency: CONCURRENCY });
      const oursMs = performance.now() - t0;
      lags.push(await lag.read());
      lag.stop();
      if (s.downloaded.files !== FILES || s.failed.length > 0) throw new Error(`sync fetched ${s.downloaded.files}/${FILES}, failed ${s.failed.length}`);
      services.close();
      fs.rmSync(data, { recursive: true, force: true });
      rounds.push({ curl: curlMs, durable: durableMs, ours: oursMs });
    }
    const mbps = (ms: number) => totalBytes / 1e6 / (ms / 1000);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    log('# Sync download benchmark');
    log();
    log(`${new Date().toISOString()} · nginx on 127.0.0.1 · ${FILES} files × ${FILE_MB} MiB · ${CONCURRENCY} at a time · 3 rounds, median`);
    log();
    log('| client | median MB/s | rounds (MB/s) |');
    log('|---|---:|---|');
    log(`| curl -o FILE (baseline: same files to disk, no verification) | ${mbps(med(rounds.map((r) => r.curl))).toFixed(0)} | ${rounds.map((r) => mbps(r.curl).toFixed(0)).join(', ')} |`);
    log(`| curl -o FILE && sync FILE (the same durability as ours: fsync per file) | ${mbps(med(rounds.map((r) => r.durable))).toFixed(0)} | ${rounds.map((r) => mbps(r.durable).toFixed(0)).join(', ')} |`);
    log(`| classboard sync (SHA-256, .part + fsync + rename, library rows) | ${mbps(med(rounds.map((r) => r.ours))).toFixed(0)} | ${rounds.map((r) => mbps(r.ours).toFixed(0)).join(', ')} |`);
    const ratio = (k: 'curl' | 'durable') => ((mbps(med(rounds.map((r) => r.ours))) / mbps(med(rounds.map((r) => r[k])))) * 100).toFixed(0);
    log(`| ratio | **${ratio('curl')}%** of curl, **${ratio('durable')}%** of curl with fsync (target ≥ 90% of curl) | |`);
    log();
    log(`Main thread during the sync runs: event-loop delay p99 ${med(lags.map((l) => l.p99)).toFixed(1)} ms, max ${med(lags.map((l) => l.max)).toFixed(1)} ms (medians of the rounds).`);

    // Rate cap: stop after RATE_SECONDS and compare bytes moved with the cap.
    const data = fs.mkdtempSync(path.join(tmp, 'data-'));
    const services = hubServices(data, 'bench');
    await services.importFeed(`${nginx.url}rate/`, { keys: { [key.keyId]: key.publicKey } });
    let bytes = 0;
    let t0 = 0;
    let atDeadline = 0;
    const stop = new AbortController();
    const run = syncAll(services, {
      rate: RATE,
      signal: stop.signal,
      concurrency: CONCURRENCY,
      onProgress: (p) => {
        if (t0 === 0) t0 = performance.now();
        bytes = p.bytes;
        if (!atDeadline && performance.now() - t0 >= RATE_SECONDS * 1000) atDeadline = bytes;
      },
    });
    while (!atDeadline) await new Promise((r) => setTimeout(r, 100));
    const achieved = atDeadline / RATE_SECONDS;
    log();
    log(`| rate cap | achieved over ${RATE_SECONDS} s | deviation |`);
    log('|---:|---:|---:|');
    log(`| ${(RATE / 1e6).toFixed(1)} MB/s (${((RATE * 8) / 1e6).toFixed(0)} Mbit/s) | ${(achieved / 1e6).toFixed(3)} MB/s | ${(((achieved - RATE) / RATE) * 100).toFixed(1)}% (target ±5%) |`);
    stop.abort();
    await run.catch(() => {});
    services.close();
    fs.mkdirSync(path.resolve('bench/results'), { recursive: true });
    fs.writeFileSync(path.resolve('bench/results/sync.md'), `${out.join('\n')}\n`);
  } finally {
    await nginx.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
