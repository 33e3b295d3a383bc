// `classboard export`: writes a feed folder (a USB stick for another classroom or
// home) holding the chosen part of the library and the files it has cached.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FeedIndex, Shard, type ShardNode, type ShardResource } from '../feed/schema';
import { checkSigningKey, type SigningKey } from '../feed/keys';
import { BlobMismatch, writeFeed } from '../feed/write';
import { formatBytes, formatSchoolTime } from '../../preload/contract';
import { AppError, diskFullError, freeBytesAt, isDiskFull } from '../api/errors';
import type { Services } from '../services';
import { takeLock } from './pid-lock';
import { readSettingRow, writeSettingRow } from '../library/settings-row';
import { z } from 'zod';

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
  /** Cached files found damaged while copied: taken out of the cache (the next sync fetches them), their lessons left out. */
  damaged?: number;
  signed: boolean;
  /** With `replace`: the feed the folder held before (ids null when its feed.json was none). */
  replaced?: { id: string | null; title: string | null };
}

/** This library's own random id, made on its first export and kept in its settings. */
function libraryId(db: Services['db']): string {
  db.prepare("INSERT OR IGNORE INTO settings(key, value) VALUES ('library.id', ?)").run(crypto.randomBytes(8).toString('hex'));
  return db.prepare("SELECT value FROM settings WHERE key = 'library.id'").pluck().get() as string;
}

type FileRow = { role: string; sha256: string; size: number; mime: string; height: number | null };

export const EXPORT_PREFIX = 'classboard.export.';

/**
 * The feed id of an export of these subtrees from this library: the same
 * selection exported again from here gets the same id (so importing it updates
 * the earlier one); another selection, or the same volume exported by another
 * teacher on another PC, is another feed and does not replace the first.
 */
export function exportId(library: string, roots: Iterable<string>): string {
  const key = [library, ...[...new Set(roots)].sort()].join('\n');
  return `${EXPORT_PREFIX}${crypto.createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
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
/**
 * A feed's revision as a person reads it. An export's is the second it was written
 * (nextRevision: it must never go back, whichever computer exports next, so it
 * is not a count), and "第 1796093414 版" read as a version number; its date is
 * what an admin can check against. No publisher counts past a billion.
 */
export function revisionText(feedId: string, revision: number): string {
  if (revision < 1_000_000_000) return `第 ${revision} 版`;
  const at = formatSchoolTime(new Date(revision * 1000), { year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return feedId.startsWith(EXPORT_PREFIX) ? `${at} 导出的版本` : `${at} 的版本`;
}

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

/** Where this library keeps the selection (its roots) each of its exports was made of, by feed id. */
const selectionKey = (id: string) => `export.selection.${id}`;

/** What a folder already holds: a feed (its index), a feed.json that is none, or nothing. */
type FolderFeed = { index: FeedIndex } | { unreadable: true } | null;

function feedIn(dir: string): FolderFeed {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'feed.json'), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    return { unreadable: true };
  }
  try {
    const parsed = FeedIndex.safeParse(JSON.parse(text));
    return parsed.success ? { index: parsed.data } : { unreadable: true };
  } catch {
    return { unreadable: true };
  }
}

/** The shards a feed folder lists, those that are there and whole enough to read. */
function shardsIn(dir: string, index: FeedIndex): { path: string; shard: Shard | null }[] {
  return index.shards.map((s) => {
    try {
      const parsed = Shard.safeParse(JSON.parse(fs.readFileSync(path.join(dir, s.path), 'utf8')));
      return { path: s.path, shard: parsed.success ? parsed.data : null };
    } catch {
      return { path: s.path, shard: null };
    }
  });
}

/** A path as typed in a shell: quoted when it holds anything but plain characters. */
const shellArg = (s: string) => (/^[\w/.:@%+=,-]+$/.test(s) ? s : `"${s.replace(/(["\\$`])/g, '\\$1')}"`);

/**
 * Refuses an export that would replace what the folder holds: a signed platform
 * feed, another library's export, this library's export of another selection (a
 * feed.json is replaced whole, and the lessons only it listed are lost from the
 * stick). The same export again (same id) goes on, as after a full stick.
 */
function refuseOtherFeed(
  dir: string,
  held: FolderFeed,
  id: string,
  signingKeyId: string | undefined,
  union: (earlier: string) => { nodes: string[]; id: string } | null,
): void {
  if (!held) return;
  if ('index' in held && held.index.id === id && (!held.index.keyId || held.index.keyId === signingKeyId)) return;
  const alt = shellArg(path.join(dir, '课程导出'));
  let zh: string;
  let en: string;
  let hint: { zh: string; en: string; cmd: string } | null = null;
  if ('unreadable' in held) {
    zh = `${dir} 里已有一个无法识别的 feed.json，这次导出会替换它`;
    en = `${dir} holds a feed.json that is not a Classboard feed, and the export would replace it`;
  } else {
    const { index } = held;
    const counted = index.shards.every((s) => s.resources !== undefined);
    const n = counted ? index.shards.reduce((a, s) => a + (s.resources ?? 0), 0) : shardsIn(dir, index).reduce((a, s) => a + (s.shard?.resources.length ?? 0), 0);
    const signed = !!index.keyId;
    if (index.id === id) {
      zh = `${dir} 里的“${index.title}”（${index.id}，${n} 个资源）已用密钥 ${index.keyId} 签名，这次导出${signingKeyId ? '用的是另一个密钥' : '没有签名'}，会替换掉它`;
      en = `"${index.title}" (${index.id}, ${n} resources) in ${dir} is signed with key ${index.keyId}, and this export ${signingKeyId ? 'uses another key' : 'is unsigned'}: it would replace it`;
    } else {
      zh = `${dir} 里已有资源库“${index.title}”（${index.id}，${n} 个资源${signed ? '，已签名' : ''}），导出会替换掉它，${signed ? '别的教室就不能再从这里导入它' : '它的课程就从这里丢失了'}`;
      en = `${dir} already holds the feed "${index.title}" (${index.id}, ${n} resources${signed ? ', signed' : ''}); the export would replace it${signed ? ', and no other classroom could import it from here any more' : ', losing its lessons from this folder'}`;
    }
    const both = index.id !== id ? union(index.id) : null;
    if (both) {
      const cmd = `classboard export ${[shellArg(dir), ...both.nodes.flatMap((n) => ['--node', shellArg(n)])].join(' ')}`;
      // This selection inside the earlier one: exporting that again updates it. Else both at once, one feed.
      hint =
        both.id === index.id
          ? { zh: '它是本资源库之前导出的，已包含这次所选的部分；要更新它，请按原来的选择再导出一次', en: 'It is an earlier export of this library that holds this selection already; to update it, export that selection again', cmd }
          : { zh: '它是本资源库之前导出的另一部分；要把两部分放在一起，请一次导出（替换它）', en: 'It is an earlier export of another part of this library; to have both on it, export them together, replacing it', cmd: `${cmd} --replace` };
    }
  }
  // The command on a line of its own, so it is copied without the punctuation around it.
  throw new AppError(
    'conflict',
    `${zh}，所以没有导出。${hint ? `${hint.zh}：\n  ${hint.cmd}\n也可以` : '请'}导出到空文件夹或新的子文件夹（如 ${alt}）；确要替换它，加 --replace / ${en}, so nothing was exported. ${hint ? `${hint.en} (the command above); or export` : 'Export'} to an empty folder or a new sub-folder (e.g. ${alt}), or add --replace to replace it on purpose`,
  );
}

/** The lock file two exports into one folder meet at: the second is refused, not interleaved. */
const EXPORT_LOCK = '.classboard-export.lock';

function lockFolder(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const got = takeLock(path.join(dir, EXPORT_LOCK));
  if ('release' in got) return got.release;
  const pid = got.holder ? `（进程 ${got.holder}）` : '';
  throw new AppError(
    'conflict',
    `另一个导出正在写入 ${dir}${pid}，这次没有导出；请等它完成后再导出，或换一个文件夹 / another export${got.holder ? ` (process ${got.holder})` : ''} is writing to ${dir}: nothing exported; wait for it to finish, or choose another folder`,
  );
}

/** After `--replace`: the replaced feed's shards and files that the new export does not list, so the stick holds no orphans. */
function removeReplaced(dir: string, replaced: { path: string; shard: Shard | null }[], keptShards: Set<string>, keptBlobs: Set<string>): void {
  for (const { path: rel, shard } of replaced) {
    for (const f of shard?.resources.flatMap((r) => r.files) ?? []) {
      if (keptBlobs.has(f.sha256)) continue;
      const file = path.join(dir, 'blobs', f.sha256.slice(0, 2), f.sha256);
      fs.rmSync(file, { force: true });
      try {
        fs.rmdirSync(path.dirname(file)); // only when empty
      } catch {}
    }
    if (!keptShards.has(rel)) fs.rmSync(path.join(dir, rel), { force: true });
  }
}

/** The fewest subtrees covering `roots` (a root inside another is dropped); [] when that is the whole library. */
function coveringRoots(roots: Iterable<string>, parentOf: (id: string) => string | null | undefined, tops: string[]): string[] {
  const set = new Set(roots);
  const covered = (id: string) => {
    for (let cur = parentOf(id); cur; cur = parentOf(cur)) if (set.has(cur)) return true;
    return false;
  };
  const min = [...set].filter((r) => !covered(r)).sort();
  return tops.every((t) => set.has(t)) ? [] : min;
}

export async function exportFeed(
  services: Services,
  dir: string,
  opts: { nodes?: string[]; id?: string; title?: string; signingKey?: Pick<SigningKey, 'keyId' | 'privateKey'>; replace?: boolean },
): Promise<ExportSummary> {
  const { db, blobs } = services;
  if (opts.signingKey) checkSigningKey(opts.signingKey);
  const all = db.prepare('SELECT id, parent, kind, title, ord FROM nodes').all() as { id: string; parent: string | null; kind: ShardNode['kind']; title: string; ord: number }[];
  const byId = new Map(all.map((n) => [n.id, n]));
  for (const id of opts.nodes ?? []) if (!byId.has(id)) throw new AppError('not-found', `找不到目录 ${id} / no such node`);
  // The chosen subtrees (everything when none is named).
  const roots = new Set(opts.nodes?.length ? opts.nodes : all.filter((n) => n.parent === null).map((n) => n.id));
  const inside = (id: string | null): boolean => {
    for (let cur = id; cur; cur = byId.get(cur)?.parent ?? null) if (roots.has(cur)) return true;
    return false;
  };
  // In each lesson's order (the importing classroom orders them by their place in the shard), not the order they came in.
  const rows = db.prepare('SELECT rid, id, feed_id, node_id, type, title, revision, duration FROM resources ORDER BY node_id, ord, rid').all() as {
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
  const library = libraryId(db);
  const id = opts.id ?? exportId(library, roots);
  // The folder's feed, judged now (nothing written yet) and again once the folder is ours.
  const tops = all.filter((n) => n.parent === null).map((n) => n.id);
  const union = (earlier: string) => {
    const selection = readSettingRow(db, selectionKey(earlier), z.array(z.string()));
    if (!selection) return null;
    const before = selection.filter((n) => byId.has(n));
    const nodes = coveringRoots([...before, ...roots], (n) => byId.get(n)?.parent, tops);
    return { nodes, id: exportId(library, nodes.length ? nodes : tops) };
  };
  const judge = () => {
    const held = feedIn(dir);
    if (!opts.replace) refuseOtherFeed(dir, held, id, opts.signingKey?.keyId, union);
    // What --replace takes away, read before the new export overwrites a shard of the same path.
    if (!held || ('index' in held && held.index.id === id)) return { shards: [], replaced: undefined };
    return 'index' in held
      ? { shards: shardsIn(dir, held.index), replaced: { id: held.index.id, title: held.index.title } }
      : { shards: [], replaced: { id: null, title: null } };
  };
  judge();
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
  let release: (() => void) | null = null;
  let replacedShards: ReturnType<typeof shardsIn> = [];
  let replaced: ExportSummary['replaced'];
  try {
    release = lockFolder(dir);
    ({ shards: replacedShards, replaced } = judge());
    await writeFeed(dir, {
      id,
      title: opts.title ?? 'Classboard 导出的课程',
      revision: nextRevision(dir, id),
      signingKey: opts.signingKey,
      // Where the lessons came from: a classroom subscribed to these takes only the files.
      origins: [...fromFeeds].sort().map((f) => db.prepare('SELECT id, title, revision FROM feeds WHERE id = ?').get(f) as { id: string; title: string; revision: number }),
      shards: [{ path: 'shards/export.json', nodes, resources }],
      blobs: [...blobFiles].map(([sha256, source]) => ({ source, sha256, size: blobSizes.get(sha256)! })),
    });
    removeReplaced(dir, replacedShards, new Set(['shards/export.json']), new Set(blobFiles.keys()));
    writeSettingRow(db, selectionKey(id), [...roots].sort());
  } catch (err) {
    // A cached file that is not what its name says (a bad sector, a disk error since it was verified): out of the
    // cache, as verify would take it, and the export made again without it, its lesson left out as one not
    // downloaded (the next sync fetches it). Before, it was copied under the hash it had, listed under the one it
    // should have: the importing classroom lacked it and said the stick was incomplete.
    if (err instanceof BlobMismatch) {
      release?.();
      release = null;
      blobs.quarantine(err.source, err.sha256);
      blobs.forgetMissing([err.sha256]);
      const again = await exportFeed(services, dir, opts);
      return { ...again, damaged: (again.damaged ?? 0) + 1 };
    }
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
  } finally {
    release?.();
  }
  return { dir, id, resources: resources.length, files: blobFiles.size, leftOut, missing, signed: !!opts.signingKey, ...(replaced ? { replaced } : {}) };
}
