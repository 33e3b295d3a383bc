// Catalog sync over HTTP from a real nginx on loopback: full, conditional (304),
// incremental (only the changed shard), and refusals.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex, sign } from '../../main/feed/keys';
import type { ShardNode, ShardResource } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';
import { planInWorker, syncAll } from '../../main/sync/engine';
import { verifyCache } from '../../main/cache/verify';
import { TokenBucket } from '../../main/sync/token-bucket';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { startFaultServer } from '../fixtures/fault-server';
import type { AppError } from '../../main/api/errors';

let tmp: string;
let www: string;
let nginx: Nginx;
let services: Services;
const key = generateSigningKey('cdn-2026');
const trust = { keys: { [key.keyId]: key.publicKey } };

function subject(code: string, title: string, lessons: string[]): { nodes: ShardNode[]; resources: ShardResource[] } {
  const nodes: ShardNode[] = [
    { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
    { id: `xx-${code}`, parent: 'xx', kind: 'subject', title, order: 1 },
  ];
  const resources: ShardResource[] = lessons.map((l, i) => {
    nodes.push({ id: `${code}-${i}`, parent: `xx-${code}`, kind: 'lesson', title: l, order: i });
    const bytes = Buffer.from(`${code}-${l}`);
    return { id: `${code}-r${i}`, node: `${code}-${i}`, type: 'video', title: `${l}（第一课时）`, files: [{ role: 'main', sha256: sha256Hex(bytes), size: bytes.length, mime: 'video/mp4' }] };
  });
  return { nodes, resources };
}

async function publish(revision: number, maths: string[]) {
  await writeFeed(path.join(www, 'basic'), {
    id: 'cn.smartedu.basic',
    title: '国家中小学智慧教育平台',
    revision,
    published: `2026-11-2${revision}T18:00:00Z`,
    signingKey: key,
    shards: [
      { path: 'shards/yuwen.json', ...subject('yw', '语文', ['春夜喜雨', '大青树下的小学']) },
      { path: 'shards/shuxue.json', ...subject('sx', '数学', maths) },
    ],
  });
  // nginx's ETag is mtime (in seconds) + size: give each publication its own time,
  // as real ones minutes apart would have.
  const t = new Date(Date.UTC(2026, 10, 20 + revision));
  fs.utimesSync(path.join(www, 'basic', 'feed.json'), t, t);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-sync-http-'));
  www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  nginx = await startNginx(www, 'location /loop/ { return 302 /loop/; }');
  services = hubServices(path.join(tmp, 'data'), 't');
});
afterAll(async () => {
  services?.close();
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('catalog sync over HTTP (nginx)', () => {
  it('imports the whole catalog: browsable and searchable, files marked not downloaded', async () => {
    await publish(1, ['分数的初步认识', '三角形的内角和']);
    const s = await services.importFeed(`${nginx.url}basic/`, trust);
    expect(s).toMatchObject({ feedId: 'cn.smartedu.basic', outcome: 'applied', resources: 4 });
    // A remote feed's files come with sync, not with the import.
    expect(s.blobs).toMatchObject({ copied: 0 });
    const found = await services.router.invoke('library:search', { query: '三角形' });
    expect(found.ok && found.value.total).toBe(1);
    const r = await services.router.invoke('library:resource', { id: 'cn.smartedu.basic/sx-r1' });
    expect(r.ok && r.value.files[0]).toMatchObject({ cached: false, url: null });
    expect(r.ok && r.value.syncable).toBe(true); // tonight's sync brings it
    expect((await nginx.settled()).filter((l) => l.includes('/shards/'))).toHaveLength(2);
  });

  it('asks again with its validators, and a 304 ends the check', async () => {
    const before = (await nginx.settled()).length;
    const s = await services.importFeed(`${nginx.url}basic/`, trust);
    expect(s).toMatchObject({ outcome: 'unchanged', revision: 1, resources: 4 });
    const asked = (await nginx.settled()).slice(before);
    expect(asked).toEqual([expect.stringMatching(/^304 GET \/basic\/feed\.json/)]);
  });

  it('fetches only the changed shard when one subject changes', async () => {
    await publish(2, ['分数的初步认识', '三角形的内角和', '长方形和正方形']);
    const before = (await nginx.settled()).length;
    const s = await services.importFeed(`${nginx.url}basic/`, trust);
    expect(s).toMatchObject({ outcome: 'applied', revision: 2, added: 1, resources: 5 });
    const shards = (await nginx.settled()).slice(before).filter((l) => l.includes('/shards/'));
    expect(shards).toEqual([expect.stringMatching(/^200 GET \/basic\/shards\/shuxue\.json/)]);
  });

  it('refuses a redirect loop and a file:// blob base, leaving the library as it was', async () => {
    await expect(services.importFeed(`${nginx.url}loop/`, trust)).rejects.toThrow(/redirect/);
    const idxFile = path.join(www, 'basic', 'feed.json');
    const idx = JSON.parse(fs.readFileSync(idxFile, 'utf8'));
    idx.revision = 3;
    idx.blobBases = ['file:///etc/'];
    const text = JSON.stringify(idx);
    fs.writeFileSync(idxFile, text);
    fs.writeFileSync(path.join(www, 'basic', 'feed.json.sig'), sign(Buffer.from(text), key));
    await expect(services.importFeed(`${nginx.url}basic/`, trust)).rejects.toThrow(/file:\/\//);
    expect(services.queries.status().feeds[0]).toMatchObject({ revision: 2, resources: 5 });
  });

  it('refuses a shard whose bytes differ from the signed index: the library stays, the bytes never enter the cache', async () => {
    await publish(4, ['分数的初步认识', '三角形的内角和', '平行四边形']);
    const shardFile = path.join(www, 'basic', 'shards', 'shuxue.json');
    const listed = (JSON.parse(fs.readFileSync(path.join(www, 'basic', 'feed.json'), 'utf8')) as { shards: { path: string; sha256: string }[] }).shards.find(
      (x) => x.path === 'shards/shuxue.json',
    )!;
    // Same size, one byte changed: only the hash can tell.
    const bytes = fs.readFileSync(shardFile);
    bytes[bytes.indexOf('video')] = 'V'.charCodeAt(0);
    fs.writeFileSync(shardFile, bytes);
    await expect(services.importFeed(`${nginx.url}basic/`, trust)).rejects.toThrow(/sha256/);
    expect(services.queries.status().feeds[0]).toMatchObject({ revision: 2, resources: 5 });
    expect(services.blobs.has(listed.sha256)).toBe(false);
    expect(services.blobs.has(sha256Hex(bytes))).toBe(false);
  });

  it('refuses a shard longer than feed.json says, and a feed.json over its limit: the library stays', async () => {
    await publish(5, ['分数的初步认识', '三角形的内角和', '平行四边形']);
    const shardFile = path.join(www, 'basic', 'shards', 'shuxue.json');
    fs.appendFileSync(shardFile, ' '.repeat(10));
    await expect(services.importFeed(`${nginx.url}basic/`, trust)).rejects.toThrow(/shards\/shuxue\.json is over the \d+-byte limit/);
    fs.writeFileSync(path.join(www, 'basic', 'feed.json'), ' '.repeat(1024 * 1024 + 1));
    await expect(services.importFeed(`${nginx.url}basic/`, trust)).rejects.toThrow(/feed\.json is over the \d+-byte limit/);
    expect(services.queries.status().feeds[0]).toMatchObject({ revision: 2, resources: 5 });
  });
});

describe('a connection cut mid-body (fault server)', () => {
  it('fails as unavailable at feed.json, its signature, then a shard, with the library unchanged; the next night completes', async () => {
    const dir = path.join(tmp, 'cut');
    await writeFeed(dir, {
      id: 'cn.test.cut',
      title: '断线测试',
      revision: 1,
      signingKey: key,
      shards: [
        { path: 'shards/yuwen.json', ...subject('yw', '语文', ['春夜喜雨']) },
        { path: 'shards/shuxue.json', ...subject('sx', '数学', ['分数的初步认识']) },
      ],
    });
    const files = new Map<string, Buffer>();
    for (const f of ['feed.json', 'feed.json.sig', 'shards/yuwen.json', 'shards/shuxue.json']) files.set(path.basename(f), fs.readFileSync(path.join(dir, f)));
    // Every path's first answer stops halfway and drops the connection.
    const server = await startFaultServer(files);
    try {
      const url = `${server.url}cut-once/`;
      const feeds = () => services.queries.status().feeds.map((f) => f.id);
      const before = feeds();
      for (const what of [/feed\.json:/, /feed\.json\.sig:/, /shards\/(yuwen|shuxue)\.json:/]) {
        const failed = await services.importFeed(url, trust).then(
          () => null,
          (err: AppError) => err,
        );
        expect(failed).toMatchObject({ code: 'unavailable', message: expect.stringMatching(what) });
        expect(feeds()).toEqual(before);
      }
      expect(await services.importFeed(url, trust)).toMatchObject({ feedId: 'cn.test.cut', outcome: 'applied', resources: 2 });
    } finally {
      await server.close();
    }
  });
});

describe('a feed.json refused before its signature is read', () => {
  it('drops the request for the signature at once (a stalled server held it for 30 s)', async () => {
    // The signature is asked for while the index is parsed; this one never answers.
    let sigClosed = false;
    const server = http.createServer((req, res) => {
      if (req.url === '/stalled/feed.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"cn.test.stalled","revision":"one"}');
      if (req.url === '/stalled/feed.json.sig') return void req.socket.once('close', () => (sigClosed = true));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const failed = await services.importFeed(`http://127.0.0.1:${port}/stalled/`, trust).then(
        () => null,
        (err: AppError) => err,
      );
      expect(failed).toMatchObject({ code: 'refused' });
      await expect.poll(() => sigClosed, { timeout: 5000 }).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("the feed's own copy of feed.json (what a hub serves)", () => {
  it('is kept again on the next check when writing it failed after its catalog was applied', async () => {
    await writeFeed(path.join(www, 'keep'), {
      id: 'cn.test.keep',
      title: '索引保存',
      revision: 1,
      signingKey: key,
      shards: [{ path: 'shards/yuwen.json', ...subject('yw', '语文', ['春夜喜雨']) }],
    });
    const kept = path.join(tmp, 'data', 'feeds', 'cn.test.keep');
    // A file where the feed's folder goes: writing feed.json there fails, as on a full disk.
    fs.writeFileSync(kept, 'in the way');
    expect(await services.importFeed(`${nginx.url}keep/`, trust)).toMatchObject({ outcome: 'applied', resources: 1 });
    fs.rmSync(kept);
    const before = (await nginx.settled()).length;
    expect(await services.importFeed(`${nginx.url}keep/`, trust)).toMatchObject({ outcome: 'unchanged' });
    // Asked without validators (a 304 would have left nothing to keep), then kept as received.
    expect((await nginx.settled()).slice(before)).toContainEqual(expect.stringMatching(/^200 GET \/keep\/feed\.json/));
    expect(fs.readFileSync(path.join(kept, 'feed.json'))).toEqual(fs.readFileSync(path.join(www, 'keep', 'feed.json')));
    expect(fs.readFileSync(path.join(kept, 'feed.json.sig'))).toEqual(fs.readFileSync(path.join(www, 'keep', 'feed.json.sig')));
  });
});

describe('a shard lost from the cache on a changed night (no cap)', () => {
  it('comes back with the changed one, each fetched once, and a shard the new index drops is not asked for', async () => {
    const feed = (revision: number, maths: string, extra: boolean) =>
      writeFeed(path.join(www, 'lost'), {
        id: 'cn.test.lost',
        title: '分片找回',
        revision,
        signingKey: key,
        shards: [
          { path: 'shards/yuwen.json', ...subject('yw', '语文', ['春夜喜雨']) },
          { path: 'shards/shuxue.json', ...subject('sx', '数学', [maths]) },
          ...(extra ? [{ path: 'shards/yingyu.json', ...subject('yy', '英语', ['Hello']) }] : []),
        ],
      }).then(() => {
        const t = new Date(Date.UTC(2026, 10, 1, 1, revision));
        fs.utimesSync(path.join(www, 'lost', 'feed.json'), t, t);
      });
    const listed = () => (JSON.parse(fs.readFileSync(path.join(www, 'lost', 'feed.json'), 'utf8')) as { shards: { path: string; sha256: string }[] }).shards;
    await feed(1, '分数的初步认识', true);
    expect(await services.importFeed(`${nginx.url}lost/`, trust)).toMatchObject({ outcome: 'applied', resources: 3 });
    const yuwen = listed().find((x) => x.path === 'shards/yuwen.json')!;
    const yingyu = listed().find((x) => x.path === 'shards/yingyu.json')!;
    // An admin's clean-up took two shards' files; the library still lists them.
    fs.rmSync(services.blobs.pathFor(yuwen.sha256));
    fs.rmSync(services.blobs.pathFor(yingyu.sha256));
    await feed(2, '三角形的内角和', false);
    const before = (await nginx.settled()).length;
    expect(await services.importFeed(`${nginx.url}lost/`, trust)).toMatchObject({ outcome: 'applied', revision: 2, resources: 2 });
    const asked = (await nginx.settled()).slice(before).filter((l) => l.includes('/shards/'));
    expect(asked.map((l) => l.split(' ').slice(0, 3).join(' ')).sort()).toEqual(['200 GET /lost/shards/shuxue.json', '200 GET /lost/shards/yuwen.json']);
    expect(services.blobs.has(yuwen.sha256)).toBe(true);
    for (const s of listed()) expect(services.blobs.has(s.sha256)).toBe(true);
  });
});

describe('a catalog fetched by a sync (within its rate cap)', () => {
  /** A feed of six subjects, long titles: its changed shards are worth capping. */
  async function publishWide(dir: string, id: string, revision: number) {
    await writeFeed(path.join(www, dir), {
      id,
      title: '限速目录',
      revision,
      signingKey: key,
      shards: Array.from({ length: 6 }, (_, i) => ({
        path: `shards/s${i}.json`,
        ...subject(`c${i}`, `科目${i}`, Array.from({ length: 60 }, (_, j) => `第${j}课 ${'很长的课题名称'.repeat(6)} 第${revision}版`)),
      })),
    });
    const t = new Date(Date.UTC(2026, 10, 1, 0, revision));
    fs.utimesSync(path.join(www, dir, 'feed.json'), t, t);
    const index = JSON.parse(fs.readFileSync(path.join(www, dir, 'feed.json'), 'utf8')) as { shards: { path: string; sha256: string; size: number }[] };
    return index.shards;
  }
  const revisionOf = (s: Services, id: string) => s.db.prepare('SELECT revision FROM feeds WHERE id = ?').pluck().get(id);

  it("takes the changed shards from the cap, and each comes over the link once", async () => {
    const classroom = hubServices(path.join(tmp, 'capped-data'), 't');
    try {
      await publishWide('capped', 'cn.test.capped', 1);
      // Subscribed (feeds add imports at once); the sync then brings revision 2.
      await classroom.importFeed(`${nginx.url}capped/`, trust);
      await planInWorker(classroom, {}, true); // the planner's thread started: only the catalog is timed
      const shards = await publishWide('capped', 'cn.test.capped', 2);
      const bytes = shards.reduce((n, s) => n + s.size, 0);
      const before = (await nginx.settled()).length;
      const t0 = performance.now();
      let catalogDone = 0; // the files' first progress: the catalog is in by then
      const s = await syncAll(classroom, { rate: bytes / 2, retries: 0, onProgress: () => (catalogDone ||= performance.now()) });
      expect(s.feeds).toEqual([{ id: 'cn.test.capped', title: '限速目录', outcome: 'applied', revision: 2 }]);
      // Two seconds of the cap's bytes; the bucket starts with a quarter second of credit.
      expect((catalogDone - t0) / 1000).toBeGreaterThan(2 - 0.25 - 0.1);
      const asked = (await nginx.settled()).slice(before).filter((l) => l.includes('/capped/shards/'));
      expect(asked.map((l) => l.split(' ')[2]).sort()).toEqual(shards.map((s) => `/capped/${s.path}`).sort());
    } finally {
      classroom.close();
    }
  });

  /** A shard whose bytes stay the same across revisions (60 long lessons), and a small one that changes with each. */
  async function publishMixed(dir: string, id: string, revision: number) {
    await writeFeed(path.join(www, dir), {
      id,
      title: '限速目录',
      revision,
      signingKey: key,
      shards: [
        { path: 'shards/big.json', ...subject('big', '语文', Array.from({ length: 60 }, (_, j) => `第${j}课 ${'很长的课题名称'.repeat(6)}`)) },
        { path: 'shards/small.json', ...subject('small', '数学', [`第${revision}版`]) },
      ],
    });
    const t = new Date(Date.UTC(2026, 10, 1, 0, revision));
    fs.utimesSync(path.join(www, dir, 'feed.json'), t, t);
    const index = JSON.parse(fs.readFileSync(path.join(www, dir, 'feed.json'), 'utf8')) as { shards: { path: string; sha256: string; size: number }[] };
    return index.shards;
  }
  /** A shard damaged on disk and quarantined by `classboard verify`: gone from the cache. */
  async function damage(s: Services, sha: string) {
    fs.appendFileSync(s.blobs.pathFor(sha), 'bit rot');
    expect((await verifyCache(s.blobs, s.db)).bad).toEqual([sha]);
  }
  /** The applied shards of a feed the cache lacks (no row, or no file): none once the catalog is whole. */
  const lacking = (s: Services, id: string) =>
    (s.db.prepare('SELECT sha256, EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = s.sha256) AS listed FROM shards s WHERE feed_id = ?').all(id) as { sha256: string; listed: number }[])
      .filter((r) => !r.listed || !s.blobs.has(r.sha256))
      .map((r) => r.sha256);
  /** A capped sync, stopped once its catalog is in: the seconds its import took (the files after it are not what is timed). */
  async function cappedCatalog(s: Services, rate: number) {
    const stop = new AbortController();
    const t0 = performance.now();
    let took = 0;
    // Said after every import, an unchanged one too.
    const off = s.events.subscribe((name) => {
      if (name !== 'library:changed') return;
      took = performance.now() - t0;
      stop.abort();
    });
    try {
      return { summary: await syncAll(s, { rate, retries: 0, signal: stop.signal }), seconds: took / 1000 };
    } finally {
      off();
    }
  }
  /** 8 KiB/s: a burst of 16 KiB (the bucket's least), then the rate. */
  const SLOW = 8 * 1024;
  const shardGets = async (from: number, uri: string) => (await nginx.settled()).slice(from).filter((l) => l.split(' ')[2] === uri);

  it('brings back a shard verify removed within the cap on an unchanged night (304), once, and the catalog is whole', async () => {
    const classroom = hubServices(path.join(tmp, 'kept-data'), 't');
    try {
      const [lost] = await publishWide('kept', 'cn.test.kept', 1);
      await classroom.importFeed(`${nginx.url}kept/`, trust);
      await planInWorker(classroom, {}, true);
      await damage(classroom, lost!.sha256);
      expect(lost!.size - 16 * 1024).toBeGreaterThan(1.5 * SLOW); // worth timing
      const before = (await nginx.settled()).length;
      const { summary, seconds } = await cappedCatalog(classroom, SLOW);
      expect(summary.feeds).toEqual([{ id: 'cn.test.kept', title: '限速目录', outcome: 'unchanged', revision: 1 }]);
      // Before: the import's own check fetched it at the link's full speed, in milliseconds.
      expect(seconds).toBeGreaterThan((lost!.size - 16 * 1024) / SLOW - 0.15);
      expect(await shardGets(before, `/kept/${lost!.path}`)).toEqual([expect.stringMatching(/^200 GET /)]);
      expect(lacking(classroom, 'cn.test.kept')).toEqual([]);
      expect(await verifyCache(classroom.blobs, classroom.db)).toMatchObject({ bad: [], missing: [] });
    } finally {
      classroom.close();
    }
  });

  it('on a changed night, an unchanged shard verify removed comes within the cap too, with the changed one', async () => {
    const classroom = hubServices(path.join(tmp, 'mixed-data'), 't');
    try {
      const [big] = await publishMixed('mixed', 'cn.test.mixed', 1);
      await classroom.importFeed(`${nginx.url}mixed/`, trust);
      await planInWorker(classroom, {}, true);
      await damage(classroom, big!.sha256);
      const [, small] = await publishMixed('mixed', 'cn.test.mixed', 2);
      const before = (await nginx.settled()).length;
      const { summary, seconds } = await cappedCatalog(classroom, SLOW);
      expect(summary.feeds).toEqual([{ id: 'cn.test.mixed', title: '限速目录', outcome: 'applied', revision: 2 }]);
      // Before: only the small changed shard waited on the cap; the big one came after the apply, uncapped.
      expect(seconds).toBeGreaterThan((big!.size + small!.size - 16 * 1024) / SLOW - 0.15);
      expect(await shardGets(before, `/mixed/${big!.path}`)).toEqual([expect.stringMatching(/^200 GET /)]);
      expect(lacking(classroom, 'cn.test.mixed')).toEqual([]);
    } finally {
      classroom.close();
    }
  });

  it('a new revision is applied within a cap though an unchanged shard it lists cannot be had back tonight; the next night brings it', async () => {
    const classroom = hubServices(path.join(tmp, 'away-data'), 't');
    const served = path.join(www, 'away', 'shards', 'big.json');
    try {
      const [big] = await publishMixed('away', 'cn.test.away', 1);
      await classroom.importFeed(`${nginx.url}away/`, trust);
      await damage(classroom, big!.sha256);
      await publishMixed('away', 'cn.test.away', 2);
      fs.renameSync(served, `${served}.away`);
      const night = await cappedCatalog(classroom, 1 << 20);
      expect(night.summary.feeds).toEqual([{ id: 'cn.test.away', title: '限速目录', outcome: 'applied', revision: 2 }]);
      const tree = await classroom.router.invoke('library:tree', { parent: 'cn.test.away/xx-small' });
      expect(tree.ok && tree.value.nodes.map((n) => n.title)).toEqual(['第2版']);
      expect(lacking(classroom, 'cn.test.away')).toEqual([big!.sha256]);
      fs.renameSync(`${served}.away`, served);
      const next = await cappedCatalog(classroom, 1 << 20);
      expect(next.summary.feeds).toEqual([{ id: 'cn.test.away', title: '限速目录', outcome: 'unchanged', revision: 2 }]);
      expect(lacking(classroom, 'cn.test.away')).toEqual([]);
    } finally {
      if (fs.existsSync(`${served}.away`)) fs.renameSync(`${served}.away`, served);
      classroom.close();
    }
  });

  it("waits on a paused cap (by day) without holding a teacher's USB import", async () => {
    const classroom = hubServices(path.join(tmp, 'paused-data'), 't');
    try {
      await publishWide('paused', 'cn.test.paused', 1);
      await classroom.importFeed(`${nginx.url}paused/`, trust);
      await publishWide('paused', 'cn.test.paused', 2);
      const bucket = new TokenBucket(0);
      const sync = syncAll(classroom, { bucket, retries: 0 });
      const usb = path.join(tmp, 'usb');
      await writeFeed(usb, { id: 'cn.test.usb', title: 'U 盘课件', revision: 1, signingKey: key, shards: [{ path: 'shards/a.json', ...subject('u', '美术', ['色彩']) }] });
      // Imported while the sync waits for the night: not queued behind it.
      expect(await classroom.importFeed(usb, trust)).toMatchObject({ feedId: 'cn.test.usb', outcome: 'applied' });
      expect(revisionOf(classroom, 'cn.test.paused')).toBe(1);
      bucket.setRate(Infinity); // 22:00
      const s = await sync;
      expect(s.feeds).toContainEqual({ id: 'cn.test.paused', title: '限速目录', outcome: 'applied', revision: 2 });
      expect(revisionOf(classroom, 'cn.test.paused')).toBe(2);
    } finally {
      classroom.close();
    }
  });
});

describe('one feed from a folder and over HTTP (the demo library, a USB stick, the platform)', () => {
  const feedOf = (s: Services, id: string) => s.db.prepare('SELECT source, revision FROM feeds WHERE id = ?').get(id) as { source: string; revision: number };
  const folderFeed = (dir: string, revision: number) =>
    writeFeed(dir, { id: 'cn.test.both', title: '两处来源', revision, signingKey: key, shards: [{ path: 'shards/a.json', ...subject('b', '科学', [`第${revision}版`]) }] });

  it('follows the platform once subscribed by URL, though the folder brought the same index first', async () => {
    const classroom = hubServices(path.join(tmp, 'both-a'), 't');
    try {
      await folderFeed(path.join(tmp, 'stick-a'), 1);
      fs.cpSync(path.join(tmp, 'stick-a'), path.join(www, 'both-a'), { recursive: true });
      await classroom.importFeed(path.join(tmp, 'stick-a'), trust);
      expect(await classroom.importFeed(`${nginx.url}both-a/`, trust)).toMatchObject({ outcome: 'unchanged' });
      expect(feedOf(classroom, 'cn.test.both').source).toBe(`${nginx.url}both-a/`);
      // The nightly sync now asks the platform.
      expect((await syncAll(classroom, { retries: 0 })).feeds).toEqual([{ id: 'cn.test.both', title: '两处来源', outcome: 'unchanged', revision: 1 }]);
    } finally {
      classroom.close();
    }
  });

  it('stays with the platform when a USB stick brings a newer revision', async () => {
    const classroom = hubServices(path.join(tmp, 'both-b'), 't');
    try {
      await folderFeed(path.join(www, 'both-b'), 1);
      await classroom.importFeed(`${nginx.url}both-b/`, trust);
      await folderFeed(path.join(tmp, 'stick-b'), 2);
      expect(await classroom.importFeed(path.join(tmp, 'stick-b'), trust)).toMatchObject({ outcome: 'applied', revision: 2 });
      expect(feedOf(classroom, 'cn.test.both')).toEqual({ source: `${nginx.url}both-b/`, revision: 2 });
      // The platform, still at revision 1, answers 304 to its own validators: not a rollback refused every night.
      expect((await syncAll(classroom, { retries: 0 })).feeds).toEqual([{ id: 'cn.test.both', title: '两处来源', outcome: 'unchanged', revision: 2 }]);
    } finally {
      classroom.close();
    }
  });
});
