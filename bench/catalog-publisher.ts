// The platform side of the catalog bench, on a thread of its own: it holds the
// 150,000-resource catalog, publishes revisions and measures the INSERT floor.
// Kept out of the measured thread, whose heap should be what a board's main
// process holds: with the catalog there, the bench's own garbage collection
// (140 MB of old space) landed in the changes it timed.
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { writeFeed } from '../main/feed/write';
import type { SigningKey } from '../main/feed/keys';
import { openLibrary } from '../main/library/db';
import { catalogShards, FEED, generate } from './catalog-data';

export type PublisherRequest =
  | { op: 'publish'; revision: number; retitle?: { round: number; count: number } }
  | { op: 'floor'; dbFile: string; source: string };
export interface PublisherInfo {
  resources: number;
  nodes: number;
  shards: number;
  /** A few resource ids, for favourites. */
  sample: string[];
}

const { www, key } = workerData as { www: string; key: SigningKey };
const cat = generate();
const shards = catalogShards(cat);

async function publish(revision: number, retitle?: { round: number; count: number }) {
  if (retitle) {
    // Each revision retitles `count` resources spread over a few volumes.
    let left = retitle.count;
    for (const s of shards.slice(retitle.round * 3)) {
      for (const r of s.resources) {
        if (left === 0) break;
        r.title = `${r.title.replace(/（第\d+版）$/, '')}（第${retitle.round + 2}版）`;
        left--;
      }
      if (left === 0) break;
    }
  }
  await writeFeed(path.join(www, 'feed'), { id: FEED, title: '基准资源库', revision, signingKey: key, shards });
  // nginx's ETag is mtime + size: each publication gets its own second.
  const t = new Date(Date.UTC(2026, 10, 1, 0, 0, revision));
  fs.utimesSync(path.join(www, 'feed', 'feed.json'), t, t);
  // writeFeed flushes every file it writes, so the publisher's bytes are on disk
  // before the clock starts (on a real platform the CDN is another machine). No
  // `sync` child process: forking marks every page of the measured process
  // copy-on-write, and the applier's next pass would pay a fault per page.
}

/** The same rows, bare prepared INSERTs, one transaction: no validation, no search index. */
function floor(dbFile: string, source: string): number {
  const { db } = openLibrary(dbFile);
  const t0 = performance.now();
  db.transaction(() => {
    db.prepare("INSERT INTO feeds(id, title, source) VALUES (?, '基准', ?)").run(FEED, source);
    const node = db.prepare('INSERT OR IGNORE INTO nodes(id, feed_id, parent, kind, title, ord) VALUES (?, ?, ?, ?, ?, ?)');
    for (const n of cat.nodes) node.run(n.id, FEED, n.parent, n.kind, n.title, n.ord);
    const res = db.prepare('INSERT INTO resources(id, feed_id, shard, node_id, type, title, ord) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const file = db.prepare("INSERT INTO resource_files(rid, idx, role, sha256, size, mime, height) VALUES (?, 0, 'main', ?, 42194437, 'video/mp4', 720)");
    for (const r of cat.resources) {
      const { lastInsertRowid } = res.run(r.id, FEED, r.shard, r.node, r.type, r.title, r.ord);
      file.run(lastInsertRowid, r.id.padEnd(64, '0').slice(0, 64));
    }
  })();
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

parentPort!.on('message', (req: PublisherRequest) => {
  const done = req.op === 'publish' ? publish(req.revision, req.retitle).then(() => null) : Promise.resolve(floor(req.dbFile, req.source));
  done.then(
    (value) => parentPort!.postMessage({ ok: true, value }),
    (err: Error) => parentPort!.postMessage({ ok: false, error: err.message }),
  );
});
parentPort!.postMessage({
  ok: true,
  value: { resources: cat.resources.length, nodes: cat.nodes.length, shards: shards.length, sample: cat.resources.slice(0, 20).map((r) => r.id) } satisfies PublisherInfo,
});
