// A big first import builds its indexes after its rows (deferIndexes): the
// library it leaves must be the one a row-by-row import leaves, schema included,
// and a refused one must leave the library as it was, indexes included.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../main/feed/keys';
import type { Shard } from '../../main/feed/schema';
import { applyCatalog, catalogTuning, parseShard, type ApplyInput } from '../../main/library/catalog';
import { openLibrary, type Db } from '../../main/library/db';
import { likeScan, searchLibrary } from '../../main/library/search';

let tmp: string;
const open: Db[] = [];
const defaultBulkRows = catalogTuning.bulkRows;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-catalog-bulk-'));
});
afterEach(() => {
  catalogTuning.bulkRows = defaultBulkRows;
  for (const db of open.splice(0)) db.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function library(name: string): Db {
  const { db } = openLibrary(path.join(tmp, name, 'library.db'));
  open.push(db);
  return db;
}

/** Two volumes of a small catalog, each its own shard; `danglingIn` names a resource's node that no shard defines. */
function shards(opts: { retitle?: string; danglingIn?: number } = {}): { path: string; shard: Shard }[] {
  return [0, 1].map((v) => {
    const nodes: Shard['nodes'] = [
      { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
      { id: `v${v}`, parent: 'xx', kind: 'volume', title: `三年级${v ? '下' : '上'}册`, order: v },
    ];
    const resources: Shard['resources'] = [];
    for (let l = 0; l < 6; l++) {
      nodes.push({ id: `v${v}-l${l}`, parent: `v${v}`, kind: 'lesson', title: `第${l + 1}课 春夜喜雨`, order: l });
      for (const suffix of [' 课件', ' 教学设计']) {
        const id = `v${v}-l${l}${suffix.trim()}`;
        resources.push({
          id,
          node: opts.danglingIn === v && l === 5 ? 'nowhere' : `v${v}-l${l}`,
          type: 'video',
          title: `春夜喜雨${suffix}${opts.retitle && l === 2 ? opts.retitle : ''}`,
          files: [{ role: 'main', sha256: sha256Hex(id), size: 100 + l, mime: 'video/mp4', height: 720 }],
        });
      }
    }
    return { path: `shards/v${v}.json`, shard: { format: 'classboard-shard/1', nodes, resources } };
  });
}

function apply(db: Db, list: { path: string; shard: Shard }[], revision = 1) {
  const docs = list.map(({ path: p, shard }) => {
    const bytes = Buffer.from(JSON.stringify(shard));
    return { path: p, bytes, sha256: sha256Hex(bytes), size: bytes.length };
  });
  const index = docs.map(({ path: p, sha256, size }) => ({ path: p, sha256, size }));
  const input: ApplyInput = {
    feed: { id: 'bulk.feed', title: '测试', source: '/nowhere', unsigned: true, keys: {}, mirrors: [], revision, published: null, indexSha256: sha256Hex(String(revision)), blobBases: ['blobs/'] },
    shards: index,
    changed: index,
    stored: [],
  };
  return applyCatalog(db, input, docs.map(parseShard));
}

const schema = (db: Db) => db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all();
const TABLES = ['nodes', 'node_shards', 'resources', 'resource_files', 'shards', 'search_text', 'search_res', 'search_node'];
const dump = (db: Db) => TABLES.map((t) => db.prepare(`SELECT * FROM ${t}`).all().map((r) => JSON.stringify(r)).sort());

/** The DROP INDEX statements run on `db` from now on. */
function drops(db: Db): string[] {
  const dropped: string[] = [];
  const exec = db.exec.bind(db);
  db.exec = (sql: string) => {
    if (/DROP INDEX/i.test(sql)) dropped.push(sql);
    return exec(sql);
  };
  return dropped;
}

describe('a bulk first import', () => {
  it('leaves the library, its indexes and its search exactly as a row-by-row import does', () => {
    const rowByRow = library('rows');
    const expectedSchema = schema(rowByRow);
    catalogTuning.bulkRows = Number.MAX_SAFE_INTEGER;
    apply(rowByRow, shards());
    catalogTuning.bulkRows = 1;
    const bulk = library('bulk');
    const dropped = drops(bulk);
    const result = apply(bulk, shards());
    expect(result).toMatchObject({ resources: 24, nodes: 15, added: 24 });

    expect(dropped.length).toBeGreaterThanOrEqual(7);
    expect(schema(bulk)).toEqual(expectedSchema);
    expect(bulk.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(dump(bulk)).toEqual(dump(rowByRow));
    for (const query of ['春夜', '课件 第3课', '下册 设计']) {
      const want = likeScan(bulk, { query, limit: 100 });
      expect(want.total).toBeGreaterThan(0);
      expect(searchLibrary(bulk, { query, limit: 100 })).toEqual(want);
    }
    // The next revision is a change (row by row), on the indexes the bulk load built.
    const change = apply(bulk, shards({ retitle: '（修订）' }), 2);
    expect(change).toMatchObject({ updated: 4, added: 0, removed: 0 });
    expect(searchLibrary(bulk, { query: '修订' }).total).toBe(4);
    expect(bulk.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('refused after its rows are in, leaves the library as it was, its indexes too', () => {
    catalogTuning.bulkRows = 1;
    const db = library('refused');
    const before = { schema: schema(db), rows: dump(db) };
    expect(() => apply(db, shards({ danglingIn: 1 }))).toThrow(/refers to unknown node nowhere/);
    expect(schema(db)).toEqual(before.schema);
    expect(dump(db)).toEqual(before.rows);
    // And a good one goes in after it.
    expect(apply(db, shards())).toMatchObject({ resources: 24 });
    expect(schema(db)).toEqual(before.schema);
  });

  it('is not taken into a library that holds more than it brings', () => {
    catalogTuning.bulkRows = 1;
    const db = library('bigger');
    apply(db, shards());
    const other = shards().slice(0, 1).map(({ path: p, shard }) => ({
      path: p,
      shard: { ...shard, nodes: shard.nodes.map((n) => ({ ...n, id: `o-${n.id}`, parent: n.parent && `o-${n.parent}` })), resources: shard.resources.map((r) => ({ ...r, id: `o-${r.id}`, node: `o-${r.node}` })) },
    }));
    const dropped = drops(db);
    const input = other.map(({ path: p, shard }) => ({ path: p, shard }));
    const bytes = input.map((s) => Buffer.from(JSON.stringify(s.shard)));
    const index = input.map((s, i) => ({ path: s.path, sha256: sha256Hex(bytes[i]!), size: bytes[i]!.length }));
    applyCatalog(
      db,
      { feed: { id: 'other.feed', title: '另一个', source: '/x', unsigned: true, keys: {}, mirrors: [], revision: 1, published: null, indexSha256: 'b'.repeat(64), blobBases: [] }, shards: index, changed: index, stored: [] },
      input.map((s, i) => parseShard({ ...index[i]!, bytes: bytes[i]! })),
    );
    expect(dropped).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM resources').pluck().get()).toBe(36);
  });
});

describe('resources on nodes', () => {
  it('accepts a node another shard defines and refuses one no shard defines, naming the resource', () => {
    const db = library('nodes');
    apply(db, shards());
    const moved = shards();
    // v1's first resource moves to a lesson of v0, a shard this change does not touch.
    moved[1]!.shard.resources[0]!.node = 'v0-l1';
    expect(apply(db, moved, 2)).toMatchObject({ updated: 1 });
    expect(db.prepare("SELECT node_id FROM resources WHERE id = 'bulk.feed/v1-l0课件'").pluck().get()).toBe('bulk.feed/v0-l1');
    const before = dump(db);
    const lost = shards();
    lost[1]!.shard.resources[3]!.node = 'gone';
    expect(() => apply(db, lost, 3)).toThrow('resource bulk.feed/v1-l1教学设计 refers to unknown node gone');
    // A node removed by the same change (no shard defines v0-l5 any more) cannot keep a resource of another shard.
    const dropped = shards();
    dropped[0]!.shard.nodes = dropped[0]!.shard.nodes.filter((n) => n.id !== 'v0-l5');
    dropped[0]!.shard.resources = dropped[0]!.shard.resources.filter((r) => r.node !== 'v0-l5');
    dropped[1]!.shard.resources[0]!.node = 'v0-l5';
    expect(() => apply(db, dropped, 3)).toThrow('resource bulk.feed/v1-l0课件 refers to unknown node v0-l5');
    expect(dump(db)).toEqual(before);
  });
});

describe('a resource listed in two shards', () => {
  it('is refused naming both shards, on a first import (bulk or not) and on a change, leaving the library as it was', () => {
    const twice = () => {
      const list = shards();
      list[1]!.shard.resources[4] = { ...list[0]!.shard.resources[1]!, node: 'v1-l2' };
      return list;
    };
    const message = 'resource v0-l0教学设计 is listed in both shards/v0.json and shards/v1.json';
    for (const bulkRows of [1, Number.MAX_SAFE_INTEGER]) {
      catalogTuning.bulkRows = bulkRows;
      const db = library(`first-${bulkRows}`);
      const before = dump(db);
      expect(() => apply(db, twice())).toThrow(message);
      expect(dump(db)).toEqual(before);
      expect(schema(db)).toEqual(schema(library(`empty-${bulkRows}`)));
    }
    const db = library('change');
    apply(db, shards());
    const before = dump(db);
    expect(() => apply(db, twice(), 2)).toThrow(message);
    expect(dump(db)).toEqual(before);
  });
});
