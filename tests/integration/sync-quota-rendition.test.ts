// A cache quota smaller than a lesson's video: the night takes the lesson's best
// rendition that fits (the admin's quota of 100 MB under a 120 MB 720p file left the
// lesson with nothing, its 360p in the catalog), and a file no rendition of which
// fits is said to be bigger than the quota, with both sizes and the one setting that
// helps, not "缓存已满 … classboard unkeep".
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureLines, downsizedLine } from '../../main/cli-failures';
import { generateSigningKey } from '../../main/feed/keys';
import { writeFeed } from '../../main/feed/write';
import type { Services } from '../../main/services';
import { syncAll } from '../../main/sync/engine';
import { formatBytes, type LessonFetch } from '../../preload/contract';
import { sha256 } from '../fixtures/feeds';
import { startNginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

let tmp: string;
let nginx: Awaited<ReturnType<typeof startNginx>>;
const key = generateSigningKey('k');
const hd = crypto.randomBytes(400_000);
const sd = crypto.randomBytes(60_000);
/** A lesson whose only video is as big as `hd`. */
const lone = crypto.randomBytes(300_000);
/** A favourite lesson's video, on disk before the night: never evicted, so never room for another file. */
const fav = crypto.randomBytes(150_000);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-qr-'));
  const www = path.join(tmp, 'www');
  const main = (b: Buffer, height: number) => ({ role: 'main', sha256: sha256(b), size: b.length, mime: 'video/mp4', height });
  await writeFeed(path.join(www, 'f'), {
    id: 'cn.test',
    title: '测试',
    revision: 1,
    signingKey: key,
    shards: [
      {
        path: 'shards/a.json',
        nodes: [
          { id: 'l1', parent: null, kind: 'lesson', title: '分数的初步认识', order: 1 },
          { id: 'l2', parent: null, kind: 'lesson', title: '春', order: 2 },
          { id: 'l3', parent: null, kind: 'lesson', title: '秋', order: 3 },
        ],
        resources: [
          { id: 'v1', node: 'l1', type: 'video', title: '分数的初步认识（第一课时）', files: [main(hd, 720), main(sd, 360)] },
          { id: 'v2', node: 'l2', type: 'video', title: '春（第一课时）', files: [main(lone, 720)] },
          { id: 'v3', node: 'l3', type: 'video', title: '秋（第一课时）', files: [main(fav, 720)] },
        ],
      },
    ],
    blobs: [hd, sd, lone, fav].map((source) => ({ source })),
  });
  nginx = await startNginx(www);
});
afterAll(async () => {
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function classroom(keep: string[]): Promise<Services> {
  const s = hubServices(fs.mkdtempSync(path.join(tmp, 'c')), 't');
  await s.importFeed(`${nginx.url}f/`, { keys: { [key.keyId]: key.publicKey } });
  s.selection.keep(keep, true);
  return s;
}

const ready = async (s: Services, id: string) => {
  const r = await s.router.invoke('library:resource', { id });
  if (!r.ok) throw new Error('no resource');
  return r.value;
};

describe('a cache quota smaller than a lesson’s chosen rendition', () => {
  it('takes the best rendition that fits, and says so', async () => {
    const s = await classroom(['cn.test/l1']);
    try {
      const summary = await syncAll(s, { maxHeight: 720, quotaBytes: 200_000, backoffMs: 20 });
      expect(summary.failed).toEqual([]);
      expect(summary.downsized).toBe(1);
      expect(s.blobs.has(sha256(sd))).toBe(true);
      expect(s.blobs.has(sha256(hd))).toBe(false);
      const v1 = await ready(s, 'cn.test/v1');
      expect(v1.ready).toBe(true);
      expect(v1.files.find((f) => f.height === 360)).toMatchObject({ cached: true });
      expect(downsizedLine(summary.downsized!)).toMatch(/1 节课的视频比缓存上限大，改用了较低清晰度/);
      // The next night keeps the 360p, fetches nothing, and still says why the lesson plays at 360p.
      const again = await syncAll(s, { maxHeight: 720, quotaBytes: 200_000 });
      expect(again).toMatchObject({ failed: [], downloaded: { files: 0 }, downsized: 1 });
      expect(s.blobs.has(sha256(sd))).toBe(true);
    } finally {
      s.close();
    }
  });

  it('a lesson asked for at the board, and the page\'s queue, take the rendition the night would', async () => {
    const s = await classroom(['cn.test/l1']);
    try {
      s.sync.configure({ maxHeight: 720, quotaBytes: 200_000 });
      // The sync page's queue: the 360p the night brings, not the 720p that cannot fit.
      const status = await s.router.invoke('sync:status', {});
      if (!status.ok) throw new Error(status.error.message);
      expect(status.value.queued).toMatchObject({ files: 1, bytes: sd.length });
      // 现在下载这节课: before, the 720p was fetched for it and failed as too big.
      const done = new Promise<LessonFetch>((resolve) => {
        const off = s.events.subscribe((name, e) => {
          const f = e as LessonFetch;
          if (name === 'sync:lesson' && f.state !== 'running') {
            off();
            resolve(f);
          }
        });
      });
      const started = await s.router.invoke('sync:fetch', { id: 'cn.test/v1' });
      if (!started.ok) throw new Error(started.error.message);
      const end = started.value.state === 'running' ? await done : started.value;
      expect(end).toMatchObject({ state: 'done', failures: [], totalBytes: sd.length });
      expect(s.blobs.has(sha256(sd))).toBe(true);
      expect(s.blobs.has(sha256(hd))).toBe(false);
      expect((await ready(s, 'cn.test/v1')).ready).toBe(true);
    } finally {
      s.close();
    }
  });

  it('counts what must stay (a favourite lesson on disk) against the room one file can have', async () => {
    const s = await classroom(['cn.test/l3']);
    try {
      await syncAll(s, { maxHeight: 720 });
      expect(s.blobs.has(sha256(fav))).toBe(true);
      s.db.prepare('INSERT INTO favourites(resource_id, created_at) VALUES (?, ?)').run('cn.test/v3', Date.now());
      s.selection.keep(['cn.test/l1'], true);
      // 450,000 holds the 400,000-byte 720p alone, but not beside the favourite's 150,000 that is never evicted.
      const summary = await syncAll(s, { maxHeight: 720, quotaBytes: 450_000 });
      expect(summary).toMatchObject({ failed: [], downsized: 1 });
      expect(s.blobs.has(sha256(sd))).toBe(true);
      expect(s.blobs.has(sha256(fav))).toBe(true);
    } finally {
      s.close();
    }
  });

  it('a file no rendition of which fits: bigger than the quota, with both sizes, and raise --quota (not unkeep)', async () => {
    const s = await classroom(['cn.test/l1', 'cn.test/l2']);
    try {
      const quotaBytes = 50_000;
      const summary = await syncAll(s, { maxHeight: 720, quotaBytes });
      expect(summary.failed.map((f) => f.reason).sort()).toEqual(['too-big', 'too-big']);
      expect(s.blobs.totals().bytes).toBeLessThan(quotaBytes);
      const lines = failureLines(summary.failed, { quotaBytes, floorBytes: 0, usedBytes: s.blobs.totals().bytes, freeBytes: null }).join('\n');
      expect(lines).toContain(`比缓存上限（${formatBytes(quotaBytes)}）还大`);
      expect(lines).toContain('classboard settings --quota');
      expect(lines).not.toMatch(/unkeep|缓存已满/);
      // Each file's own size beside the quota, in its failure.
      const lone1 = summary.failed.find((f) => f.resources.includes('春（第一课时）'))!;
      expect(lone1.error).toContain(`文件 ${formatBytes(lone.length)}，比缓存上限 ${formatBytes(quotaBytes)} 还大`);
      // The 360p is the lesson's best that could fit, and it does not: its size is the one said.
      const v1 = summary.failed.find((f) => f.resources.includes('分数的初步认识（第一课时）'))!;
      expect(v1.error).toContain(formatBytes(sd.length));
    } finally {
      s.close();
    }
  });
});
