// kill -9 of a running `classboard sync` at random points, then a restart: the
// library stays consistent, nothing unverified is ever visible, each resume
// starts exactly where the .part on disk ends, and the sync completes.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { sha256, writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';

let tmp: string;
let nginx: Nginx;
const key = generateSigningKey('crash');
const SIZE = 16 * 1024 * 1024;
const blobs = [0, 1, 2].map(() => crypto.randomBytes(SIZE));
const shas = blobs.map(sha256);

function cli(data: string, args: string[]) {
  return spawn(process.execPath, ['bin/classboard.js', '--data', data, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

const exited = (p: ReturnType<typeof spawn>) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

/** Every file under its final name in the cache hashes to that name. */
function visibleAreVerified(data: string): Set<string> {
  const root = path.join(data, 'cache', 'blobs');
  const seen = new Set<string>();
  for (const d of fs.readdirSync(root).filter((x) => /^[0-9a-f]{2}$/.test(x))) {
    for (const f of fs.readdirSync(path.join(root, d))) {
      const h = crypto.createHash('sha256').update(fs.readFileSync(path.join(root, d, f))).digest('hex');
      expect(h, `${f} is visible but its bytes hash to ${h}`).toBe(f);
      seen.add(f);
    }
  }
  return seen;
}

/** [sha, bytes on disk] of every interrupted download. */
function partSizes(data: string): [string, number][] {
  const dir = path.join(data, 'cache', 'blobs', '.tmp');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.part'))
    .map((f) => [f.slice(0, 64), fs.statSync(path.join(dir, f)).size]);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-crash-'));
  const www = path.join(tmp, 'www');
  await writeBlobFeed(path.join(www, 'f'), { id: 'cn.crash', title: '断电测试', key, blobs });
  nginx = await startNginx(www);
});
afterAll(async () => {
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('sync killed with SIGKILL', () => {
  it('survives three kills at random points and then completes', async () => {
    const data = path.join(tmp, 'data');
    const imp = cli(data, ['--json', 'import', `${nginx.url}f/`, '--key', `${key.keyId}=${key.publicKey}`]);
    expect(await exited(imp)).toBe(0);

    for (let kill = 0; kill < 3; kill++) {
      const before = nginx.requests().length;
      const run = cli(data, ['--json', 'sync', '--rate', '96mbit', '--concurrency', '3']);
      // Kill at a random point while files are in flight (wait for the first bytes
      // on disk first: on a busy machine the run takes a while to start).
      for (let t = 0; t < 400 && run.exitCode === null && partSizes(data).every(([, size]) => size === 0); t++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, Math.random() * 700));
      run.kill('SIGKILL');
      await exited(run);

      const db = new Database(path.join(data, 'library.db'), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      visibleAreVerified(data);

      // What survived on disk; the next run must ask for exactly the rest.
      const parts = new Map(partSizes(data));
      if ([...parts.values()].every((size) => size === 0)) break; // the run finished before the kill
      const beforeNext = nginx.requests().length;
      const next = cli(data, ['--json', 'sync', '--rate', '96mbit', '--concurrency', '3']);
      // Wait (on a busy machine too) until it has asked for an interrupted file. A
      // part killed after its last byte (before the rename) needs no request at all.
      const waiting = [...parts].filter(([, size]) => size > 0 && size < SIZE).map(([sha]) => sha);
      for (let t = 0; t < 300 && next.exitCode === null; t++) {
        if (nginx.requests().slice(beforeNext).some((l) => waiting.some((sha) => l.includes(sha)))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      next.kill('SIGKILL');
      await exited(next);
      const asked = nginx.requests().slice(beforeNext).map((l) => l.split(' '));
      let checked = 0;
      for (const [sha, size] of parts) {
        if (size === 0) continue;
        const resumed = asked.find((a) => a[2]!.endsWith(sha));
        if (size === SIZE) {
          expect(resumed, `complete part ${sha.slice(0, 8)} fetched again`).toBeUndefined();
          checked++;
          continue;
        }
        if (!resumed) continue;
        expect(resumed[4], `resume of ${sha.slice(0, 8)}`).toBe(`bytes=${size}-`);
        checked++;
      }
      expect(checked, 'the restarted sync resumed (or just finished) at least one interrupted file').toBeGreaterThan(0);
      void before;
    }

    const finish = cli(data, ['--json', 'sync', '--concurrency', '3']);
    let out = '';
    let err = '';
    finish.stdout!.on('data', (c) => (out += c));
    finish.stderr!.on('data', (c) => (err += c));
    expect(await exited(finish), `the last sync: ${out}\n${err}`).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ failed: [] });
    const visible = visibleAreVerified(data); // the lessons' files, and the catalog shard kept by hash
    for (const sha of shas) expect(visible.has(sha)).toBe(true);
    expect(fs.readdirSync(path.join(data, 'cache', 'blobs', '.tmp')).filter((f) => f.endsWith('.part'))).toEqual([]);
  });
});
