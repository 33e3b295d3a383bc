// A full disk during the nightly sync: the cache sits on a real 1 MiB tmpfs, the
// second video does not fit. The run stops with a clear message; nothing
// half-written is visible; what was verified stays; the library is intact.
import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import type { Services } from '../../main/services';
import { sha256, writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';
import { fillDisk, mountTmpfs, unmountTmpfs } from '../fixtures/tmpfs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-full-'));
const cacheDir = path.join(tmp, 'data', 'cache');
const cannotMount = mountTmpfs(cacheDir, '1m');

const key = generateSigningKey('full-disk');
const blobs = [0, 1, 2].map(() => crypto.randomBytes(200 * 1024));
let nginx: Nginx;
let services: Services;

describe.skipIf(cannotMount !== null)(`a full disk during sync${cannotMount ? ` (skipped: cannot mount a tmpfs: ${cannotMount})` : ''}`, () => {
  beforeAll(async () => {
    await writeBlobFeed(path.join(tmp, 'www', 'f'), { id: 'cn.full', title: '满盘', key, blobs, lesson: '满盘测试' });
    nginx = await startNginx(path.join(tmp, 'www'));
    services = hubServices(path.join(tmp, 'data'));
    await services.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } });
    // No floor, and slow enough that another program can fill the disk mid-download.
    services.sync.configure({ floorBytes: 0, nightRate: 400_000 });
  });
  afterAll(async () => {
    services?.close();
    await nginx?.stop();
    unmountTmpfs(cacheDir);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('stops with a clear message and shows only verified files; the next run completes', async () => {
    // Another program takes the rest of the disk once the files are coming in.
    const started = new Promise<void>((resolve) => {
      const off = services.events.subscribe((name) => name === 'sync:progress' && (off(), resolve()));
    });
    const run = services.sync.runNow();
    await started;
    const filler = path.join(cacheDir, 'filler');
    fillDisk(filler);
    const summary = await run;
    expect(summary.failed.map((f) => f.error).join()).toMatch(/磁盘已满，同步已停止/);
    const status = await services.sync.status();
    expect(status.state).toBe('idle');
    expect(status.last?.failed[0]?.error).toMatch(/the disk is full/);
    // What came before the disk filled is still counted (before: 下载 0 个文件 after a stopped night).
    expect(status.last?.downloaded.files).toBe(summary.downloaded.files);
    expect(summary.downloaded.files).toBe(services.db.prepare(`SELECT count(*) FROM blobs WHERE sha256 IN (${blobs.map(() => '?').join()})`).pluck().get(...blobs.map(sha256)));

    const visible = services.db.prepare('SELECT sha256 FROM blobs').pluck().all() as string[];
    const videos = blobs.map(sha256);
    expect(videos.filter((s) => visible.includes(s)).length).toBeLessThan(3);
    for (const s of visible) expect(sha256(fs.readFileSync(services.blobs.pathFor(s)))).toBe(s);
    // What was half-written is only a .part in the cache's temp folder.
    expect(fs.readdirSync(services.blobs.tmpDir).filter((f) => f.endsWith('.part')).length).toBeGreaterThan(0);
    const db = new Database(path.join(tmp, 'data', 'library.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    // Space again: the next run resumes and completes.
    fs.rmSync(filler);
    const again = await services.sync.runNow();
    expect(again.failed).toEqual([]);
    for (const s of videos) expect(services.blobs.has(s)).toBe(true);
  });
});
