import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectLibrary, openLibrary, type Db } from '../../main/library/db';
import {
  dropUnusedTexts,
  likeScan,
  rebuildSearchIndex,
  searchLibrary,
  searchTuning,
  updateSearchIndex,
  type SearchRequest,
} from '../../main/library/search';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-search-'));
  db = openLibrary(path.join(dir, 'library.db')).db;
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes catalog rows with plain SQL, then tells the index, as the applier does. */
class Catalog {
  private rids: number[] = [];
  private deleted: number[] = [];
  private nodeIds: string[] = [];
  constructor(
    private db: Db,
    readonly feed = 'demo',
  ) {
    db.prepare("INSERT OR IGNORE INTO feeds(id, title, source) VALUES (?, '示例资源库', 'test')").run(feed);
  }
  node(id: string, parent: string | null, kind: string, title: string, ord = 0): string {
    const gid = `${this.feed}/${id}`;
    this.db
      .prepare(
        `INSERT INTO nodes(id, feed_id, parent, kind, title, ord) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET parent = excluded.parent, kind = excluded.kind, title = excluded.title, ord = excluded.ord`,
      )
      .run(gid, this.feed, parent === null ? null : `${this.feed}/${parent}`, kind, title, ord);
    this.nodeIds.push(gid);
    return id;
  }
  deleteNode(id: string): void {
    this.db.prepare('DELETE FROM nodes WHERE id = ?').run(`${this.feed}/${id}`);
    this.nodeIds.push(`${this.feed}/${id}`);
  }
  res(id: string, node: string, title: string, ord = 0, type = 'video'): number {
    const rid = Number(
      this.db
        .prepare('INSERT INTO resources(id, feed_id, shard, node_id, type, title, ord) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(`${this.feed}/${id}`, this.feed, 's.json', `${this.feed}/${node}`, type, title, ord).lastInsertRowid,
    );
    this.rids.push(rid);
    return rid;
  }
  updateRes(id: string, fields: { title?: string; node?: string; ord?: number }): void {
    const row = this.db.prepare('SELECT rid FROM resources WHERE id = ?').get(`${this.feed}/${id}`) as { rid: number };
    if (fields.title !== undefined) this.db.prepare('UPDATE resources SET title = ? WHERE rid = ?').run(fields.title, row.rid);
    if (fields.node !== undefined) this.db.prepare('UPDATE resources SET node_id = ? WHERE rid = ?').run(`${this.feed}/${fields.node}`, row.rid);
    if (fields.ord !== undefined) this.db.prepare('UPDATE resources SET ord = ? WHERE rid = ?').run(fields.ord, row.rid);
    this.rids.push(row.rid);
  }
  deleteRes(id: string): void {
    const row = this.db.prepare('SELECT rid FROM resources WHERE id = ?').get(`${this.feed}/${id}`) as { rid: number };
    this.db.prepare('DELETE FROM resources WHERE rid = ?').run(row.rid);
    this.deleted.push(row.rid);
  }
  commit(): void {
    updateSearchIndex(this.db, { feedId: this.feed, resourceRids: this.rids, deletedRids: this.deleted, nodeIds: this.nodeIds });
    this.rids = [];
    this.deleted = [];
    this.nodeIds = [];
  }
}

/** A small catalog shaped like a real one (stage → grade → subject → edition → volume → unit → lesson). */
function buildDemo(c: Catalog): void {
  c.node('xx', null, 'stage', '小学', 0);
  c.node('cz', null, 'stage', '初中', 1);
  c.node('g3', 'xx', 'grade', '三年级', 2);
  c.node('g8', 'cz', 'grade', '八年级', 1);
  c.node('g3yw', 'g3', 'subject', '语文', 0);
  c.node('g3sx', 'g3', 'subject', '数学', 1);
  c.node('g3yy', 'g3', 'subject', '英语', 2);
  c.node('g8sx', 'g8', 'subject', '数学', 0);
  c.node('g8wl', 'g8', 'subject', '物理', 1);
  c.node('g3yw-tb', 'g3yw', 'edition', '统编版', 0);
  c.node('g3sx-rj', 'g3sx', 'edition', '人教版', 0);
  c.node('g3yy-rj', 'g3yy', 'edition', '人教版', 0);
  c.node('g8sx-rj', 'g8sx', 'edition', '人教版', 0);
  c.node('g8wl-rj', 'g8wl', 'edition', '人教版', 0);
  c.node('g3yw-s', 'g3yw-tb', 'volume', '三年级上册', 0);
  c.node('g3sx-s', 'g3sx-rj', 'volume', '三年级上册', 0);
  c.node('g3yy-s', 'g3yy-rj', 'volume', '三年级上册', 0);
  c.node('g8sx-s', 'g8sx-rj', 'volume', '八年级上册', 0);
  c.node('g8wl-s', 'g8wl-rj', 'volume', '八年级上册', 0);
  c.node('yw-u1', 'g3yw-s', 'unit', '第一单元', 0);
  c.node('yw-u2', 'g3yw-s', 'unit', '第二单元 古诗', 1);
  c.node('l-cyxy', 'yw-u2', 'lesson', '春夜喜雨', 0);
  c.node('l-chun', 'yw-u1', 'lesson', '春', 0);
  c.node('l-dhz', 'yw-u1', 'lesson', '大青树下的小学', 1);
  c.node('sx-u8', 'g3sx-s', 'unit', '第八单元 分数的初步认识', 7);
  c.node('l-jfzy', 'sx-u8', 'lesson', '几分之一', 0);
  c.node('l-fsjd', 'sx-u8', 'lesson', '分数的简单应用', 1);
  c.node('yy-u1', 'g3yy-s', 'unit', 'Unit 1 Hello', 0);
  c.node('l-talk', 'yy-u1', 'lesson', "Part A Let's talk", 0);
  c.node('sx8-u11', 'g8sx-s', 'unit', '第十一章 三角形', 0);
  c.node('l-nj', 'sx8-u11', 'lesson', '三角形的内角和', 0);
  c.node('wl-u1', 'g8wl-s', 'unit', '第一章 机械运动', 0);
  c.node('l-cl', 'wl-u1', 'lesson', '长度和时间的测量', 0);

  c.res('r1', 'l-chun', '春（第一课时）', 0);
  c.res('r2', 'l-chun', '春（第二课时）', 1);
  c.res('r3', 'l-chun', '朗读 音频', 2, 'audio');
  c.res('r4', 'l-cyxy', '春夜喜雨 课件', 0, 'pdf');
  c.res('r5', 'l-cyxy', '古诗朗读', 1, 'audio');
  c.res('r6', 'l-dhz', '大青树下的小学 学习任务单', 0, 'document');
  c.res('r7', 'l-jfzy', '几分之一（第一课时）', 0);
  c.res('r8', 'l-jfzy', '分数的初步认识 课件', 1, 'pdf');
  c.res('r9', 'l-fsjd', '课后练习', 0, 'exercise');
  c.res('r10', 'l-talk', 'Unit 1 Hello 课件', 0, 'pdf');
  c.res('r11', 'l-talk', 'HELLO song', 1, 'audio');
  c.res('r12', 'l-talk', "Let's talk 微课", 2);
  c.res('r13', 'l-nj', '三角形的内角和 学习任务单', 0, 'document');
  c.res('r14', 'l-nj', '内角和定理证明', 1);
  c.res('r15', 'l-cl', '机械运动：长度测量.pdf', 0, 'pdf');
  c.res('r16', 'l-cl', '课后练习', 1, 'exercise');
  c.res('r17', 'sx-u8', '单元测试卷', 9, 'exercise'); // on a unit, not a lesson
  c.commit();
}

const all = (query: string): SearchRequest => ({ query, limit: 100_000 });
const ids = (r: { results: { id: string }[] }) => r.results.map((x) => x.id.replace('demo/', ''));

function expectSameAsScan(req: SearchRequest) {
  const got = searchLibrary(db, req);
  expect(got, JSON.stringify(req)).toEqual(likeScan(db, req));
  return got;
}

describe('searchLibrary', () => {
  beforeEach(() => buildDemo(new Catalog(db)));

  it('finds a single character in titles, then on the path, in catalog order', () => {
    const r = expectSameAsScan(all('春'));
    // Own-title hits first (in path order), then resources under a 春 lesson.
    expect(ids(r)).toEqual(['r1', 'r2', 'r4', 'r3', 'r5']);
    expect(r.total).toBe(5);
    expect(r.results[0]).toEqual({
      id: 'demo/r1',
      title: '春（第一课时）',
      type: 'video',
      path: ['小学', '三年级', '语文', '统编版', '三年级上册', '第一单元', '春'],
    });
  });

  it('finds multi-character terms through titles and paths', () => {
    expect(ids(expectSameAsScan(all('三角形')))).toEqual(['r13', 'r14']);
    expect(ids(expectSameAsScan(all('春夜')))).toEqual(['r4', 'r5']);
    expect(ids(expectSameAsScan(all('第一课时')))).toEqual(['r1', 'r7']);
    expect(expectSameAsScan(all('龙')).total).toBe(0);
  });

  it('requires every term and ranks full title hits, then partial, then path-only', () => {
    // 分数 is in r8's title and in the unit above all of them; 三年级 only on paths.
    expect(ids(expectSameAsScan(all('三年级 分数')))).toEqual(['r8', 'r17', 'r7', 'r9']);
    // Both terms in the title beat one term in the title.
    expect(ids(expectSameAsScan(all('三角形 任务单')))).toEqual(['r13']);
    expect(ids(expectSameAsScan(all('学 任务单')))).toEqual(['r6', 'r13']);
    expect(ids(expectSameAsScan(all('春 课件')))).toEqual(['r4']);
    expect(ids(expectSameAsScan(all('初中 课后练习')))).toEqual(['r16']);
  });

  it('folds Latin case on both sides', () => {
    const lower = expectSameAsScan(all('hello'));
    expect(ids(lower)).toEqual(['r10', 'r11', 'r12']);
    expect(searchLibrary(db, all('Hello'))).toEqual(lower);
    expect(searchLibrary(db, all('HELLO'))).toEqual(lower);
    // "unit 1" is two terms; both occur in the unit title above every resource there.
    expect(ids(expectSameAsScan(all('unit 1')))).toEqual(['r10', 'r11', 'r12']);
    expect(ids(expectSameAsScan(all("let's")))).toEqual(['r12', 'r10', 'r11']);
  });

  it('splits on any whitespace, including the ideographic space, and ignores empty queries', () => {
    expect(searchLibrary(db, all('三年级　分数'))).toEqual(searchLibrary(db, all('  三年级 \t分数 ')));
    expect(searchLibrary(db, { query: '' })).toEqual({ total: 0, results: [] });
    expect(searchLibrary(db, { query: ' \u3000 ' })).toEqual({ total: 0, results: [] });
    expect(likeScan(db, { query: '   ' })).toEqual({ total: 0, results: [] });
  });

  it('matches punctuation inside titles', () => {
    expect(ids(expectSameAsScan(all('：长度')))).toEqual(['r15']);
    expect(ids(expectSameAsScan(all('动：')))).toEqual(['r15']);
    expect(ids(expectSameAsScan(all('（第')))).toEqual(['r1', 'r2', 'r7']);
    expect(ids(expectSameAsScan(all('.pdf')))).toEqual(['r15']);
    expect(expectSameAsScan(all('）')).total).toBe(3);
    expect(expectSameAsScan(all('%')).total).toBe(0); // no LIKE wildcards
    expect(expectSameAsScan(all('"')).total).toBe(0); // nothing leaks into the FTS5 syntax
  });

  it('does not match a term that spans two titles', () => {
    // 三年级上册 / 第一单元 are adjacent on the path; 春 / 朗读 are lesson / resource.
    expect(expectSameAsScan(all('册第')).total).toBe(0);
    expect(expectSameAsScan(all('春朗')).total).toBe(0);
    expect(expectSameAsScan(all('雨古')).total).toBe(0);
    expect(expectSameAsScan(all('hellopart')).total).toBe(0);
  });

  it('pages with limit and offset like the scan', () => {
    const full = searchLibrary(db, all('课'));
    expect(full.total).toBeGreaterThan(5);
    for (const [limit, offset] of [[2, 0], [2, 2], [3, 4], [50, 0], [1, full.total - 1], [5, full.total], [5, 1000]] as const) {
      const page = expectSameAsScan({ query: '课', limit, offset });
      expect(page.total).toBe(full.total);
      expect(page.results).toEqual(full.results.slice(offset, offset + limit));
    }
    expect(searchLibrary(db, { query: '课' }).results.length).toBe(Math.min(50, full.total));
  });

  it('follows renames, moves, deletes and reinserts', () => {
    const c = new Catalog(db);
    c.node('l-chun', 'yw-u1', 'lesson', '秋天的雨', 0);
    c.commit();
    expect(ids(expectSameAsScan(all('秋天')))).toEqual(['r1', 'r2', 'r3']);
    expect(ids(expectSameAsScan(all('春')))).toEqual(['r1', 'r2', 'r4', 'r5']);

    c.deleteRes('r1');
    c.deleteRes('r4');
    c.commit();
    expect(ids(expectSameAsScan(all('春')))).toEqual(['r2', 'r5']);
    expect(ids(expectSameAsScan(all('课件')))).toEqual(['r8', 'r10']);

    c.res('r4', 'l-cyxy', '春夜喜雨 课件（新）', 0, 'pdf');
    c.commit();
    expect(ids(expectSameAsScan(all('春')))).toEqual(['r2', 'r4', 'r5']);

    c.updateRes('r2', { title: '春天来了', node: 'l-nj' });
    c.updateRes('r5', { ord: -1 });
    c.commit();
    expect(ids(expectSameAsScan(all('春')))).toEqual(['r4', 'r2', 'r5']);
    expect(expectSameAsScan(all('三角形 春')).results[0]!.path.at(-1)).toBe('三角形的内角和');

    // Removing a lesson leaves its resources findable by their own titles only.
    c.deleteNode('l-cyxy');
    c.commit();
    expect(ids(expectSameAsScan(all('春')))).toEqual(['r2', 'r4']);
    expect(searchLibrary(db, all('春夜喜雨 课件')).results[0]!.path).toEqual([]);

    // Titles nobody uses any more leave the index.
    const texts = db.prepare('SELECT text FROM search_text').pluck().all() as string[];
    expect(texts).not.toContain('春（第一课时）');
    expect(texts).not.toContain('春夜喜雨');
    expect(texts).not.toContain('春');
  });

  it('indexes rows handed over with their titles; titles left unused go when dropped, after the answer', () => {
    const added = Number(
      db
        .prepare("INSERT INTO resources(id, feed_id, shard, node_id, type, title) VALUES ('demo/r20', 'demo', 's.json', 'demo/l-chun', 'pdf', '春 新学案')")
        .run().lastInsertRowid,
    );
    const renamed = db.prepare("SELECT rid FROM resources WHERE id = 'demo/r14'").pluck().get() as number;
    db.prepare('UPDATE resources SET title = ? WHERE rid = ?').run('内角和 探究', renamed);
    const unused = updateSearchIndex(db, {
      feedId: 'demo',
      resourceRids: [renamed],
      deletedRids: [],
      nodeIds: [],
      inserted: { resources: [[added, '春 新学案']], nodes: [] },
      titles: new Map([[renamed, '内角和 探究']]),
      keepUnused: true,
    });
    expect(ids(expectSameAsScan(all('学案')))).toEqual(['r20']);
    expect(ids(expectSameAsScan(all('探究')))).toEqual(['r14']);
    // The old title is still indexed but no row maps to it: no search finds it.
    expect(expectSameAsScan(all('定理证明')).total).toBe(0);
    const texts = () => db.prepare('SELECT text FROM search_text').pluck().all() as string[];
    expect(texts()).toContain('内角和定理证明');
    dropUnusedTexts(db, unused);
    expect(texts()).not.toContain('内角和定理证明');
    expect(ids(expectSameAsScan(all('探究')))).toEqual(['r14']);
  });

  it('keeps the layout when an apply changed nothing', () => {
    const gen = () => db.prepare('SELECT gen FROM search_state').pluck().get();
    const before = gen();
    updateSearchIndex(db, { feedId: 'demo', resourceRids: [], deletedRids: [], nodeIds: [] });
    expect(gen()).toBe(before);
  });

  it('forgets a removed feed', () => {
    const other = new Catalog(db, 'other');
    other.node('s', null, 'stage', '小学', 0);
    other.node('l', 's', 'lesson', '春晓', 0);
    other.res('x', 'l', '春晓 课件');
    other.commit();
    expect(expectSameAsScan(all('春')).total).toBe(6);
    db.prepare('DELETE FROM feeds WHERE id = ?').run('demo');
    expect(ids(expectSameAsScan(all('春')))).toEqual(['other/x']);
    updateSearchIndex(db, { feedId: 'other', resourceRids: [], deletedRids: [], nodeIds: [] });
    expect(db.prepare('SELECT count(*) FROM search_text').pluck().get()).toBe(3);
  });

  it('rebuilds to the same answers', () => {
    const before = searchLibrary(db, all('三年级 课'));
    rebuildSearchIndex(db, 'demo');
    expect(searchLibrary(db, all('三年级 课'))).toEqual(before);
    rebuildSearchIndex(db);
    expect(searchLibrary(db, all('三年级 课'))).toEqual(before);
  });

  it('indexes rows written without updateSearchIndex, and a library marked stale', () => {
    db.prepare("INSERT INTO resources(id, feed_id, shard, node_id, type, title) VALUES ('demo/sneak', 'demo', 's', 'demo/l-chun', 'pdf', '春 板书')").run();
    expect(ids(expectSameAsScan(all('板书')))).toEqual(['sneak']);
    db.exec('DELETE FROM search_res; DELETE FROM search_node; UPDATE search_state SET stale = 1');
    expect(ids(expectSameAsScan(all('三年级 分数')))).toEqual(['r8', 'r17', 'r7', 'r9']);
    expect(db.prepare('SELECT stale FROM search_state').pluck().get()).toBe(0);
  });

  it('sees changes made through another connection', () => {
    expect(searchLibrary(db, all('板书')).total).toBe(0);
    const other = connectLibrary(path.join(dir, 'library.db'));
    const c = new Catalog(other);
    c.res('r20', 'l-nj', '板书设计');
    c.commit();
    other.close();
    expect(ids(expectSameAsScan(all('板书')))).toEqual(['r20']);
  });
});

// ---------------------------------------------------------------------------
// Property test: random catalogs against the scan

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A small alphabet so that substrings collide a lot: CJK, both Latin cases,
// digits, punctuation, spaces and a character outside the BMP.
const ALPHABET = [...'春夜喜雨分数的三角形年级上册第一课时单元练习学任务语文数学 （）：、·Aa Bb Hello 12 𠀀'];

function randomCatalog(db: Db, random: () => number, resources: number): string[] {
  const c = new Catalog(db);
  const word = (min: number, max: number) => {
    const n = min + Math.floor(random() * (max - min + 1));
    return Array.from({ length: n }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('');
  };
  const titles: string[] = [];
  const nodes: string[] = [];
  let n = 0;
  // Ties and odd values in ord, a node under a missing parent, a resource on a missing node.
  const ord = () => (random() < 0.2 ? 0 : Math.floor(random() * 6) - 1 + (random() < 0.1 ? 0.5 : 0));
  const add = (parent: string | null, kind: string) => {
    const title = word(1, 8);
    titles.push(title);
    nodes.push(c.node(`n${++n}`, parent, kind, title, ord()));
    return nodes.at(-1)!;
  };
  for (let s = 0; s < 2; s++) {
    const stage = add(null, 'stage');
    for (let g = 0; g < 3; g++) {
      const grade = add(stage, 'grade');
      for (let u = 0; u < 6; u++) {
        const unit = add(grade, 'unit');
        for (let l = 0; l < 6; l++) add(unit, 'lesson');
      }
    }
  }
  add('missing-parent', 'lesson');
  for (let r = 0; r < resources; r++) {
    const title = random() < 0.3 ? titles[Math.floor(random() * titles.length)]! : word(1, 12);
    titles.push(title);
    const node = random() < 0.005 ? 'missing-node' : nodes[Math.floor(random() * nodes.length)]!;
    c.res(`r${r}`, node, title, random() < 0.3 ? 0 : Math.floor(random() * 4));
  }
  c.commit();
  return titles;
}

function randomQueries(random: () => number, titles: string[], count: number): string[] {
  const sub = (len: number) => {
    const t = [...titles[Math.floor(random() * titles.length)]!];
    const i = Math.floor(random() * Math.max(1, t.length - len + 1));
    return t.slice(i, i + len).join('').trim() || '春';
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const len = 1 + Math.floor(random() * 4);
    const r = random();
    if (r < 0.55) out.push(sub(len));
    else if (r < 0.85) out.push(`${sub(1 + Math.floor(random() * 3))} ${sub(1 + Math.floor(random() * 3))}`);
    else out.push(Array.from({ length: len }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('').trim() || 'a');
  }
  return out;
}

describe('searchLibrary against likeScan on random catalogs', () => {
  const defaults = { ...searchTuning };
  afterEach(() => Object.assign(searchTuning, defaults));

  for (const [name, heavyDocs] of [
    ['through FTS5', defaults.heavyDocs],
    ['through precomputed frequent tokens', 1],
  ] as const) {
    it(`returns exactly the scan's results ${name}`, () => {
      searchTuning.heavyDocs = heavyDocs;
      const random = rng(heavyDocs);
      const titles = randomCatalog(db, random, 2000);
      let nonEmpty = 0;
      for (const query of randomQueries(random, titles, 300)) {
        const got = searchLibrary(db, all(query));
        expect(got, query).toEqual(likeScan(db, all(query)));
        if (got.total > 0) nonEmpty++;
        const offset = Math.floor(random() * (got.total + 2));
        expect(searchLibrary(db, { query, limit: 7, offset }), `${query} @${offset}`).toEqual(got.results.length ? { total: got.total, results: got.results.slice(offset, offset + 7) } : got);
      }
      expect(nonEmpty).toBeGreaterThan(200);
    });
  }

  it('stays exact through random updates', () => {
    const random = rng(7);
    const titles = randomCatalog(db, random, 600);
    const c = new Catalog(db);
    for (let round = 0; round < 5; round++) {
      for (let k = 0; k < 40; k++) {
        const id = `r${Math.floor(random() * 600)}`;
        const exists = db.prepare('SELECT 1 FROM resources WHERE id = ?').get(`demo/${id}`);
        const pick = titles[Math.floor(random() * titles.length)]!;
        if (!exists) c.res(id, `n${1 + Math.floor(random() * 200)}`, pick);
        else if (random() < 0.4) c.deleteRes(id);
        else c.updateRes(id, { title: pick.slice(0, 3) + '练习', ord: Math.floor(random() * 5), node: `n${1 + Math.floor(random() * 200)}` });
      }
      for (let k = 0; k < 10; k++) {
        const id = `n${1 + Math.floor(random() * 200)}`;
        const row = db.prepare('SELECT parent, kind FROM nodes WHERE id = ?').get(`demo/${id}`) as { parent: string | null; kind: string } | undefined;
        if (row) c.node(id, row.parent?.replace('demo/', '') ?? null, row.kind, titles[Math.floor(random() * titles.length)]!, Math.floor(random() * 5));
      }
      c.commit();
      for (const query of randomQueries(random, titles, 60)) expect(searchLibrary(db, all(query)), query).toEqual(likeScan(db, all(query)));
    }
  });
});
