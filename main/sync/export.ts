// `classboard export`: writes a feed folder (a USB stick for another classroom or
// home) holding the chosen part of the library and the files it has cached.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ShardNode, ShardResource } from '../feed/schema';
import type { SigningKey } from '../feed/keys';
import { writeFeed } from '../feed/write';
import { formatBytes } from '../../preload/contract';
import { AppError, diskFullError, freeBytesAt, isDiskFull } from '../api/errors';
import type { Services } from '../services';

export interface ExportSummary {
  dir: string;
  /** The feed id the importing classroom knows the export by. */
  id: string;
  resources: number;
  files: number;
  /** Resources left out because their main file is not downloaded yet. */
  leftOut: number;
  /** Other files of exported resources not downloaded, so not listed (another rendition, a poster). */
  missing: number;
  signed: boolean;
}

/** This library's own random id, made on its first export and kept in its settings. */
function libraryId(db: Services['db']): string {
  db.prepare("INSERT OR IGNORE INTO settings(key, value) VALUES ('library.id', ?)").run(crypto.randomBytes(8).toString('hex'));
  return db.prepare("SELECT value FROM settings WHERE key = 'library.id'").pluck().get() as string;
}

type FileRow = { role: string; sha256: string; size: number; mime: string; height: number | null };

/**
 * The feed id of an export of these subtrees from this library: the same
 * selection exported again from here gets the same id (so importing it updates
 * the earlier one); another selection, or the same volume exported by another
 * teacher on another PC, is another feed and does not replace the first.
 */
export function exportId(library: string, roots: Iterable<string>): string {
  const key = [library, ...[...new Set(roots)].sort()].join('\n');
  return `classboard.export.${crypto.createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
}

/**
 * What of a resource's files can go on the stick: the cached ones. Without a
 * cached main file (any rendition) the lesson cannot be shown, so it is left out;
 * a resource with no main file at all needs every file it lists.
 */
function cachedFiles(files: FileRow[], has: (sha256: string) => boolean): { files: FileRow[]; missing: number } | null {
  const cached = files.filter((f) => has(f.sha256));
  const mains = files.filter((f) => f.role === 'main');
  const usable = mains.length > 0 ? cached.some((f) => f.role === 'main') : cached.length === files.length && files.length > 0;
  return usable ? { files: cached, missing: files.length - cached.length } : null;
}

/**
 * Seconds since 1970, but past the revision already on the stick: a classroom refuses
 * an export of the same id at the same revision with other content, or an older one
 * (a second export within the second, or a board whose clock is behind).
 */
function nextRevision(dir: string, id: string): number {
  const now = Math.floor(Date.now() / 1000);
  try {
    const prev = JSON.parse(fs.readFileSync(path.join(dir, 'feed.json'), 'utf8')) as { id?: unknown; revision?: unknown };
    if (prev.id === id && Number.isInteger(prev.revision) && (prev.revision as number) >= now) return (prev.revision as number) + 1;
  } catch {
    // No earlier export here (or not one we can read): a fresh stick.
  }
  return now;
}

/** `dir`, or its nearest parent that exists (an export folder not made yet), with its stat. */
function nearestExisting(dir: string): { dir: string; stat: fs.Stats } | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      return { dir: d, stat: fs.statSync(d) };
    } catch {
      if (path.dirname(d) === d) return null;
    }
  }
}

/**
 * The disk `dir` is on, as a teacher knows it: a USB stick when it is another disk
 * than the data folder's, named by where it is mounted (/media/…, E:\). Said in
 * every space message, so a full stick is never blamed on the board's own disk.
 */
function targetDisk(dir: string, dataDir: string): { zh: string; en: string; stick: boolean } {
  const at = nearestExisting(dir);
  if (!at) return { zh: '导出文件夹所在的磁盘', en: 'the disk holding the export folder', stick: false };
  let mount = at.dir;
  for (let up = path.dirname(mount); up !== mount; mount = up, up = path.dirname(mount)) {
    try {
      if (fs.statSync(up).dev !== at.stat.dev) break;
    } catch {
      break;
    }
  }
  const stick = nearestExisting(dataDir)?.stat.dev !== at.stat.dev;
  return stick
    ? { zh: `U 盘（${mount}）`, en: `the USB stick (${mount})`, stick }
    : { zh: `导出文件夹所在的磁盘（${mount}）`, en: `the disk holding the export folder (${mount})`, stick };
}

/**
 * Bytes the export adds to `dir`'s disk: the files not there yet (writeFeed skips
 * those that are: a stick exported to before), the catalog, and the folders, each
 * in whole blocks of that disk (a FAT stick's are 32 KiB).
 */
function bytesToWrite(dir: string, blobSizes: Map<string, number>, catalogBytes: number): number {
  const at = nearestExisting(dir);
  let block = 4096;
  try {
    if (at) block = fs.statfsSync(at.dir).bsize || block;
  } catch {
    // The usual block, if the disk does not say.
  }
  const blocks = (n: number) => Math.ceil(n / block) * block;
  const dirs = new Set<string>();
  let bytes = blocks(catalogBytes) + blocks(4096) + 3 * block; // the shard, feed.json (and its signature); the folder, blobs/, shards/
  for (const [sha, size] of blobSizes) {
    const dest = path.join(dir, 'blobs', sha.slice(0, 2), sha);
    if (fs.existsSync(dest)) continue;
    bytes += blocks(size);
    if (!dirs.has(sha.slice(0, 2)) && !fs.existsSync(path.dirname(dest))) bytes += block;
    dirs.add(sha.slice(0, 2));
  }
  return bytes;
}

export async function exportFeed(
  services: Services,
  dir: string,
  opts: { nodes?: string[]; id?: string; title?: string; signingKey?: Pick<SigningKey, 'keyId' | 'privateKey'> },
): Promise<ExportSummary> {
  const { db, blobs } = services;
  const all = db.prepare('SELECT id, parent, kind, title, ord FROM nodes').all() as { id: string; parent: string | null; kind: ShardNode['kind']; title: string; ord: number }[];
  const byId = new Map(all.map((n) => [n.id, n]));
  for (const id of opts.nodes ?? []) if (!byId.has(id)) throw new AppError('not-found', `找不到目录 ${id} / no such node`);
  // The chosen subtrees (everything when none is named).
  const roots = new Set(opts.nodes?.length ? opts.nodes : all.filter((n) => n.parent === null).map((n) => n.id));
  const inside = (id: string | null): boolean => {
    for (let cur = id; cur; cur = byId.get(cur)?.parent ?? null) if (roots.has(cur)) return true;
    return false;
  };
  const rows = db.prepare('SELECT rid, id, feed_id, node_id, type, title, revision, duration FROM resources ORDER BY rid').all() as {
    rid: number; id: string; feed_id: string; node_id: string; type: ShardResource['type']; title: string; revision: number; duration: number | null;
  }[];
  const filesOf = db.prepare('SELECT role, sha256, size, mime, height FROM resource_files WHERE rid = ? ORDER BY idx');
  const resources: ShardResource[] = [];
  const blobFiles = new Map<string, string>();
  const blobSizes = new Map<string, number>();
  let missing = 0;
  let leftOut = 0;
  const fromFeeds = new Set<string>();
  for (const r of rows.filter((x) => byId.has(x.node_id) && inside(x.node_id))) {
    // A file the stick does not carry would leave the importing classroom unable to fetch it,
    // its every sync failing with "import that folder again": only downloaded lessons go.
    const kept = cachedFiles(filesOf.all(r.rid) as FileRow[], (sha) => blobs.has(sha));
    if (!kept) {
      leftOut++;
      continue;
    }
    missing += kept.missing;
    fromFeeds.add(r.feed_id);
    for (const f of kept.files) {
      blobFiles.set(f.sha256, blobs.pathFor(f.sha256));
      blobSizes.set(f.sha256, f.size);
    }
    const files = kept.files.map((f) => ({ role: f.role, sha256: f.sha256, size: f.size, mime: f.mime, ...(f.height ? { height: f.height } : {}) }));
    resources.push({ id: r.id, node: r.node_id, type: r.type, title: r.title, revision: r.revision, ...(r.duration !== null ? { duration: r.duration } : {}), files });
  }
  if (resources.length === 0) {
    throw new AppError('not-found', `所选部分的 ${leftOut} 个资源都尚未下载，没有可导出的内容：请先同步下载 / nothing downloaded to export (${leftOut} resources not downloaded yet)`);
  }
  // The tree down to the exported lessons, so the other classroom shows no empty branches.
  const keep = new Set<string>();
  for (const r of resources) for (let cur: string | null = r.node; cur && !keep.has(cur); cur = byId.get(cur)?.parent ?? null) keep.add(cur);
  const nodes: ShardNode[] = all.filter((n) => keep.has(n.id)).map((n) => ({ id: n.id, parent: n.parent, kind: n.kind, title: n.title, order: n.ord }));
  const id = opts.id ?? exportId(libraryId(db), roots);
  // Refused before a file is copied when the stick cannot take it all: a teacher learns it now,
  // not after minutes of copying, and the stick is left as it was.
  const disk = targetDisk(dir, services.dataDir);
  const need = bytesToWrite(dir, blobSizes, Buffer.byteLength(JSON.stringify({ nodes, resources }, null, 1)));
  const free = freeBytesAt(dir);
  if (free !== null && need > free) {
    const [zh, en] = disk.stick
      ? ['请换一个空间更大的 U 盘，或删去 U 盘上不需要的文件、少选一些内容（--node）后再导出', 'use a bigger stick, delete what is not needed on it, or export less (--node)']
      : ['请清理这块磁盘，或少选一些内容（--node）后再导出', 'free some space on it or export less (--node)'];
    throw new AppError('unavailable', `${disk.zh}空间不足：需要 ${formatBytes(need)}，剩余 ${formatBytes(free)}。${zh} / not enough space on ${disk.en}: the export needs ${formatBytes(need)}, ${formatBytes(free)} free; ${en}`);
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
    await writeFeed(dir, {
      id,
      title: opts.title ?? 'Classboard 导出的课程',
      revision: nextRevision(dir, id),
      signingKey: opts.signingKey,
      // Where the lessons came from: a classroom subscribed to these takes only the files.
      origins: [...fromFeeds].sort().map((f) => db.prepare('SELECT id, title, revision FROM feeds WHERE id = ?').get(f) as { id: string; title: string; revision: number }),
      shards: [{ path: 'shards/export.json', nodes, resources }],
      blobs: [...blobFiles.values()].map((source) => ({ source })),
    });
  } catch (err) {
    // Filled anyway (another program wrote to it meanwhile): the stick's disk is named, not the data folder's.
    // Each file is copied whole or not at all and feed.json comes last, so the stick lists no file it lacks;
    // the whole files stay, and the same export again copies only the rest.
    if (!isDiskFull(err)) throw err;
    throw diskFullError(
      dir,
      [
        '这次导出没有完成（目录 feed.json 没有写入），已复制完的文件保留在上面；腾出空间后再导出到同一个文件夹，会接着复制剩下的',
        'the export did not finish (no feed.json written); the files copied so far stay there: free some space and export to the same folder again to copy the rest',
      ],
      [disk.zh, `${disk.en} holding`],
    );
  }
  return { dir, id, resources: resources.length, files: blobFiles.size, leftOut, missing, signed: !!opts.signingKey };
}
