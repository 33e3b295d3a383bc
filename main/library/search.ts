// Chinese search over the library. A resource matches when every whitespace-separated
// term of the query occurs (ASCII letters case-folded) in its own title or in the
// title of a node on its path. Results are exactly those of a LIKE scan (likeScan
// below is the reference), ranked: all terms in the resource's title, then some,
// then path-only hits; ties in catalog order.
//
// How it stays fast (see bench/search.ts):
// - Distinct titles are indexed once in FTS5 as two token streams, unigrams and
//   bigrams, each character spelled as 4 base-36 digits so FTS5's ascii tokenizer
//   never splits or drops one (punctuation and spaces included, so positions stay
//   adjacent). A 1-character term is a unigram lookup; a longer term is the phrase
//   of its overlapping bigrams, which matches exactly when the term is a substring.
//   Each title is its own FTS row, so no bigram spans two titles.
// - A per-connection in-memory layout puts the resources in catalog order; every
//   node then owns one contiguous range of positions (its subtree). A term becomes
//   two bitsets: resources whose title matched, and those plus the ranges of the
//   nodes whose title matched. Intersections, tiers, totals and the page are word
//   operations on ~N/32 integers, so a term that hits 100,000 resources costs
//   about as much as one that hits ten. The layout is rebuilt when the index
//   generation changes (every catalog change bumps it).
import type Database from 'better-sqlite3';
import type { Req, Res, ResourceSummary } from '../../preload/contract';
import { deferIndexes, type Db } from './db';

export type SearchRequest = Req<'library:search'>;
/** Search matches titles; whether a hit is downloaded is the library's to add (queries.withReady). */
export type SearchHit = Omit<ResourceSummary, 'ready'>;
export type SearchResult = Omit<Res<'library:search'>, 'results'> & { results: SearchHit[] };
export interface SearchIndexChange {
  feedId: string;
  /** Resources inserted or updated (title, node or order changed). */
  resourceRids: number[];
  /** Resources deleted; their rows are already gone. */
  deletedRids: number[];
  /** Nodes inserted, updated or deleted (global ids). */
  nodeIds: string[];
  /**
   * Rows this transaction inserted, with their titles: they had no index entry
   * to replace, so they are indexed without reading anything back (a first
   * import of 150,000 resources skips 300,000 look-ups). Not repeated above.
   */
  inserted?: { resources: [rid: number, title: string][]; nodes: [id: string, title: string][] };
  /** The titles of resourceRids as the caller just wrote them, so they need not be read back. */
  titles?: Map<number, string>;
  /** Leave titles that may have lost their last row in place and return them (see dropUnusedTexts). */
  keepUnused?: boolean;
  /**
   * `inserted` is a bulk load into a smaller index, and its resources are all of
   * feedId's: its title indexes are built after its rows (deferIndexes), and its
   * resources are mapped to their titles in one statement.
   */
  bulk?: boolean;
}

const DEFAULT_LIMIT = 50;

// ---------------------------------------------------------------------------
// Text and tokens

/** ASCII-only lowercase: the same folding as SQLite's built-in lower() (no ICU). */
export function foldCase(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/** The query's terms, case-folded and deduplicated (AND is idempotent). */
export function parseTerms(query: string): string[] {
  // Lone surrogates become U+FFFD, as they do on their way into SQLite.
  const wellFormed = query.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return [...new Set(wellFormed.split(/\s+/).filter((t) => t.length > 0).map(foldCase))];
}

const tokenMemo = new Map<number, string>();
/** A code point as a fixed-width ASCII token (36^4 > 0x10FFFF). */
function tok(cp: number): string {
  let t = tokenMemo.get(cp);
  if (t === undefined) {
    t = cp.toString(36).padStart(4, '0');
    if (tokenMemo.size < 65536) tokenMemo.set(cp, t);
  }
  return t;
}

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

/** The unigram and bigram token streams of a folded title. */
export function tokenStreams(text: string): { uni: string; bi: string } {
  const t = codePoints(text).map(tok);
  const bi: string[] = [];
  for (let i = 0; i + 1 < t.length; i++) bi.push(t[i]! + t[i + 1]!);
  return { uni: t.join(' '), bi: bi.join(' ') };
}

/** FTS5 query for one folded, non-empty term. */
export function termQuery(term: string): string {
  const t = codePoints(term).map(tok);
  if (t.length === 1) return `uni : "${t[0]}"`;
  const bi: string[] = [];
  for (let i = 0; i + 1 < t.length; i++) bi.push(t[i]! + t[i + 1]!);
  return `bi : "${bi.join(' ')}"`;
}

/** The single token a 1- or 2-character term looks up (null for longer terms). */
function singleToken(term: string): string | null {
  const t = codePoints(term);
  if (t.length === 1) return tok(t[0]!);
  if (t.length === 2) return tok(t[0]!) + tok(t[1]!);
  return null;
}

// ---------------------------------------------------------------------------
// Prepared statements, one set per connection

type Stmt = Database.Statement<unknown[]>;
interface Stmts {
  state: Stmt;
  fts: Stmt;
  heavyTokens: Stmt;
  fetch: Stmt;
  layoutNodes: Stmt;
  layoutResources: Stmt;
  maxTid: Stmt;
  resRow: Stmt;
  resTid: Stmt;
  putRes: Stmt;
  putFeedRes: Stmt;
  putFeedNodes: Stmt;
  delRes: Stmt;
  nodeRow: Stmt;
  nodeTid: Stmt;
  putNode: Stmt;
  delNode: Stmt;
  textTid: Stmt;
  anyText: Stmt;
  putText: Stmt;
  putFts: Stmt;
  textUsed: Stmt;
  delText: Stmt;
  delFts: Stmt;
  garbageTids: Stmt;
  bump: Stmt;
  read: <T>(fn: () => T) => T;
  write: <T>(fn: () => T) => T;
}
const stmtCache = new WeakMap<Db, Stmts>();

function stmts(db: Db): Stmts {
  let s = stmtCache.get(db);
  if (s) return s;
  const readTx = db.transaction((fn: () => unknown) => fn());
  // Token document frequencies, to find the frequent tokens worth precomputing. A
  // TEMP table: per connection, allowed on read-only ones, no schema change.
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search_fts, 'row')");
  s = {
    state: db.prepare('SELECT gen, stale, garbage FROM search_state WHERE id = 1').raw(),
    // Rows cross into JS as one JSON array: about twice as fast as row by row.
    fts: db.prepare('SELECT json_group_array(rowid) FROM search_fts WHERE search_fts MATCH ?').pluck(),
    heavyTokens: db.prepare('SELECT term FROM temp.search_vocab WHERE doc >= ? ORDER BY doc DESC LIMIT ?').pluck(),
    fetch: db.prepare('SELECT id, title, type FROM resources WHERE rid = ?'),
    // Sibling order is decided here, in SQL, so it is exactly the order likeScan uses.
    layoutNodes: db
      .prepare(
        `SELECT json_group_array(json_array(id, parent, title, tid)) FROM (
           SELECT n.id, n.parent, n.title, sn.tid FROM nodes n LEFT JOIN search_node sn ON sn.id = n.id
           ORDER BY n.ord, n.id)`,
      )
      .pluck(),
    layoutResources: db
      .prepare(
        `SELECT json_group_array(json_array(rid, node_id, tid)) FROM (
           SELECT r.rid, r.node_id, sr.tid FROM resources r LEFT JOIN search_res sr ON sr.rid = r.rid
           ORDER BY r.node_id, r.ord, r.title, r.id)`,
      )
      .pluck(),
    maxTid: db.prepare('SELECT coalesce(max(tid), 0) FROM search_text').pluck(),
    resRow: db.prepare('SELECT feed_id, title FROM resources WHERE rid = ?').raw(),
    resTid: db.prepare('SELECT tid FROM search_res WHERE rid = ?').pluck(),
    putRes: db.prepare(
      `INSERT INTO search_res(rid, feed_id, tid) VALUES (?, ?, ?)
       ON CONFLICT(rid) DO UPDATE SET feed_id = excluded.feed_id, tid = excluded.tid`,
    ),
    putFeedRes: db.prepare(
      `INSERT INTO search_res(rid, feed_id, tid)
       SELECT r.rid, r.feed_id, t.tid FROM resources r JOIN search_text t ON t.text = lower(r.title) WHERE r.feed_id = ?
       ON CONFLICT(rid) DO UPDATE SET feed_id = excluded.feed_id, tid = excluded.tid`,
    ),
    delRes: db.prepare('DELETE FROM search_res WHERE rid = ?'),
    nodeRow: db.prepare('SELECT feed_id, title FROM nodes WHERE id = ?').raw(),
    nodeTid: db.prepare('SELECT tid FROM search_node WHERE id = ?').pluck(),
    putFeedNodes: db.prepare(
      `INSERT INTO search_node(id, feed_id, tid)
       SELECT n.id, n.feed_id, t.tid FROM nodes n JOIN search_text t ON t.text = lower(n.title) WHERE n.feed_id = ?
       ON CONFLICT(id) DO UPDATE SET feed_id = excluded.feed_id, tid = excluded.tid`,
    ),
    putNode: db.prepare(
      `INSERT INTO search_node(id, feed_id, tid) VALUES (?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET feed_id = excluded.feed_id, tid = excluded.tid`,
    ),
    delNode: db.prepare('DELETE FROM search_node WHERE id = ?'),
    textTid: db.prepare('SELECT tid FROM search_text WHERE text = ?').pluck(),
    anyText: db.prepare('SELECT 1 FROM search_text LIMIT 1').pluck(),
    putText: db.prepare('INSERT INTO search_text(text) VALUES (?)'),
    putFts: db.prepare('INSERT INTO search_fts(rowid, uni, bi) VALUES (?, ?, ?)'),
    textUsed: db
      .prepare('SELECT EXISTS (SELECT 1 FROM search_res WHERE tid = @t) OR EXISTS (SELECT 1 FROM search_node WHERE tid = @t)')
      .pluck(),
    delText: db.prepare('DELETE FROM search_text WHERE tid = ?'),
    delFts: db.prepare('DELETE FROM search_fts WHERE rowid = ?'),
    garbageTids: db
      .prepare(
        `SELECT tid FROM search_text t
         WHERE NOT EXISTS (SELECT 1 FROM search_res r WHERE r.tid = t.tid)
           AND NOT EXISTS (SELECT 1 FROM search_node n WHERE n.tid = t.tid)`,
      )
      .pluck(),
    bump: db.prepare('UPDATE search_state SET gen = gen + 1, garbage = 0'),
    read: <T>(fn: () => T) => readTx(fn) as T,
    write: <T>(fn: () => T) => db.transaction(fn).immediate(),
  };
  stmtCache.set(db, s);
  return s;
}

// ---------------------------------------------------------------------------
// Index maintenance

/** Text id lookups for one batch; titles repeat a lot, so most hits stay in JS. */
function textIds(s: Stmts): (title: string) => number {
  const known = new Map<string, number>();
  // Into an empty index (a first import) every title this batch has not seen is new: no look-up.
  const empty = s.anyText.get() === undefined;
  return (title) => {
    const text = foldCase(title);
    let tid = known.get(text);
    if (tid !== undefined) return tid;
    tid = empty ? undefined : (s.textTid.get(text) as number | undefined);
    if (tid === undefined) {
      tid = Number(s.putText.run(text).lastInsertRowid);
      const { uni, bi } = tokenStreams(text);
      s.putFts.run(tid, uni, bi);
    }
    known.set(text, tid);
    return tid;
  };
}

function dropUnused(s: Stmts, tids: Iterable<number>): void {
  for (const tid of tids) {
    if (s.textUsed.get({ t: tid })) continue;
    s.delText.run(tid);
    s.delFts.run(tid);
  }
}

/**
 * Brings the index up to date with catalog rows already written in the current
 * transaction. Cost is proportional to the change: ~5 µs a row, plus ~7 µs for
 * each title the index has not seen (~1 s for a first import of 150,000).
 * Returns the titles left in place with keepUnused (none otherwise).
 */
export function updateSearchIndex(db: Db, change: SearchIndexChange): number[] {
  const s = stmts(db);
  let leftover: number[] = [];
  const run = () => {
    const textId = textIds(s);
    const maybeUnused = new Set<number>();
    for (const rid of change.deletedRids) {
      const old = s.resTid.get(rid) as number | undefined;
      if (old === undefined) continue;
      s.delRes.run(rid);
      maybeUnused.add(old);
    }
    for (const rid of change.resourceRids) {
      const old = s.resTid.get(rid) as number | undefined;
      const title = change.titles?.get(rid);
      const row = title !== undefined ? ([change.feedId, title] as [string, string]) : (s.resRow.get(rid) as [string, string] | undefined);
      if (!row) {
        // Listed as changed but gone: treat as deleted.
        if (old !== undefined) {
          s.delRes.run(rid);
          maybeUnused.add(old);
        }
        continue;
      }
      const tid = textId(row[1]);
      if (tid === old) continue;
      s.putRes.run(rid, row[0], tid);
      if (old !== undefined) maybeUnused.add(old);
    }
    const rowIndexes = change.bulk ? deferIndexes(db, ['search_res', 'search_node']) : () => {};
    if (change.bulk) {
      // Titles first, then one join instead of 150,000 statements: lower() folds as foldCase does.
      for (const [, title] of change.inserted?.resources ?? []) textId(title);
      for (const [, title] of change.inserted?.nodes ?? []) textId(title);
      s.putFeedRes.run(change.feedId);
      s.putFeedNodes.run(change.feedId);
    } else {
      for (const [rid, title] of change.inserted?.resources ?? []) s.putRes.run(rid, change.feedId, textId(title));
      for (const [id, title] of change.inserted?.nodes ?? []) s.putNode.run(id, change.feedId, textId(title));
    }
    rowIndexes();
    for (const id of change.nodeIds) {
      const old = s.nodeTid.get(id) as number | undefined;
      const row = s.nodeRow.get(id) as [string, string] | undefined;
      if (!row) {
        if (old !== undefined) {
          s.delNode.run(id);
          maybeUnused.add(old);
        }
        continue;
      }
      const tid = textId(row[1]);
      if (tid === old) continue;
      s.putNode.run(id, row[0], tid);
      if (old !== undefined) maybeUnused.add(old);
    }
    const [, , garbage] = s.state.get() as [number, number, number];
    if (garbage) dropUnused(s, s.garbageTids.all() as number[]);
    else if (change.keepUnused) leftover = [...maybeUnused];
    else dropUnused(s, maybeUnused);
    // Any listed row may have moved or been reordered, so layouts are out of date;
    // an apply that changed nothing keeps them.
    const inserted = (change.inserted?.resources.length ?? 0) + (change.inserted?.nodes.length ?? 0);
    const touched = change.resourceRids.length + change.deletedRids.length + change.nodeIds.length + inserted > 0;
    if (touched || garbage) s.bump.run();
  };
  if (db.inTransaction) run();
  else s.write(run);
  return leftover;
}

/**
 * Drops titles nothing refers to any more, in their own transaction: left by
 * an update with keepUnused, whose caller answered first. Until then they only
 * take space (no row maps to them, so no search finds them).
 */
export function dropUnusedTexts(db: Db, tids: number[]): void {
  const s = stmts(db);
  s.write(() => dropUnused(s, tids));
}

/**
 * Re-indexes one feed (or, without feedId, the whole library) from the catalog
 * rows, for repair. Not needed in normal operation: the applier calls
 * updateSearchIndex, removing a feed row is handled by a trigger, and a library
 * marked stale is rebuilt by its first search.
 */
export function rebuildSearchIndex(db: Db, feedId?: string): void {
  const s = stmts(db);
  const run = () => {
    const where = feedId === undefined ? '' : ' WHERE feed_id = ?';
    const args = feedId === undefined ? [] : [feedId];
    if (feedId === undefined) {
      db.exec("DELETE FROM search_res; DELETE FROM search_node; DELETE FROM search_text; INSERT INTO search_fts(search_fts) VALUES ('delete-all');");
    } else {
      db.prepare('DELETE FROM search_res WHERE feed_id = ?').run(feedId);
      db.prepare('DELETE FROM search_node WHERE feed_id = ?').run(feedId);
    }
    const textId = textIds(s);
    // .all(): better-sqlite3 cannot write while a SELECT is being iterated.
    const resources = db.prepare(`SELECT rid, feed_id, title FROM resources${where}`).raw().all(...args) as [number, string, string][];
    for (const [rid, feed, title] of resources) s.putRes.run(rid, feed, textId(title));
    const nodes = db.prepare(`SELECT id, feed_id, title FROM nodes${where}`).raw().all(...args) as [string, string, string][];
    for (const [id, feed, title] of nodes) s.putNode.run(id, feed, textId(title));
    if (feedId !== undefined) dropUnused(s, s.garbageTids.all() as number[]);
    db.prepare(`UPDATE search_state SET gen = gen + 1, garbage = 0${feedId === undefined ? ', stale = 0' : ''}`).run();
  };
  if (db.inTransaction) run();
  else s.write(run);
}

// ---------------------------------------------------------------------------
// In-memory layout: resources in catalog order, node subtrees as position ranges

interface Layout {
  gen: number;
  n: number;
  words: number;
  /** Position → resource rid. */
  rids: Float64Array;
  /** Position → node index (-1: the node is missing or not under a root). */
  nodeOf: Int32Array;
  maxTid: number;
  /** tid → positions of resources with that title (CSR). */
  posStart: Int32Array;
  pos: Int32Array;
  /** tid → [lo, hi) position ranges of the subtrees of nodes with that title (CSR, pairs). */
  rangeStart: Int32Array;
  ranges: Int32Array;
  nodeTitle: string[];
  nodeParent: Int32Array;
  /** Node index → id, children and resources in its subtree: the tree's counts, built here off the UI's thread. */
  nodeIds: string[];
  /** Node indices in id order, for a binary search (a 35,000-entry Map took ~20 ms of the UI's thread to build). */
  byId: Int32Array;
  childCount: Int32Array;
  subtreeResources: Int32Array;
  paths: (string[] | undefined)[];
  /** Bits of the most frequent unigram and bigram tokens, by token. */
  heavy: Map<string, TermBits>;
  /** Catalog rows the index does not know (written without updateSearchIndex). */
  unindexed: { rids: number[]; nodeIds: string[] };
}
const layoutCache = new WeakMap<Db, Layout>();

function buildLayout(s: Stmts, gen: number): Layout {
  const nodeRows = JSON.parse(s.layoutNodes.get() as string) as [string, string | null, string, number | null][];
  const resRows = JSON.parse(s.layoutResources.get() as string) as [number, string, number | null][];
  const maxTid = s.maxTid.get() as number;
  const unindexed = { rids: [] as number[], nodeIds: [] as string[] };

  // Tree: children in (ord, id) order because nodeRows come sorted that way.
  const nn = nodeRows.length;
  const index = new Map<string, number>();
  nodeRows.forEach((r, i) => index.set(r[0], i));
  const nodeParent = new Int32Array(nn).fill(-1);
  const childHead = new Int32Array(nn).fill(-1);
  const childTail = new Int32Array(nn).fill(-1);
  const next = new Int32Array(nn).fill(-1);
  const roots: number[] = [];
  for (let i = 0; i < nn; i++) {
    const [id, parentId, , tid] = nodeRows[i]!;
    if (tid === null) unindexed.nodeIds.push(id);
    const p = parentId === null ? undefined : index.get(parentId);
    if (p === undefined) {
      roots.push(i);
      continue;
    }
    nodeParent[i] = p;
    if (childTail[p]! < 0) childHead[p] = i;
    else next[childTail[p]!] = i;
    childTail[p] = i;
  }
  // Preorder numbering; nodes on a parent cycle are never reached (pre = -1).
  const pre = new Int32Array(nn).fill(-1);
  const size = new Int32Array(nn);
  const order: number[] = [];
  const stack: number[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r]!);
  while (stack.length > 0) {
    const i = stack.pop()!;
    pre[i] = order.length;
    order.push(i);
    const kids: number[] = [];
    for (let c = childHead[i]!; c >= 0; c = next[c]!) kids.push(c);
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
  }
  const reached = order.length;
  for (let k = reached - 1; k >= 0; k--) {
    const i = order[k]!;
    size[i]! += 1;
    const p = nodeParent[i]!;
    if (p >= 0) size[p]! += size[i]!;
  }

  // Resources: stable bucket sort by the preorder number of their node; within a
  // node the SQL order (ord, title, id) holds. Unplaced resources go last.
  const n = resRows.length;
  const bucketOf = new Int32Array(n);
  const start = new Int32Array(reached + 2);
  for (let k = 0; k < n; k++) {
    const ni = index.get(resRows[k]![1]);
    const b = ni === undefined || pre[ni]! < 0 ? reached : pre[ni]!;
    bucketOf[k] = b;
    start[b + 1]!++;
  }
  for (let b = 0; b <= reached; b++) start[b + 1]! += start[b]!;
  const fill = start.slice();
  const rids = new Float64Array(n);
  const nodeOf = new Int32Array(n);
  const tidOf = new Int32Array(n);
  const posCount = new Int32Array(maxTid + 2);
  for (let k = 0; k < n; k++) {
    const [rid, , tid] = resRows[k]!;
    const b = bucketOf[k]!;
    const p = fill[b]!++;
    rids[p] = rid;
    nodeOf[p] = b < reached ? order[b]! : -1;
    if (tid === null || tid > maxTid) {
      unindexed.rids.push(rid);
      tidOf[p] = -1;
    } else {
      tidOf[p] = tid;
      posCount[tid + 1]!++;
    }
  }
  const posStart = posCount;
  for (let t = 0; t <= maxTid; t++) posStart[t + 1]! += posStart[t]!;
  const pos = new Int32Array(posStart[maxTid + 1]!);
  const posFill = posStart.slice();
  for (let p = 0; p < n; p++) if (tidOf[p]! >= 0) pos[posFill[tidOf[p]!]!++] = p;

  // Node title → subtree ranges [start[pre], start[pre + size]).
  const rangeStart = new Int32Array(maxTid + 2);
  for (const i of order) {
    const tid = nodeRows[i]![3];
    if (tid !== null && tid <= maxTid) rangeStart[tid + 1]! += 2;
  }
  for (let t = 0; t <= maxTid; t++) rangeStart[t + 1]! += rangeStart[t]!;
  const ranges = new Int32Array(rangeStart[maxTid + 1]!);
  const rangeFill = rangeStart.slice();
  for (const i of order) {
    const tid = nodeRows[i]![3];
    if (tid === null || tid > maxTid) continue;
    const k = rangeFill[tid]!;
    ranges[k] = start[pre[i]!]!;
    ranges[k + 1] = start[pre[i]! + size[i]!]!;
    rangeFill[tid] = k + 2;
  }

  const childCount = new Int32Array(nn);
  for (let i = 0; i < nn; i++) if (nodeParent[i]! >= 0) childCount[nodeParent[i]!]!++;
  const subtreeResources = new Int32Array(nn);
  for (const i of order) subtreeResources[i] = start[pre[i]! + size[i]!]! - start[pre[i]!]!;
  const byId = Int32Array.from(nodeRows.keys()).sort((a, b) => compareIds(nodeRows[a]![0], nodeRows[b]![0]));

  return {
    gen,
    n,
    words: (n + 31) >>> 5,
    rids,
    nodeOf,
    maxTid,
    posStart,
    pos,
    rangeStart,
    ranges,
    nodeTitle: nodeRows.map((r) => r[2]),
    nodeParent,
    nodeIds: nodeRows.map((r) => r[0]),
    byId,
    childCount,
    subtreeResources,
    paths: new Array(nn),
    heavy: new Map(),
    unindexed,
  };
}

/**
 * Tokens found in heavyDocs titles or more are precomputed per layout: looking one
 * up would hand thousands of rows from FTS5 to JS on every query (课, 第, 时 …).
 * Memory is capped at heavyBytes (two bitsets per token). Exported for tests.
 */
export const searchTuning = { heavyDocs: 3000, heavyBytes: 16 << 20 };

function addHeavyTokens(s: Stmts, L: Layout): void {
  const max = Math.min(256, Math.floor(searchTuning.heavyBytes / (8 * Math.max(1, L.words))));
  for (const token of s.heavyTokens.all(searchTuning.heavyDocs, max) as string[]) {
    const query = token.length === 4 ? `uni : "${token}"` : `bi : "${token}"`;
    L.heavy.set(token, termBits(L, ftsTids(s, query)));
  }
}

function ftsTids(s: Stmts, query: string): number[] {
  return JSON.parse(s.fts.get(query) as string) as number[];
}

function pathOf(L: Layout, node: number): string[] {
  if (node < 0) return [];
  let p = L.paths[node];
  if (!p) {
    const parent = L.nodeParent[node]!;
    p = parent < 0 ? [L.nodeTitle[node]!] : [...pathOf(L, parent), L.nodeTitle[node]!];
    L.paths[node] = p;
  }
  return p;
}

type Repair = { stale: true } | { stale: false; rids: number[]; nodeIds: string[] };

/**
 * The layout for the current index generation, built if needed. Runs inside the
 * caller's read transaction; returns what to repair when that needs a write.
 */
function layoutFor(db: Db, s: Stmts): Layout | Repair {
  const [gen, stale] = s.state.get() as [number, number, number];
  if (stale) return { stale: true };
  const cached = layoutCache.get(db);
  if (cached && cached.gen === gen) return cached;
  const L = buildLayout(s, gen);
  const { rids, nodeIds } = L.unindexed;
  // Rows written without updateSearchIndex: index them rather than answer
  // differently from a scan.
  if (rids.length + nodeIds.length > 0) return { stale: false, rids, nodeIds };
  addHeavyTokens(s, L);
  layoutCache.set(db, L);
  return L;
}

/** Runs fn with an up-to-date layout in one read snapshot; null if the index cannot be repaired here. */
function withLayout<T>(db: Db, s: Stmts, fn: (L: Layout) => T): T | null {
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = s.read((): { done: T } | { repair: Repair } => {
      const L = layoutFor(db, s);
      return 'gen' in L ? { done: fn(L) } : { repair: L };
    });
    if ('done' in r) return r.done;
    if (db.readonly) return null;
    const fix = r.repair;
    if (fix.stale) rebuildSearchIndex(db);
    else updateSearchIndex(db, { feedId: '', resourceRids: fix.rids, deletedRids: [], nodeIds: fix.nodeIds });
  }
  return null;
}

/**
 * Builds the in-memory layout on this connection (a worker's, ~0.6 s at 150,000
 * resources) for another connection to install: null when the index must be
 * repaired first (the first search does that).
 */
export function buildSearchLayout(db: Db): SearchLayout | null {
  const s = stmts(db);
  return s.read(() => {
    const L = layoutFor(db, s);
    return 'gen' in L ? L : null;
  });
}

/** Installs a layout built elsewhere, unless the index changed since: the next search starts warm. */
export function installSearchLayout(db: Db, L: SearchLayout): boolean {
  const [gen, stale] = stmts(db).state.get() as [number, number, number];
  if (stale || gen !== L.gen) return false;
  layoutCache.set(db, L);
  return true;
}

/** The layout's typed arrays, handed over between threads instead of copied. */
export function layoutTransferList(L: SearchLayout): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [L.rids, L.nodeOf, L.posStart, L.pos, L.rangeStart, L.ranges, L.nodeParent, L.byId, L.childCount, L.subtreeResources];
  for (const b of L.heavy.values()) arrays.push(b.title, b.any);
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

export type SearchLayout = Layout;

export interface TreeCounts {
  children(nodeId: string): number;
  resources(nodeId: string): number;
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The node's index in the layout, by binary search over byId; -1 if it has none. */
function nodeIndex(L: Layout, id: string): number {
  let lo = 0;
  let hi = L.byId.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const i = L.byId[mid]!;
    const c = compareIds(L.nodeIds[i]!, id);
    if (c === 0) return i;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The tree's counts from the installed layout, if it is the index's current
 * generation (every catalog change moves it on); null otherwise. Counting them
 * here instead took ~160 ms of the UI's thread at 150,000 resources.
 */
export function layoutTreeCounts(db: Db): TreeCounts | null {
  const L = layoutCache.get(db);
  if (!L) return null;
  const [gen, stale] = stmts(db).state.get() as [number, number, number];
  if (stale || gen !== L.gen) return null;
  const at = (a: Int32Array, id: string) => {
    const i = nodeIndex(L, id);
    return i < 0 ? 0 : a[i]!;
  };
  return { children: (id) => at(L.childCount, id), resources: (id) => at(L.subtreeResources, id) };
}

// ---------------------------------------------------------------------------
// Bitsets

function setRange(bits: Uint32Array, lo: number, hi: number): void {
  if (lo >= hi) return;
  const a = lo >>> 5;
  const b = (hi - 1) >>> 5;
  const first = ~0 << (lo & 31);
  const last = ~0 >>> (31 - ((hi - 1) & 31));
  if (a === b) {
    bits[a]! |= first & last;
    return;
  }
  bits[a]! |= first;
  bits.fill(0xffffffff, a + 1, b);
  bits[b]! |= last;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Resources whose own title contains a term, and those plus path hits. */
interface TermBits {
  title: Uint32Array;
  any: Uint32Array;
}

function termBits(L: Layout, tids: number[]): TermBits {
  const title = new Uint32Array(L.words);
  const any = new Uint32Array(L.words);
  const { posStart, pos, rangeStart, ranges } = L;
  for (const tid of tids) {
    if (tid > L.maxTid) continue;
    for (let k = posStart[tid]!, e = posStart[tid + 1]!; k < e; k++) {
      const p = pos[k]!;
      title[p >>> 5]! |= 1 << (p & 31);
    }
    for (let k = rangeStart[tid]!, e = rangeStart[tid + 1]!; k < e; k += 2) setRange(any, ranges[k]!, ranges[k + 1]!);
  }
  for (let w = 0; w < L.words; w++) any[w]! |= title[w]!;
  return { title, any };
}

// ---------------------------------------------------------------------------
// Search

/** Searches the library; see the top of this file for the exact semantics. */
export function searchLibrary(db: Db, req: SearchRequest): SearchResult {
  const terms = parseTerms(req.query);
  if (terms.length === 0) return { total: 0, results: [] };
  const s = stmts(db);
  const r = withLayout(db, s, (L) => query(s, L, terms, req.limit ?? DEFAULT_LIMIT, req.offset ?? 0));
  // Only a read-only connection to a library whose index is out of date gets here.
  return r ?? likeScan(db, req);
}

function query(s: Stmts, L: Layout, terms: string[], limit: number, offset: number): SearchResult {
  // all: every term in the title; some: at least one; hit: every term anywhere.
  const W = L.words;
  let hit: Uint32Array | null = null;
  let all: Uint32Array | null = null;
  let some: Uint32Array | null = null;
  for (const term of terms) {
    const token = singleToken(term);
    const b = (token !== null ? L.heavy.get(token) : undefined) ?? termBits(L, ftsTids(s, termQuery(term)));
    if (!hit || !all || !some) {
      // Copies: heavy bits are shared by every query.
      hit = b.any.slice();
      all = b.title.slice();
      some = b.title.slice();
      continue;
    }
    for (let w = 0; w < W; w++) {
      hit[w]! &= b.any[w]!;
      all[w]! &= b.title[w]!;
      some[w]! |= b.title[w]!;
    }
  }
  const H = hit!;
  const A = all!;
  const S = some!;
  let total = 0;
  for (let w = 0; w < W; w++) if (H[w]) total += popcount(H[w]!);

  // Tiers in order: all terms in the title (A ⊆ H), some of them, path only.
  const tierWord = [(w: number) => A[w]!, (w: number) => S[w]! & H[w]! & ~A[w]!, (w: number) => H[w]! & ~S[w]!];
  const page: number[] = [];
  let skip = offset;
  outer: for (const word of tierWord) {
    for (let w = 0; w < W; w++) {
      let x = word(w);
      if (x === 0) continue;
      if (skip > 0) {
        const c = popcount(x);
        if (skip >= c) {
          skip -= c;
          continue;
        }
      }
      while (x !== 0) {
        const low = x & -x;
        x ^= low;
        if (skip > 0) {
          skip--;
          continue;
        }
        if (page.length >= limit) break outer;
        page.push((w << 5) | (31 - Math.clz32(low)));
      }
    }
  }

  const results: SearchHit[] = [];
  for (const p of page) {
    const row = s.fetch.get(L.rids[p]!) as { id: string; title: string; type: SearchHit['type'] } | undefined;
    if (row) results.push({ id: row.id, title: row.title, type: row.type, path: pathOf(L, L.nodeOf[p]!).slice() });
  }
  return { total, results };
}

// ---------------------------------------------------------------------------
// Reference: a plain scan with instr() over every resource and its path

const likeCache = new WeakMap<Db, Map<number, { page: Stmt; count: Stmt }>>();

function likeStatements(db: Db, k: number): { page: Stmt; count: Stmt } {
  let m = likeCache.get(db);
  if (!m) likeCache.set(db, (m = new Map()));
  let st = m.get(k);
  if (st) return st;
  const idx = Array.from({ length: k }, (_, i) => i + 1);
  // Node paths from the roots (a node whose parent is missing is a root; nodes on
  // a parent cycle have no path), each title on its own line so no term spans two.
  const cte = `
    WITH RECURSIVE
    ranked AS MATERIALIZED (
      SELECT n.id, p.id AS parent, n.title,
             row_number() OVER (PARTITION BY p.id ORDER BY n.ord, n.id) AS rk
      FROM nodes n LEFT JOIN nodes p ON p.id = n.parent
    ),
    np(id, hay, skey, path) AS (
      SELECT id, lower(title), printf('%010d', rk), json_array(title) FROM ranked WHERE parent IS NULL
      UNION ALL
      SELECT c.id, np.hay || char(10) || lower(c.title), np.skey || printf('%010d', c.rk), json_insert(np.path, '$[#]', c.title)
      FROM np JOIN ranked c ON c.parent = np.id
    ),
    hits AS (
      SELECT r.id, r.title, r.type, r.node_id, r.ord, np.skey, np.path,
             ${idx.map((i) => `instr(lower(r.title), @q${i}) > 0 AS t${i}`).join(', ')}
      FROM resources r LEFT JOIN np ON np.id = r.node_id
      WHERE ${idx.map((i) => `(instr(lower(r.title), @q${i}) > 0 OR instr(np.hay, @q${i}) > 0)`).join(' AND ')}
    )`;
  const tier = `CASE WHEN ${idx.map((i) => `t${i}`).join(' AND ')} THEN 0 WHEN ${idx.map((i) => `t${i}`).join(' OR ')} THEN 1 ELSE 2 END`;
  st = {
    page: db.prepare(
      `${cte}
       SELECT id, title, type, path, count(*) OVER () AS total FROM hits
       ORDER BY ${tier}, skey IS NULL, skey, node_id, ord, title, id
       LIMIT @limit OFFSET @offset`,
    ),
    count: db.prepare(`${cte} SELECT count(*) FROM hits`).pluck(),
  };
  m.set(k, st);
  return st;
}

/** The reference implementation: same semantics and order, by scanning. */
export function likeScan(db: Db, req: SearchRequest): SearchResult {
  const terms = parseTerms(req.query);
  if (terms.length === 0) return { total: 0, results: [] };
  const limit = req.limit ?? DEFAULT_LIMIT;
  const offset = req.offset ?? 0;
  const st = likeStatements(db, terms.length);
  const params: Record<string, string | number> = {};
  terms.forEach((t, i) => (params[`q${i + 1}`] = t));
  const rows = st.page.all({ ...params, limit, offset }) as { id: string; title: string; type: SearchHit['type']; path: string | null; total: number }[];
  const total = rows.length > 0 ? rows[0]!.total : offset > 0 ? (st.count.get(params) as number) : 0;
  return {
    total,
    results: rows.map((r) => ({ id: r.id, title: r.title, type: r.type, path: r.path === null ? [] : (JSON.parse(r.path) as string[]) })),
  };
}
