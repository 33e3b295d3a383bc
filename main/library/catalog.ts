// Applies a feed's catalog to the library in one transaction: the changed shards
// are re-read and reconciled, removed shards take their resources with them, and
// anything invalid (schema, tree, limits) throws before commit, leaving the
// library exactly as it was. Runs inside the apply worker (its own connection).
import fs from 'node:fs';
import { z } from 'zod';
import { AppError } from '../api/errors';
import { recordBlobs } from '../cache/blob-store';
import { sha256Hex } from '../feed/keys';
import { parseJsonBytes } from '../feed/parse-json';
import { describeIssues, FeedIndex, LIMITS, Shard, type ShardResource } from '../feed/schema';
import { batchInsert } from './batch-insert';
import { deferIndexes, type Db } from './db';
import { updateSearchIndex } from './search';

export interface FeedRecord {
  id: string;
  title: string;
  source: string;
  unsigned: boolean;
  keys: Record<string, string>;
  mirrors: string[];
  revision: number;
  published: string | null;
  indexSha256: string;
  blobBases: string[];
  etag?: string | null;
  lastModified?: string | null;
}

export interface ApplyInput {
  feed: FeedRecord;
  /** The complete shard list of the new index. */
  shards: { path: string; sha256: string; size: number }[];
  /** Shards whose bytes changed, in index order; parsed already (parseShard). */
  changed: { path: string; sha256: string; size: number }[];
  /** Changed shards fetched into the blob store: their rows are added in the same transaction. */
  stored: { sha256: string; size: number }[];
}

/** A changed shard to parse: its bytes as fetched, or the file that holds them (a folder feed). */
export interface ChangedShard {
  path: string;
  sha256: string;
  size: number;
  file?: string;
  bytes?: Uint8Array;
}

export interface ParsedShard {
  path: string;
  shard: Shard;
}

export interface ApplyResult {
  resources: number;
  nodes: number;
  added: number;
  updated: number;
  removed: number;
  changedNodes: number;
  /** Search titles that may have lost their last row: the applier drops them after answering (dropUnusedTexts). */
  unusedTexts: number[];
  /** Where the applier's time went (ms), for the catalog benchmark. */
  timings: Record<'parse' | 'nodes' | 'resources' | 'checks' | 'search' | 'commit', number>;
}

const gid = (feedId: string, local: string) => `${feedId}/${local}`;

// The shard schema compiled to one generated function (zod's AOT compile): ~6× faster
// on 150,000 resources, same checks. A shard it refuses is parsed again by the
// schema itself, so the error names the same issues.
const ShardChecked = z.compile(Shard);

/** A first import of bulkRows resources or more, into a library holding fewer, builds its indexes after its rows (deferIndexes). Exported for tests. */
export const catalogTuning = { bulkRows: 20_000 };

/** A feed's index, validated; its signature is checked by the caller on the same bytes. */
export function parseIndex(bytes: Buffer): FeedIndex {
  let json: unknown;
  try {
    json = parseJsonBytes(bytes);
  } catch (err) {
    throw new AppError('refused', `feed.json is not JSON: ${(err as Error).message}`);
  }
  const parsed = FeedIndex.safeParse(json);
  if (!parsed.success) throw new AppError('refused', describeIssues(parsed.error, 'feed.json'));
  return parsed.data;
}

/** Reads, verifies and validates one changed shard; nothing is written. */
export function parseShard({ path, file, bytes, ...expected }: ChangedShard): ParsedShard {
  const buf = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : fs.readFileSync(file!);
  return { path, shard: parseShardBytes(path, buf, expected) };
}

function parseShardBytes(path: string, bytes: Buffer, expected: { sha256: string; size: number }): Shard {
  if (bytes.length > LIMITS.shardBytes) throw new AppError('refused', `shard ${path} is over 64 MiB`);
  // Verified here, on the bytes actually parsed: a file on a USB stick can change after any earlier check.
  if (bytes.length !== expected.size) throw new AppError('refused', `shard ${path} is ${bytes.length} bytes; feed.json says ${expected.size}`);
  if (sha256Hex(bytes) !== expected.sha256) throw new AppError('refused', `shard ${path} does not match its sha256 in feed.json`);
  let json: unknown;
  try {
    json = parseJsonBytes(bytes);
  } catch (err) {
    throw new AppError('refused', `shard ${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = ShardChecked.safeParse(json);
  if (!parsed.success) throw new AppError('refused', describeIssues(parsed.error, `shard ${path}`));
  return parsed.data;
}

type ResourceRow = { rid: number; id: string; shard: string; node_id: string; type: string; title: string; revision: number; duration: number | null; ord: number };
type FileRow = { role: string; sha256: string; size: number; mime: string; height: number | null };

function filesEqual(a: ShardResource['files'], b: FileRow[]) {
  if (a.length !== b.length) return false;
  return a.every((f, i) => {
    const g = b[i]!;
    return f.role === g.role && f.sha256 === g.sha256 && f.size === g.size && f.mime === g.mime && (f.height ?? null) === g.height;
  });
}

/** Writes parsed shards (input.changed's order) in one transaction; throws, writing nothing, on anything invalid. */
export function applyCatalog(db: Db, input: ApplyInput, parsed: ParsedShard[]): ApplyResult {
  const { feed } = input;
  if (parsed.length !== input.changed.length || parsed.some((p, i) => p.path !== input.changed[i]!.path)) {
    throw new AppError('internal', 'the parsed shards do not match the changed list');
  }
  const timings: ApplyResult['timings'] = { parse: 0, nodes: 0, resources: 0, checks: 0, search: 0, commit: 0 };
  let lapStart = performance.now();
  const lap = (phase: keyof ApplyResult['timings']) => {
    const now = performance.now();
    timings[phase] = Math.round(now - lapStart);
    lapStart = now;
  };

  const st = {
    upsertFeed: db.prepare(
      `INSERT INTO feeds(id, title, source, unsigned, keys_json, mirrors_json, revision, published, index_sha256,
                         blob_bases_json, etag, last_modified, updated_at)
       VALUES (@id, @title, @source, @unsigned, @keys, @mirrors, @revision, @published, @indexSha256, @blobBases, @etag, @lastModified, @now)
       ON CONFLICT(id) DO UPDATE SET title = excluded.title, source = excluded.source, unsigned = excluded.unsigned,
         keys_json = excluded.keys_json, mirrors_json = excluded.mirrors_json, revision = excluded.revision,
         published = excluded.published, index_sha256 = excluded.index_sha256, blob_bases_json = excluded.blob_bases_json,
         etag = excluded.etag, last_modified = excluded.last_modified, updated_at = excluded.updated_at`,
    ),
    currentShards: db.prepare('SELECT path FROM shards WHERE feed_id = ?').pluck(),
    dropNodeShards: db.prepare('DELETE FROM node_shards WHERE feed_id = ? AND shard = ?'),
    dropNodeShard: db.prepare('DELETE FROM node_shards WHERE feed_id = ? AND shard = ? AND node_id = ?'),
    getNode: db.prepare('SELECT parent, kind, title, ord FROM nodes WHERE id = ?'),
    upsertNode: db.prepare(
      `INSERT INTO nodes(id, feed_id, parent, kind, title, ord) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET parent = excluded.parent, kind = excluded.kind, title = excluded.title, ord = excluded.ord`,
    ),
    addNodeShard: db.prepare('INSERT OR IGNORE INTO node_shards(node_id, feed_id, shard) VALUES (?, ?, ?)'),
    shardResources: db.prepare('SELECT rid, id, shard, node_id, type, title, revision, duration, ord FROM resources WHERE feed_id = ? AND shard = ?'),
    shardFiles: db.prepare(
      `SELECT f.rid, f.role, f.sha256, f.size, f.mime, f.height FROM resources r JOIN resource_files f ON f.rid = r.rid
       WHERE r.feed_id = ? AND r.shard = ? ORDER BY f.rid, f.idx`,
    ),
    getResource: db.prepare('SELECT rid, id, shard, node_id, type, title, revision, duration, ord FROM resources WHERE id = ?'),
    getFiles: db.prepare('SELECT role, sha256, size, mime, height FROM resource_files WHERE rid = ? ORDER BY idx'),
    insertResource: db.prepare(
      'INSERT INTO resources(id, feed_id, shard, node_id, type, title, revision, duration, ord) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    updateResource: db.prepare(
      'UPDATE resources SET shard = ?, node_id = ?, type = ?, title = ?, revision = ?, duration = ?, ord = ? WHERE rid = ?',
    ),
    // SQLite rewrites the index entries of every column a SET names, changed or
    // not: a retitled resource that stayed in place touches the table row only.
    updateInPlace: db.prepare('UPDATE resources SET type = ?, title = ?, revision = ?, duration = ? WHERE rid = ?'),
    deleteFiles: db.prepare('DELETE FROM resource_files WHERE rid = ?'),
    insertFile: db.prepare('INSERT INTO resource_files(rid, idx, role, sha256, size, mime, height) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    deleteResource: db.prepare('DELETE FROM resources WHERE rid = ?'),
    shardNodes: db.prepare('SELECT node_id FROM node_shards WHERE feed_id = ? AND shard = ?').pluck(),
    stillDefined: db.prepare('SELECT 1 FROM node_shards WHERE node_id = ? LIMIT 1').pluck(),
    deleteNode: db.prepare('DELETE FROM nodes WHERE id = ?'),
    feedNodes: db.prepare('SELECT id, parent FROM nodes WHERE feed_id = ?'),
    resourceOnNode: db.prepare('SELECT id FROM resources WHERE node_id = ? LIMIT 1').pluck(),
    counts: db.prepare('SELECT resource_count AS resources, node_count AS nodes FROM feeds WHERE id = ?'),
    allResources: db.prepare('SELECT count(*) FROM resources').pluck(),
    maxRid: db.prepare('SELECT coalesce(max(rid), 0) FROM resources').pluck(),
    putCounts: db.prepare('UPDATE feeds SET resource_count = ?, node_count = ? WHERE id = ?'),
    dropShard: db.prepare('DELETE FROM shards WHERE feed_id = ? AND path = ?'),
    putShard: db.prepare(
      `INSERT INTO shards(feed_id, path, sha256, size) VALUES (?, ?, ?, ?)
       ON CONFLICT(feed_id, path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size`,
    ),
  };
  lapStart = performance.now();

  const run = db.transaction((): ApplyResult => {
    const kept = (st.counts.get(feed.id) as { resources: number; nodes: number } | undefined) ?? { resources: 0, nodes: 0 };
    st.upsertFeed.run({
      id: feed.id,
      title: feed.title,
      source: feed.source,
      unsigned: feed.unsigned ? 1 : 0,
      keys: JSON.stringify(feed.keys),
      mirrors: JSON.stringify(feed.mirrors),
      revision: feed.revision,
      published: feed.published,
      indexSha256: feed.indexSha256,
      blobBases: JSON.stringify(feed.blobBases),
      etag: feed.etag ?? null,
      lastModified: feed.lastModified ?? null,
      now: Date.now(),
    });

    const newPaths = new Set(input.shards.map((s) => s.path));
    const changedPaths = new Set(parsed.map((p) => p.path));
    const removedShards = (st.currentShards.all(feed.id) as string[]).filter((p) => !newPaths.has(p));
    const touchedShards = [...changedPaths, ...removedShards];

    // A first import has nothing to compare against: skip 150,000 look-ups. A big
    // one into a library smaller than itself builds its indexes after its rows.
    const fresh = kept.resources === 0;
    const incoming = parsed.reduce((n, p) => n + p.shard.resources.length, 0);
    const bulk = fresh && incoming >= catalogTuning.bulkRows && incoming > (st.allResources.get() as number);
    const deferred = (tables: string[]) => (bulk ? deferIndexes(db, tables) : () => {});

    const changedNodes = new Set<string>();
    const upserted: number[] = [];
    const insertedResources: [number, string][] = [];
    const titles = new Map<number, string>();
    const deleted: number[] = [];
    let added = 0;
    let updated = 0;

    // Nodes: re-derive membership of every touched shard, writing only what
    // differs (a retitled lesson leaves the node rows alone). Only nodes that lost
    // a shard can be left undefined: a change costs what it touches, not the catalog.
    const mayBeOrphans = new Set<string>();
    const before = new Map<string, Set<string>>();
    for (const shard of touchedShards) before.set(shard, new Set(st.shardNodes.all(feed.id, shard) as string[]));
    for (const shard of removedShards) {
      for (const id of before.get(shard)!) mayBeOrphans.add(id);
      st.dropNodeShards.run(feed.id, shard);
    }
    // Rows written by this apply, so shared ancestors (listed by every shard of
    // their subtree) are compared in memory; and those that are new, for the index.
    type NodeRow = { parent: string | null; kind: string; title: string; ord: number };
    const written = new Map<string, NodeRow>();
    const insertedNodes = new Map<string, string>();
    const nodeIndexes = deferred(['nodes', 'node_shards']);
    for (const { path, shard } of parsed) {
      const had = before.get(path)!;
      const has = new Set<string>();
      for (const n of shard.nodes) {
        const id = gid(feed.id, n.id);
        const row: NodeRow = { parent: n.parent === null ? null : gid(feed.id, n.parent), kind: n.kind, title: n.title, ord: n.order ?? 0 };
        const old = written.get(id) ?? (kept.nodes === 0 ? undefined : (st.getNode.get(id) as NodeRow | undefined));
        if (!old || old.parent !== row.parent || old.kind !== row.kind || old.title !== row.title || old.ord !== row.ord) {
          st.upsertNode.run(id, feed.id, row.parent, row.kind, row.title, row.ord);
          if (!old || insertedNodes.has(id)) insertedNodes.set(id, row.title);
          else changedNodes.add(id);
          written.set(id, row);
        }
        has.add(id);
        if (!had.has(id)) st.addNodeShard.run(id, feed.id, path);
      }
      for (const id of had) {
        if (has.has(id)) continue;
        st.dropNodeShard.run(feed.id, path, id);
        mayBeOrphans.add(id);
      }
    }
    nodeIndexes();

    lap('nodes');
    // Resources of the touched shards: delete what left, upsert the rest. A first
    // import leaves a resource listed twice to the id's UNIQUE constraint (a map of
    // 150,000 ids took ~0.2 s) and names it only then.
    const claimedBy = fresh ? new Map<string, string>() : claims(feed.id, parsed);
    // What the touched shards held, read in two queries rather than two look-ups per resource.
    const known = new Map<string, ResourceRow>();
    const filesOf = new Map<number, FileRow[]>();
    for (const shard of touchedShards) {
      for (const row of st.shardResources.all(feed.id, shard) as ResourceRow[]) {
        if (claimedBy.has(row.id)) known.set(row.id, row);
        else {
          st.deleteResource.run(row.rid);
          deleted.push(row.rid);
        }
      }
      for (const f of st.shardFiles.all(feed.id, shard) as (FileRow & { rid: number })[]) {
        const list = filesOf.get(f.rid);
        if (list) list.push(f);
        else filesOf.set(f.rid, [f]);
      }
    }
    const resourceIndexes = deferred(['resources', 'resource_files']);
    // A first import reads nothing back while it writes, so its rows go many to a
    // statement, each resource numbered here for its files to name it.
    const freshRows = fresh
      ? {
          resources: batchInsert(db, 'INSERT INTO resources(rid, id, feed_id, shard, node_id, type, title, revision, duration, ord)', 10),
          files: batchInsert(db, 'INSERT INTO resource_files(rid, idx, role, sha256, size, mime, height)', 7),
          nextRid: (st.maxRid.get() as number) + 1,
        }
      : null;
    if (freshRows) {
      const { resources, files } = freshRows;
      try {
        for (const { path, shard } of parsed) {
          shard.resources.forEach((r, ord) => {
            const rid = freshRows.nextRid++;
            resources.add(rid, gid(feed.id, r.id), feed.id, path, gid(feed.id, r.node), r.type, r.title, r.revision ?? 0, r.duration ?? null, ord);
            r.files.forEach((f, i) => files.add(rid, i, f.role, f.sha256, f.size, f.mime, f.height ?? null));
            insertedResources.push([rid, r.title]);
          });
          added += shard.resources.length;
        }
        resources.flush();
        files.flush();
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') claims(feed.id, parsed);
        throw err;
      }
    }
    for (const { path, shard } of fresh ? [] : parsed) {
      shard.resources.forEach((r, ord) => {
        const id = gid(feed.id, r.id);
        const nodeId = gid(feed.id, r.node);
        // A resource that moved here from an untouched shard is not in `known`.
        const old = known.get(id) ?? (st.getResource.get(id) as ResourceRow | undefined);
        if (!old) {
          const rid = Number(st.insertResource.run(id, feed.id, path, nodeId, r.type, r.title, r.revision ?? 0, r.duration ?? null, ord).lastInsertRowid);
          r.files.forEach((f, i) => st.insertFile.run(rid, i, f.role, f.sha256, f.size, f.mime, f.height ?? null));
          insertedResources.push([rid, r.title]);
          added++;
          return;
        }
        if (old.shard !== path && !changedPaths.has(old.shard) && newPaths.has(old.shard)) {
          throw new AppError('refused', `resource ${r.id} is listed in both ${old.shard} and ${path}`);
        }
        const sameFiles = filesEqual(r.files, filesOf.get(old.rid) ?? (st.getFiles.all(old.rid) as FileRow[]));
        const same =
          sameFiles &&
          old.node_id === nodeId &&
          old.type === r.type &&
          old.title === r.title &&
          old.revision === (r.revision ?? 0) &&
          old.duration === (r.duration ?? null) &&
          old.ord === ord;
        if (same && old.shard === path) return;
        if (old.shard === path && old.node_id === nodeId && old.ord === ord) st.updateInPlace.run(r.type, r.title, r.revision ?? 0, r.duration ?? null, old.rid);
        else st.updateResource.run(path, nodeId, r.type, r.title, r.revision ?? 0, r.duration ?? null, ord, old.rid);
        if (!sameFiles) {
          st.deleteFiles.run(old.rid);
          r.files.forEach((f, i) => st.insertFile.run(old.rid, i, f.role, f.sha256, f.size, f.mime, f.height ?? null));
        }
        if (!same) {
          upserted.push(old.rid);
          titles.set(old.rid, r.title);
          updated++;
        }
      });
    }
    resourceIndexes();

    lap('resources');
    // Nodes no shard defines any more go away.
    const removedNodes: string[] = [];
    for (const id of mayBeOrphans) {
      if (st.stillDefined.get(id)) continue;
      st.deleteNode.run(id);
      changedNodes.add(id);
      removedNodes.push(id);
    }

    if (changedNodes.size + insertedNodes.size > 0) validateTree(st.feedNodes.all(feed.id) as { id: string; parent: string | null }[], feed.id);
    // Every resource must sit on a node: those just written, checked in memory
    // against the nodes this apply wrote (none of which can have been removed) and
    // looked up otherwise, and those on a node just removed.
    const nodeKnown = new Map<string, boolean>();
    for (const { shard } of parsed) {
      for (const r of shard.resources) {
        const nodeId = gid(feed.id, r.node);
        if (written.has(nodeId)) continue;
        let known = nodeKnown.get(nodeId);
        if (known === undefined) nodeKnown.set(nodeId, (known = st.getNode.get(nodeId) !== undefined));
        if (!known) throw new AppError('refused', `resource ${gid(feed.id, r.id)} refers to unknown node ${r.node}`);
      }
    }
    for (const id of removedNodes) {
      const left = st.resourceOnNode.get(id) as string | undefined;
      if (left) throw new AppError('refused', `resource ${left} refers to unknown node ${id.slice(feed.id.length + 1)}`);
    }
    // Kept, not counted: every row this apply inserted or deleted went through it.
    const resources = kept.resources + added - deleted.length;
    const nodes = kept.nodes + insertedNodes.size - removedNodes.length;
    if (resources > LIMITS.resources) throw new AppError('refused', `feed ${feed.id} has more than 1,000,000 resources`);
    st.putCounts.run(resources, nodes, feed.id);

    // The shard list changes where the index did: 600 rows are not rewritten for 10.
    for (const path of removedShards) st.dropShard.run(feed.id, path);
    for (const s of input.changed) st.putShard.run(feed.id, s.path, s.sha256, s.size);
    recordBlobs(db, input.stored);
    lap('checks');

    const unusedTexts = updateSearchIndex(db, {
      feedId: feed.id,
      keepUnused: true,
      bulk,
      titles,
      resourceRids: upserted,
      deletedRids: deleted,
      nodeIds: [...changedNodes],
      inserted: { resources: insertedResources, nodes: [...insertedNodes] },
    });
    lap('search');

    return {
      resources,
      nodes,
      added,
      updated,
      removed: deleted.length,
      changedNodes: changedNodes.size + insertedNodes.size,
      unusedTexts,
      timings,
    };
  });
  const result = run.immediate();
  lap('commit');
  return result;
}

/** Which shard lists each resource; throws, naming both shards, on one listed twice. */
function claims(feedId: string, parsed: ParsedShard[]): Map<string, string> {
  const claimedBy = new Map<string, string>();
  for (const { path, shard } of parsed) {
    for (const r of shard.resources) {
      const id = gid(feedId, r.id);
      const other = claimedBy.get(id);
      if (other !== undefined) throw new AppError('refused', `resource ${r.id} is listed in both ${other} and ${path}`);
      claimedBy.set(id, path);
    }
  }
  return claimedBy;
}

/** Every parent must exist in the same feed, and following parents must reach a root. */
function validateTree(nodes: { id: string; parent: string | null }[], feedId: string): void {
  const parentOf = new Map(nodes.map((n) => [n.id, n.parent]));
  const local = (id: string) => id.slice(feedId.length + 1);
  for (const n of nodes) {
    if (n.parent !== null && !parentOf.has(n.parent)) {
      throw new AppError('refused', `node ${local(n.id)} has an unknown parent ${local(n.parent)}`);
    }
  }
  const state = new Map<string, 1 | 2>(); // 1 = on the current walk, 2 = known to reach a root
  for (const n of nodes) {
    const walk: string[] = [];
    let cur: string | null = n.id;
    while (cur !== null && state.get(cur) !== 2) {
      if (state.get(cur) === 1) throw new AppError('refused', `the catalog tree has a cycle through node ${local(cur)}`);
      state.set(cur, 1);
      walk.push(cur);
      cur = parentOf.get(cur) ?? null;
    }
    for (const id of walk) state.set(id, 2);
  }
}
