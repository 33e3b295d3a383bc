// Downloads from nginx on loopback, in one run: throughput of `classboard sync`
// (SHA-256 verified, .part + rename) against curl fetching the same files with
// the same concurrency; then the achieved average under a rate cap over 30 s.
//
//   npx tsx bench/sync.ts
import { execSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKey } from '../main/feed/keys';
import type { ShardResource } from '../main/feed/schema';
import { writeFeed } from '../main/feed/write';
import { hubServices } from '../tests/fixtures/services';
import { planInWorker, syncAll } from '../main/sync/engine';
import { startNginx } from '../tests/fixtures/nginx';
import { watchDelay } from './main-thread';

const FILES = Number(process.env.BENCH_FILES ?? 12);
const FILE_MB = Number(process.env.BENCH_FILE_MB ?? 24);
const CONCURRENCY = 3;
const RATE = Number(process.env.BENCH_RATE_MBPS ?? 4) * 1e6; // bytes per second
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 30);
/** A gigabit school LAN (hub to classroom): the fastest link a classroom syncs over. */
const LAN_BYTES_PER_SECOND = 125e6;

/** The whole machine's CPU use while `work` runs (0–1): on 2 cores the server and the client share it. */
async function busyDuring<T>(work: () => Promise<T>): Promise<{ value: T; busy: number }> {
  const sample = () => os.cpus().reduce((a, c) => ({ idle: a.idle + c.times.idle, total: a.total + Object.values(c.times).reduce((x, y) => x + y, 0) }), { idle: 0, total: 0 });
  const before = sample();
  const value = await work();
  const after = sample();
  return { value, busy: 1 - (after.idle - before.idle) / (after.total - before.total || 1) };
}

/** Runs one shell command per file, CONCURRENCY at a time: the baselines. */
async function runAll(commands: string[][]): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const one = async () => {
    while (next < commands.length) {
      const args = commands[next++]!;
      await new Promise<void>((resolve, reject) => {
        const p = spawn('sh', ['-c', args[0]!, 'sh', ...args.slice(1)]);
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args[0]} exited ${code}`))));
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, one));
  return performance.now() - t0;
}

/** CPU seconds this process and its finished children (curl, dd) used: /proc/self/stat's utime, stime, cutime, cstime. */
function cpuSeconds(): number {
  const f = fs.readFileSync('/proc/self/stat', 'utf8').slice(fs.readFileSync('/proc/self/stat', 'utf8').lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of the man page, counted from field 3 (state) here.
  return [11, 12, 13, 14].reduce((a, i) => a + Number(f[i]), 0) / 100;
}

/**
 * Node's own cost, the ceiling for any client written in Node: node:http, SHA-256 and
 * batched writes of the same files, CONCURRENCY at a time, with nothing else (no fsync,
 * no resume state, no library, no rate cap).
 */
async function bareNodeAll(urls: string[], dir: string): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  const agent = new http.Agent({ keepAlive: true });
  const one = (url: string) =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent }, async (res) => {
          try {
            const out = await fs.promises.open(path.join(dir, path.basename(url)), 'w');
            const hash = crypto.createHash('sha256');
            let batch: Buffer[] = [];
            let n = 0;
            for await (const chunk of res as AsyncIterable<Buffer>) {
              hash.update(chunk);
              batch.push(chunk);
              n += chunk.length;
              if (n >= 1 << 20) {
                await out.writev(batch);
                batch = [];
                n = 0;
              }
            }
            if (n) await out.writev(batch);
            await out.close();
            hash.digest();
            resolve();
          } catch (err) {
            reject(err);
          }
        })
        .on('error', reject);
    });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < urls.length) await one(urls[next++]!);
  }));
  agent.destroy();
  return performance.now() - t0;
}

/**
 * curl saving the same files to disk (no hashing): the baseline. `durable` adds an
 * fsync per file (coreutils sync FILE), as the sync does before its rename;
 * `hashed` a SHA-256 of each file by openssl (the same SHA-NI code as Node's
 * crypto), from the page cache: what verification costs a C client on this CPU.
 */
function curlAll(urls: string[], dir: string, then: 'durable' | 'hashed' | null = null): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  const after = { durable: ' && sync "$1"', hashed: ' && openssl dgst -sha256 "$1" >/dev/null' };
  const cmd = `curl -sS -o "$1" "$2"${then ? after[then] : ''}`;
  return runAll(urls.map((u) => [cmd, path.join(dir, path.basename(u)), u]));
}
/** openssl's command line is there to hash with (Debian's openssl package). */
const hasOpenssl = (() => {
  try {
    execSync('openssl version', { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The disk's own ceiling for durable writes: the files nginx serves (in the page cache) copied with an fsync each, no network. */
function copyAll(files: string[], dir: string): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  return runAll(files.map((f) => ['dd if="$1" of="$2" bs=1M conv=fsync status=none', f, path.join(dir, path.basename(f))]));
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
  // /lan/ serves the same folder at a school LAN's speed: 1 Gbit/s shared by the
  // CONCURRENCY downloads (nginx's limit_rate is per connection).
  const lanPerConnection = Math.floor(LAN_BYTES_PER_SECOND / CONCURRENCY);
  const nginx = await startNginx(www, `location /lan/ { alias ${www}/; limit_rate ${lanPerConnection}; }`);
  const out: string[] = [];
  const log = (l = '') => {
    console.log(l);
    out.push(l);
  };
  try {
    const totalBytes = FILES * FILE_MB * 1024 * 1024;
    const urlsAt = (prefix: string) => shas.map((s) => `${nginx.url}${prefix}speed/blobs/${s.slice(0, 2)}/${s}`);
    const urls = urlsAt('');
    const files = shas.map((s) => path.join(www, 'speed', 'blobs', s.slice(0, 2), s));
    /** busy: the whole machine (server and client share 2 cores); cpu: CPU seconds of the client alone. */
    type Run = { ms: number; busy: number; cpu: number };
    /** Times one client from a quiet disk: without the sync first, one client's fsyncs wait behind the other's unwritten pages. */
    const timed = async (work: () => Promise<number>): Promise<Run> => {
      execSync('sync');
      const cpu0 = cpuSeconds();
      const { value, busy } = await busyDuring(work);
      return { ms: value, busy, cpu: cpuSeconds() - cpu0 };
    };
    // What the downloads cost the main thread (the Electron main process serves the UI's IPC).
    const lags: { p99: number; max: number }[] = [];
    /** classboard sync of the whole feed at `base` into a fresh library. */
    const oursAt = async (base: string): Promise<Run> => {
      const data = fs.mkdtempSync(path.join(tmp, 'data-'));
      const services = hubServices(data, 'bench');
      try {
        await services.importFeed(base, { keys: { [key.keyId]: key.publicKey } });
        // The planner's thread is warm, as in the app once the sync page has been
        // open; from source (tsx) its first start costs seconds a built app does not pay.
        await planInWorker(services, {}, true);
        const lag = await watchDelay();
        const run = await timed(async () => {
          const t0 = performance.now();
          const s = await syncAll(services, { concurrency: CONCURRENCY });
          if (s.downloaded.files !== FILES || s.failed.length > 0) throw new Error(`sync fetched ${s.downloaded.files}/${FILES}, failed ${s.failed.length}`);
          return performance.now() - t0;
        });
        lags.push(await lag.read());
        lag.stop();
        return run;
      } finally {
        services.close();
        fs.rmSync(data, { recursive: true, force: true });
      }
    };
    const rounds: { curl: Run; durable: Run; hashed?: Run; disk: Run; node: Run; ours: Run }[] = [];
    const lan: { curl: Run; ours: Run }[] = [];
    for (let round = 0; round < 3; round++) {
      const dir = (name: string) => path.join(tmp, `${name}-${round}`);
      const curl = await timed(() => curlAll(urls, dir('curl')));
      const durable = await timed(() => curlAll(urls, dir('curl-sync'), 'durable'));
      const hashed = hasOpenssl ? await timed(() => curlAll(urls, dir('curl-sha'), 'hashed')) : null;
      const disk = await timed(() => copyAll(files, dir('copy')));
      const node = await timed(() => bareNodeAll(urls, dir('node')));
      for (const name of ['curl', 'curl-sync', 'curl-sha', 'copy', 'node']) fs.rmSync(dir(name), { recursive: true, force: true });
      rounds.push({ curl, durable, ...(hashed ? { hashed } : {}), disk, node, ours: await oursAt(`${nginx.url}speed/`) });
      const lanCurl = await timed(() => curlAll(urlsAt('lan/'), dir('lan-curl')));
      fs.rmSync(dir('lan-curl'), { recursive: true, force: true });
      lan.push({ curl: lanCurl, ours: await oursAt(`${nginx.url}lan/speed/`) });
    }
    const mbps = (ms: number) => totalBytes / 1e6 / (ms / 1000);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const gb = totalBytes / 1e9;
    const table = <K extends string>(runs: Record<K, Run>[], rows: [string, K][]) => {
      log('| client | median MB/s | rounds (MB/s) | client CPU s per GB (median) | machine CPU busy (median) |');
      log('|---|---:|---|---:|---:|');
      for (const [label, k] of rows) {
        const col = (f: (r: Run) => number) => med(runs.map((r) => f(r[k])));
        log(`| ${label} | ${mbps(col((r) => r.ms)).toFixed(0)} | ${runs.map((r) => mbps(r[k].ms).toFixed(0)).join(', ')} | ${(col((r) => r.cpu) / gb).toFixed(2)} | ${(col((r) => r.busy) * 100).toFixed(0)}% |`);
      }
    };
    const ratio = <K extends string>(runs: Record<K, Run>[], a: K, b: K) => ((med(runs.map((r) => r[b].ms)) / med(runs.map((r) => r[a].ms))) * 100).toFixed(0);
    log('# Sync download benchmark');
    log();
    log(`${new Date().toISOString()} · nginx on 127.0.0.1 · ${FILES} files × ${FILE_MB} MiB · ${CONCURRENCY} at a time · 3 rounds, median`);
    log();
    log('## Loopback, no speed limit (the CPU is the bottleneck: nginx and the client share 2 cores)');
    log();
    table(rounds as Record<keyof (typeof rounds)[number], Run>[], [
      ['curl -o FILE (baseline: same files to disk, no verification)', 'curl'],
      ['curl -o FILE && sync FILE (the same durability as ours: fsync per file)', 'durable'],
      ...(hasOpenssl ? [['curl -o FILE && openssl dgst -sha256 FILE (a C client that verifies: what hashing costs on this CPU)', 'hashed'] as [string, 'hashed']] : []),
      ["dd conv=fsync from nginx's own files (the disk's ceiling for durable writes, no network)", 'disk'],
      ['node:http + SHA-256 + write, nothing else (the ceiling for a client in Node: no fsync, no resume state, no library)', 'node'],
      ['classboard sync (SHA-256, .part + fsync + rename, library rows)', 'ours'],
    ]);
    log(
      `| ratio | **${ratio(rounds, 'ours', 'curl')}%** of curl (target ≥ 90%), **${ratio(rounds, 'ours', 'durable')}%** of curl with fsync, **${ratio(rounds, 'ours', 'disk')}%** of the disk's durable ceiling, **${ratio(rounds, 'ours', 'node')}%** of bare Node | | | |`,
    );
    if (hasOpenssl) {
      const verified = rounds as Record<'curl' | 'hashed', Run>[];
      log(`| ceiling | curl that verifies (openssl) moves **${ratio(verified, 'hashed', 'curl')}%** of plain curl's bytes per second on this machine | | | |`);
    }
    log();
    log(`## A school LAN: the same nginx at 1 Gbit/s (limit_rate ${(lanPerConnection / 1e6).toFixed(1)} MB/s per connection × ${CONCURRENCY})`);
    log();
    table(lan, [
      ['curl -o FILE', 'curl'],
      ['classboard sync', 'ours'],
    ]);
    log(`| ratio | **${ratio(lan, 'ours', 'curl')}%** of curl | | | |`);
    log();
    log(`Main thread during the sync runs: event-loop delay p99 ${med(lags.map((l) => l.p99)).toFixed(1)} ms, max ${med(lags.map((l) => l.max)).toFixed(1)} ms (medians of the runs).`);
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
