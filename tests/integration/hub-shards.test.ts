// A hub's catalog shards are served to its classrooms from the blob cache: one
// that verify removed (damaged, or gone from disk) is fetched again, verified,
// by the next check of the feed, though feed.json has not changed (a 304).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCache } from '../../main/cache/verify';
import { generateSigningKey } from '../../main/feed/keys';
import { startHub } from '../../main/hub/server';
import type { Services } from '../../main/services';
import { syncAll } from '../../main/sync/engine';
import { createFeedMirror } from '../../main/sync/mirror';
import { TokenBucket } from '../../main/sync/token-bucket';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

let tmp: string;
let nginx: Nginx;
const key = generateSigningKey('smartedu-2026');
const trust = { keys: { [key.keyId]: key.publicKey } };
const files = [0, 1, 2].map(() => crypto.randomBytes(50_000));
const open = (name: string) => hubServices(path.join(tmp, name), 't');
const shardsOf = (s: Services) => s.db.prepare('SELECT sha256 FROM shards').pluck().all() as string[];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-hub-shards-'));
  await writeBlobFeed(path.join(tmp, 'www', 'basic'), { id: 'cn.smartedu.basic', title: '国家中小学智慧教育平台', revision: 3, key, blobs: files, lesson: '分数的初步认识' });
  nginx = await startNginx(path.join(tmp, 'www'));
});
afterAll(async () => {
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('catalog shards verify removed', () => {
  it("on a hub: a damaged catalog shard that verify removed is fetched again by the next check, though feed.json is unchanged (304)", async () => {
    const school = open('hub');
    const hub = await startHub(school, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(school)] });
    const classroom = open('classroom-new');
    try {
      await school.importFeed(`${nginx.url}basic/`, trust);
      const [shard] = shardsOf(school);
      fs.appendFileSync(school.blobs.pathFor(shard!), 'bit rot');
      expect((await verifyCache(school.blobs, school.db)).bad).toEqual([shard]);
      expect((await fetch(`${hub.url}feed/cn.smartedu.basic/shards/a.json`)).status).toBe(404);

      // The hub's night: feed.json answers 304, and the shard comes back, verified, from the platform.
      const night = await syncAll(school);
      expect(night.feeds).toEqual([expect.objectContaining({ id: 'cn.smartedu.basic', outcome: 'unchanged' })]);
      expect(school.blobs.has(shard!)).toBe(true);
      expect(school.db.prepare('SELECT count(*) FROM blobs WHERE sha256 = ?').pluck().get(shard)).toBe(1);
      // Before: "shard … is listed in feed.json but missing" for every new classroom.
      expect(await classroom.importFeed(`${hub.url}feed/cn.smartedu.basic/`, trust)).toMatchObject({ outcome: 'applied', resources: 3 });
    } finally {
      classroom.close();
      await hub.close();
      school.close();
    }
  });

  it('within a rate cap on a 304 night: the hub gets its shard back from the platform, then a classroom its own from the hub, and its files through the hub', async () => {
    const school = open('hub-capped');
    const hub = await startHub(school, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(school)] });
    const classroom = open('classroom-capped');
    const cap = () => ({ bucket: new TokenBucket(1 << 20), retries: 0 });
    try {
      await school.importFeed(`${nginx.url}basic/`, trust);
      await classroom.importFeed(`${hub.url}feed/cn.smartedu.basic/`, trust);
      const [shard] = shardsOf(school);
      for (const s of [school, classroom]) {
        fs.appendFileSync(s.blobs.pathFor(shard!), 'bit rot');
        expect((await verifyCache(s.blobs, s.db)).bad).toEqual([shard]);
      }
      // The hub's check, as its capped night runs it (files not yet fetched: the classroom's pull through the hub).
      expect(await school.importFeed(`${nginx.url}basic/`, { cap: cap() })).toMatchObject({ outcome: 'unchanged' });
      expect(school.blobs.has(shard!)).toBe(true);
      const night = await syncAll(classroom, cap());
      expect(night.feeds).toEqual([expect.objectContaining({ id: 'cn.smartedu.basic', outcome: 'unchanged' })]);
      expect(classroom.db.prepare('SELECT count(*) FROM blobs WHERE sha256 = ?').pluck().get(shard)).toBe(1);
      expect(classroom.blobs.has(shard!)).toBe(true);
      expect(night).toMatchObject({ failed: [], downloaded: { files: 3 } });
    } finally {
      classroom.close();
      await hub.close();
      school.close();
    }
  });

  it('a shard the platform now serves damaged is not kept: the check fails and says which', async () => {
    const school = open('hub-bad-upstream');
    const served = path.join(tmp, 'www', 'basic', 'shards', 'a.json');
    const good = fs.readFileSync(served);
    try {
      await school.importFeed(`${nginx.url}basic/`, trust);
      const [shard] = shardsOf(school);
      fs.rmSync(school.blobs.pathFor(shard!));
      expect((await verifyCache(school.blobs, school.db)).missing).toEqual([shard]);
      fs.writeFileSync(served, Buffer.concat([good.subarray(0, good.length - 1), Buffer.from(' ')]));
      await expect(school.importFeed(`${nginx.url}basic/`, trust)).rejects.toThrow(/shards\/a\.json/);
      expect(school.blobs.has(shard!)).toBe(false);
    } finally {
      fs.writeFileSync(served, good);
      school.close();
    }
  });

  it('a new revision is applied, and reported applied, though an older shard it still lists cannot be had back tonight', async () => {
    const { writeFeed } = await import('../../main/feed/write');
    const dir = path.join(tmp, 'www', 'two');
    const shard = (code: string, title: string) => ({
      path: `shards/${code}.json`,
      nodes: [
        { id: 'xx', parent: null, kind: 'stage' as const, title: '小学', order: 1 },
        { id: `l-${code}`, parent: 'xx', kind: 'lesson' as const, title, order: 1 },
      ],
      resources: [{ id: `r-${code}`, node: `l-${code}`, type: 'pdf' as const, title, files: [{ role: 'main', sha256: 'a'.repeat(64), size: 1, mime: 'application/pdf' }] }],
    });
    await writeFeed(dir, { id: 'cn.test.two', title: '两个分片', revision: 1, signingKey: key, shards: [shard('a', '春'), shard('b', '夏')] });
    const school = open('hub-two');
    try {
      await school.importFeed(`${nginx.url}two/`, trust);
      const a = school.db.prepare("SELECT sha256 FROM shards WHERE path = 'shards/a.json'").pluck().get() as string;
      fs.rmSync(school.blobs.pathFor(a));
      await verifyCache(school.blobs, school.db);
      // Revision 2 changes shard b; the platform's copy of shard a is briefly missing.
      await writeFeed(dir, { id: 'cn.test.two', title: '两个分片', revision: 2, signingKey: key, shards: [shard('a', '春'), shard('b', '秋')] });
      fs.renameSync(path.join(dir, 'shards', 'a.json'), path.join(dir, 'a.json.away'));
      // nginx's ETag is mtime + size: a revision written within the same second must not look unchanged.
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(path.join(dir, 'feed.json'), later, later);
      // Before: threw "shard shards/a.json is listed in feed.json but missing" with revision 2 already committed.
      expect(await school.importFeed(`${nginx.url}two/`, trust)).toMatchObject({ outcome: 'applied', revision: 2 });
      const tree = await school.router.invoke('library:tree', { parent: 'cn.test.two/xx' });
      expect(tree.ok && tree.value.nodes.map((n) => n.title).sort()).toEqual(['春', '秋']);
      // The next night, with the shard back, the check keeps it again.
      fs.renameSync(path.join(dir, 'a.json.away'), path.join(dir, 'shards', 'a.json'));
      expect(await school.importFeed(`${nginx.url}two/`, trust)).toMatchObject({ outcome: 'unchanged' });
      expect(school.blobs.has(a)).toBe(true);
    } finally {
      school.close();
    }
  });
});
