// Importing feed folders into a real library file: verification, refusals that
// leave the library untouched, reconciliation, and blobs that only appear verified.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex, sign, type SigningKey } from '../../main/feed/keys';
import type { Shard } from '../../main/feed/schema';
import { writeFeed } from '../../main/feed/write';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';
import { connectLibrary } from '../../main/library/db';
import { createQueries } from '../../main/library/queries';
import { layoutTreeCounts } from '../../main/library/search';

let tmp: string;
let services: Services;
let key: SigningKey;

const video = Buffer.from('not really a video, but bytes with a hash');
const pdf = Buffer.from('%PDF-1.4 tiny');

function catalog(opts: { lessons?: string[]; extraTitle?: string } = {}): Shard {
  const lessons = opts.lessons ?? ['春夜喜雨', '分数的初步认识', '三角形的内角和'];
  const nodes: Shard['nodes'] = [
    { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
    { id: 'xx-3', parent: 'xx', kind: 'grade', title: '三年级', order: 3 },
    { id: 'xx-3-sx', parent: 'xx-3', kind: 'subject', title: '数学', order: 2 },
    { id: 'xx-3-sx-rj', parent: 'xx-3-sx', kind: 'edition', title: '人教版', order: 1 },
    { id: 'xx-3-sx-rj-a', parent: 'xx-3-sx-rj', kind: 'volume', title: '三年级上册', order: 1 },
    { id: 'u1', parent: 'xx-3-sx-rj-a', kind: 'unit', title: '第一单元', order: 1 },
  ];
  const resources: Shard['resources'] = [];
  lessons.forEach((title, i) => {
    nodes.push({ id: `l${i}`, parent: 'u1', kind: 'lesson', title, order: i });
    resources.push({
      id: `r${i}`,
      node: `l${i}`,
      type: 'video',
      title: `${title}（第一课时）${opts.extraTitle ?? ''}`,
      revision: 1,
      duration: 600,
      files: [{ role: 'main', sha256: sha256Hex(video), size: video.length, mime: 'video/mp4', height: 720 }],
    });
    resources.push({
      id: `p${i}`,
      node: `l${i}`,
      type: 'pdf',
      title: '学习任务单',
      files: [{ role: 'main', sha256: sha256Hex(pdf), size: pdf.length, mime: 'application/pdf' }],
    });
  });
  return { format: 'classboard-shard/1', nodes, resources };
}

async function feed(dir: string, revision: number, shard: Shard = catalog(), opts: { sign?: SigningKey | null; blobs?: Buffer[] } = {}) {
  await writeFeed(dir, {
    id: 'test.feed',
    title: '测试资源库',
    revision,
    published: '2026-11-22T18:00:00Z',
    signingKey: opts.sign === null ? undefined : (opts.sign ?? key),
    shards: [{ path: 'shards/sx.json', nodes: shard.nodes, resources: shard.resources }],
    blobs: (opts.blobs ?? [video, pdf]).map((source) => ({ source })),
  });
  return dir;
}

/** Everything a user could see in the library, to prove a refusal changed nothing. */
function snapshot(): string {
  const db = new Database(path.join(tmp, 'data', 'library.db'), { readonly: true });
  const dump = ['feeds', 'nodes', 'resources', 'resource_files', 'shards']
    .map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()))
    .join('\n');
  db.close();
  return dump;
}

/** Rewrites feed.json and signs it properly: the publisher's key, hostile content. */
function resign(dir: string, indexText: string) {
  fs.writeFileSync(path.join(dir, 'feed.json'), indexText);
  fs.writeFileSync(path.join(dir, 'feed.json.sig'), sign(Buffer.from(indexText), key));
}

const trust = () => ({ keys: { [key.keyId]: key.publicKey } });

/** The feed's counts as the library shows them (kept by the applier), beside a real count of its rows. */
function keptCounts() {
  const [feed] = services.queries.status().feeds;
  const count = (table: string) => services.db.prepare(`SELECT count(*) FROM ${table} WHERE feed_id = ?`).pluck().get(feed!.id) as number;
  return { resources: feed!.resources, nodes: feed!.nodes, counted: { resources: count('resources'), nodes: count('nodes') } };
}

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-import-'));
  key = generateSigningKey('test-2026');
  services = hubServices(path.join(tmp, 'data'), 't');
});
afterEach(() => {
  services.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('feed import', () => {
  it('imports a signed folder: catalog, search and verified blobs', async () => {
    const dir = await feed(path.join(tmp, 'f1'), 1);
    const s = await services.importFeed(dir, trust());
    expect(s).toMatchObject({ feedId: 'test.feed', revision: 1, outcome: 'applied', resources: 6, added: 6 });
    expect(s.blobs).toMatchObject({ copied: 2, missing: 0, rejected: 0 });
    const found = await services.router.invoke('library:search', { query: '三角形' });
    // The video's own title matches first; the PDF under the same lesson matches by its path.
    expect(found).toMatchObject({
      ok: true,
      value: {
        total: 2,
        results: [
          { id: 'test.feed/r2', path: ['小学', '三年级', '数学', '人教版', '三年级上册', '第一单元', '三角形的内角和'] },
          { id: 'test.feed/p2', title: '学习任务单' },
        ],
      },
    });
    expect(services.blobs.has(sha256Hex(video))).toBe(true);
    // Importing the same revision again changes nothing.
    expect((await services.importFeed(dir, trust())).outcome).toBe('unchanged');
  });

  it('reconciles: resources no longer in the feed disappear from the library and from search', async () => {
    await services.importFeed(await feed(path.join(tmp, 'f1'), 1), trust());
    const s = await services.importFeed(await feed(path.join(tmp, 'f2'), 2, catalog({ lessons: ['春夜喜雨'] })), trust());
    expect(s).toMatchObject({ revision: 2, removed: 4, resources: 2 });
    expect(await services.router.invoke('library:search', { query: '三角形' })).toMatchObject({ ok: true, value: { total: 0 } });
    expect(await services.router.invoke('library:search', { query: '春' })).toMatchObject({ ok: true, value: { total: 2 } });
    const tree = await services.router.invoke('library:tree', { parent: 'test.feed/u1' });
    expect(tree.ok && tree.value.nodes.map((n) => n.title)).toEqual(['春夜喜雨']);
    expect(keptCounts()).toEqual({ resources: 2, nodes: 7, counted: { resources: 2, nodes: 7 } });
    // Grown again, with lessons the library has not seen: the kept counts follow.
    await services.importFeed(await feed(path.join(tmp, 'f3'), 3, catalog({ lessons: ['春夜喜雨', '观潮', '秋天的雨', '搭船的鸟'] })), trust());
    expect(keptCounts()).toEqual({ resources: 8, nodes: 10, counted: { resources: 8, nodes: 10 } });
  });

  it('counts the tree in the worker-built layout exactly as the library would count it itself', async () => {
    await services.importFeed(await feed(path.join(tmp, 'f1'), 1, catalog({ lessons: ['春夜喜雨', '观潮', '秋天的雨'] })), trust());
    type Counted = { id: string; childCount: number; resourceCount: number };
    const walk = async (tree: (parent: string | null) => Promise<Counted[]>) => {
      const seen: Counted[] = [];
      const visit = async (parent: string | null): Promise<void> => {
        for (const n of await tree(parent)) {
          seen.push({ id: n.id, childCount: n.childCount, resourceCount: n.resourceCount });
          await visit(n.id);
        }
      };
      await visit(null);
      return seen;
    };
    // Through the router: it waits for the worker's layout and counts from it.
    const fromLayout = await walk(async (parent) => {
      const r = await services.router.invoke('library:tree', { parent });
      if (!r.ok) throw new Error(r.error.message);
      return r.value.nodes;
    });
    expect(layoutTreeCounts(services.db)).not.toBeNull();
    // A second connection has no layout: it counts the rows itself.
    const other = connectLibrary(path.join(tmp, 'data', 'library.db'), { readonly: true });
    const counted = createQueries(other, services.blobs, (sha) => sha, () => true);
    expect(layoutTreeCounts(other)).toBeNull();
    expect(await walk(async (parent) => counted.tree(parent).nodes)).toEqual(fromLayout);
    other.close();
    expect(fromLayout.find((n) => n.id === 'test.feed/xx')).toEqual({ id: 'test.feed/xx', childCount: 1, resourceCount: 6 });
    expect(fromLayout.find((n) => n.id === 'test.feed/u1')).toEqual({ id: 'test.feed/u1', childCount: 3, resourceCount: 6 });
  });

  it('refuses hostile or broken feeds with a clear error and leaves the library as it was', async () => {
    await services.importFeed(await feed(path.join(tmp, 'good'), 5), trust());
    const before = snapshot();
    const attempts: [string, () => Promise<string>, RegExp][] = [
      [
        'tampered feed.json',
        async () => {
          const d = await feed(path.join(tmp, 'tampered'), 6);
          const f = path.join(d, 'feed.json');
          fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('测试资源库', '篡改资源库'));
          return d;
        },
        /签名无效|bad signature/,
      ],
      ['unknown key', async () => feed(path.join(tmp, 'other-key'), 6, catalog(), { sign: generateSigningKey('test-2026') }), /签名无效|bad signature/],
      ['missing signature', async () => feed(path.join(tmp, 'unsigned'), 6, catalog(), { sign: null }), /缺少签名|not signed/],
      ['lower revision', async () => feed(path.join(tmp, 'old'), 4), /回退|rollback/],
      [
        'shard path with ..',
        async () => {
          const d = await feed(path.join(tmp, 'dotdot'), 6);
          const f = path.join(d, 'feed.json');
          const idx = JSON.parse(fs.readFileSync(f, 'utf8'));
          idx.shards[0].path = '../../etc/passwd';
          resign(d, JSON.stringify(idx));
          return d;
        },
        /escapes its base/,
      ],
      [
        'shard bytes not matching the index',
        async () => {
          // A changed shard (so it must be read), altered after the index was signed.
          const d = await feed(path.join(tmp, 'badshard'), 6, catalog({ extraTitle: '（修订）' }));
          const f = path.join(d, 'shards', 'sx.json');
          fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('三角形', '四边形'));
          return d;
        },
        /sha256/,
      ],
      [
        'a cycle in the tree',
        async () => {
          const c = catalog();
          c.nodes[0]!.parent = 'u1';
          return feed(path.join(tmp, 'cycle'), 6, c);
        },
        /cycle/,
      ],
      [
        'an unknown parent',
        async () => {
          const c = catalog();
          c.nodes.push({ id: 'orphan', parent: 'nowhere', kind: 'lesson', title: 'x' });
          return feed(path.join(tmp, 'orphan'), 6, c);
        },
        /unknown parent/,
      ],
      [
        'a 1,001-character title',
        async () => {
          // The writer refuses this, so alter the shard afterwards and sign it properly.
          const d = await feed(path.join(tmp, 'long'), 6);
          const f = path.join(d, 'shards', 'sx.json');
          const shard = JSON.parse(fs.readFileSync(f, 'utf8'));
          shard.resources[0].title = '长'.repeat(1001);
          const bytes = Buffer.from(JSON.stringify(shard));
          fs.writeFileSync(f, bytes);
          const idx = JSON.parse(fs.readFileSync(path.join(d, 'feed.json'), 'utf8'));
          idx.shards[0].sha256 = sha256Hex(bytes);
          idx.shards[0].size = bytes.length;
          resign(d, JSON.stringify(idx));
          return d;
        },
        /1000 characters/,
      ],
      [
        'feed.json over 1 MiB',
        async () => {
          const d = await feed(path.join(tmp, 'huge'), 6);
          fs.writeFileSync(path.join(d, 'feed.json'), ' '.repeat(1024 * 1024 + 1));
          return d;
        },
        /limit/,
      ],
    ];
    for (const [what, make, message] of attempts) {
      const dir = await make();
      const outcome = await services.importFeed(dir).then(
        (s) => `accepted revision ${s.revision}`,
        (e: Error) => e.message,
      );
      expect(outcome, what).toMatch(message);
      expect(snapshot(), what).toBe(before);
    }
  });

  it('accepts an unsigned folder only when asked to, and never downgrades a signed subscription', async () => {
    const dir = await feed(path.join(tmp, 'usb'), 1, catalog(), { sign: null });
    await expect(services.importFeed(dir)).rejects.toThrow(/not signed/);
    expect((await services.importFeed(dir, { unsigned: true })).resources).toBe(6);
    const signed = fs.mkdtempSync(path.join(tmp, 'x'));
    const s2 = hubServices(signed, 't');
    await s2.importFeed(await feed(path.join(tmp, 'signed'), 1), trust());
    await expect(s2.importFeed(await feed(path.join(tmp, 'usb2'), 2, catalog(), { sign: null }), { unsigned: true })).rejects.toThrow(/signed/);
    s2.close();
  });

  it('skips a blob whose bytes do not match its hash: never visible, the rest imported', async () => {
    const dir = await feed(path.join(tmp, 'f1'), 1);
    const blobFile = path.join(dir, 'blobs', sha256Hex(video).slice(0, 2), sha256Hex(video));
    fs.writeFileSync(blobFile, Buffer.from('corrupted bytes of the same length?'));
    const s = await services.importFeed(dir, trust());
    expect(s.blobs).toMatchObject({ copied: 1, rejected: 1 });
    expect(services.blobs.has(sha256Hex(video))).toBe(false);
    const leftovers = fs.readdirSync(services.blobs.tmpDir);
    expect(leftovers).toEqual([]);
    const r = await services.router.invoke('library:resource', { id: 'test.feed/r0' });
    expect(r.ok && r.value.files[0]).toMatchObject({ cached: false, url: null });
  });
});
