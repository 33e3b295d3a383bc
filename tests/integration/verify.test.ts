// `verify` on a real cache fed by a real HTTP feed (nginx on loopback): a file
// gone from disk is named and fetched again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCache } from '../../main/cache/verify';
import { generateSigningKey } from '../../main/feed/keys';
import { syncAll } from '../../main/sync/engine';
import { sha256, writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

let tmp: string;
let nginx: Nginx;
const key = generateSigningKey('smartedu-2026');
const trust = { keys: { [key.keyId]: key.publicKey } };
const files = [0, 1, 2].map(() => crypto.randomBytes(50_000));
const shas = files.map(sha256);
const open = (name: string) => hubServices(path.join(tmp, name), 't');

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-verify-'));
  await writeBlobFeed(path.join(tmp, 'www', 'basic'), { id: 'cn.smartedu.basic', title: '国家中小学智慧教育平台', revision: 3, key, blobs: files, lesson: '分数的初步认识' });
  nginx = await startNginx(path.join(tmp, 'www'));
});
afterAll(async () => {
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('verify', () => {
  it('names a cached file gone from disk and drops it, so the next sync fetches it again', async () => {
    const s = open('classroom');
    try {
      await s.importFeed(`${nginx.url}basic/`, trust);
      expect(await syncAll(s)).toMatchObject({ downloaded: { files: 3 }, failed: [] });
      const before = s.queries.status().cachedBlobs;
      fs.rmSync(s.blobs.pathFor(shas[1]!));
      const r = await verifyCache(s.blobs, s.db);
      // Before: 已校验 N 个文件；损坏 0 个, the row stayed, status counted it and the sync fetched nothing.
      expect(r).toMatchObject({ bad: [], missing: [shas[1]] });
      expect(r.checked).toBe(before - 1);
      expect(s.queries.status().cachedBlobs).toBe(before - 1);
      expect(await syncAll(s)).toMatchObject({ downloaded: { files: 1 }, failed: [] });
      expect(s.blobs.has(shas[1]!)).toBe(true);
      expect((await verifyCache(s.blobs, s.db)).missing).toEqual([]);
    } finally {
      s.close();
    }
  });
});
