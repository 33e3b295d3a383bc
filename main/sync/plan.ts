// What a classroom downloads tonight, and in which order: the offline selection
// (plus every timetabled and favourite lesson), one rendition per lesson at the
// classroom's height, earliest deadline first, and a lower rendition for the
// least urgent lessons when the night's byte budget (rate × window) is short,
// and for a lesson whose rendition is bigger than the cache quota could ever hold.
import { schoolWeekday } from '../library/timetable';
import { AppError } from '../api/errors';
import { formatBytes } from '../../preload/contract';
import type { Db } from '../library/db';
import type { BlobJob } from './downloader';

/** Earliest deadline first: the order of these classes is the download order. */
export const PRIORITY = {
  firstPeriods: 0,
  nextDay: 1,
  week: 2,
  favourite: 3,
  termVolume: 4,
  rest: 5,
} as const;

/** A file to fetch; its URLs are resolved when its download starts (150,000 URL parses cost seconds). */
export type PlannedJob = Omit<BlobJob, 'urls'> & { feedId: string; resources: string[]; priority: number; order: number };

export interface PlanOptions {
  maxHeight?: number;
  /** Bytes the night can move (rate × window); lower renditions for the least urgent lessons beyond it. */
  budgetBytes?: number;
  /** The cache quota: a lesson whose rendition could never fit in it gets the best one that does. */
  quotaBytes?: number;
  now?: Date;
  timeZone?: string;
  /**
   * Only these resources (ids), whatever the selection says: a lesson a teacher
   * asked for now. Its few rows are read by key, without the whole catalog.
   */
  only?: string[];
  /** Also list the files already on disk that the plan's lessons use (for eviction). */
  inUse?: boolean;
}

export interface Plan {
  jobs: PlannedJob[];
  /** Renditions above the classroom's height, and files outside the offline selection. */
  skipped: number;
  downgraded: number;
  /** Lessons given a lower rendition because theirs is bigger than the quota leaves room for (it could never be downloaded). */
  downsized: number;
  /**
   * With `inUse`: each file on disk a planned lesson uses, with that lesson's
   * priority class (the most urgent if several); at or below PRIORITY.favourite
   * it is pinned (timetabled or favourite).
   */
  inUse?: Map<string, number>;
  /** Files counted as present whose file is gone from disk (planned in the worker with a cache root to stat). */
  missing?: string[];
}

type FileRow = {
  rid: number;
  sha256: string;
  size: number;
  role: string;
  height: number | null;
  present: 0 | 1;
};

type ResourceRow = { rid: number; id: string; title: string; nodeId: string; feedId: string };

/**
 * The files a lesson needs: its main rendition (highest at or below maxHeight, else the lowest; of those, the highest no
 * bigger than `maxBytes`, the room the cache quota can ever give, else the smallest) plus posters, subtitles, attachments.
 * A higher rendition already on disk stands in for a missing one at the height (the classroom went from 720p to 480p): it
 * plays and the lesson is ready, so fetching the lower copy would spend a night's bytes, and disk, on a copy the player
 * passes over (it takes the highest on disk). If it is evicted, the lesson's rendition at the height comes next.
 */
export function chooseFiles<F extends Pick<FileRow, 'role' | 'height' | 'present' | 'size'>>(
  files: F[],
  maxHeight: number,
  maxBytes = Infinity,
): { chosen: F[]; main: F | null; lower: F | null; skipped: number; downsized: boolean } {
  const mains = files.filter((f) => f.role === 'main').sort((a, b) => (b.height ?? 0) - (a.height ?? 0));
  const fitting = mains.filter((f) => (f.height ?? 0) <= maxHeight);
  const tall = fitting.length > 0 ? fitting : mains.slice(-1);
  // A file bigger than the quota fails every night: a lower rendition that fits plays instead;
  // with none, the smallest, whose failure names the least quota that brings the lesson.
  const best = tall[0] ?? null;
  const fits = tall.find((f) => f.present || f.size <= maxBytes);
  const wanted = fits ?? tall.at(-1) ?? null;
  const above = wanted && !wanted.present ? mains.slice(0, mains.indexOf(wanted)).findLast((f) => f.present) : undefined;
  const main = above ?? wanted;
  const lower = main ? (mains[mains.indexOf(main) + 1] ?? null) : null;
  const chosen = files.filter((f) => f.role !== 'main' || f === main);
  return { chosen, main, lower, skipped: files.length - chosen.length, downsized: fits !== undefined && wanted !== best && main === wanted };
}

/** Why a file no rendition could replace was not fetched: with both sizes, since only a higher quota lets it in. */
export const biggerThanQuota = (size: number, quota: number): string =>
  `文件 ${formatBytes(size)}，比缓存上限 ${formatBytes(quota)} 还大 / the file (${formatBytes(size)}) is bigger than the cache quota (${formatBytes(quota)})`;

/** The textbook tree's parent links, for walking up from a lesson. */
export function loadParents(db: Db): Map<string, { parent: string | null; kind: string; title: string }> {
  const rows = db.prepare('SELECT id, parent, kind, title FROM nodes').all() as { id: string; parent: string | null; kind: string; title: string }[];
  return new Map(rows.map((r) => [r.id, { parent: r.parent, kind: r.kind, title: r.title }]));
}

/**
 * The offline selection: marks on nodes (keep or drop) and a default for the
 * rest. Without marks everything is kept; the first "keep" turns the default off
 * (the admin has started choosing).
 */
export function createSelection(db: Db) {
  const st = {
    marks: db.prepare('SELECT node_id AS id, keep FROM offline_selection'),
    setMark: db.prepare('INSERT OR REPLACE INTO offline_selection(node_id, keep) VALUES (?, ?)'),
    dropMark: db.prepare('DELETE FROM offline_selection WHERE node_id = ?'),
    getDefault: db.prepare("SELECT value FROM settings WHERE key = 'selection.default'").pluck(),
    setDefault: db.prepare("INSERT OR REPLACE INTO settings(key, value) VALUES ('selection.default', ?)"),
    node: db.prepare('SELECT 1 FROM nodes WHERE id = ?').pluck(),
    parentOf: db.prepare('SELECT parent FROM nodes WHERE id = ?').pluck(),
  };
  const defaultKeep = () => (st.getDefault.get() ?? 'keep') === 'keep';
  const marks = () => new Map((st.marks.all() as { id: string; keep: 0 | 1 }[]).map((m) => [m.id, m.keep === 1]));

  /** Whether a node (and so its lessons) is kept offline. */
  const resolver = (parents: ReturnType<typeof loadParents>, m = marks(), dflt = defaultKeep()) => {
    const memo = new Map<string, boolean>();
    const keeps = (id: string | null): boolean => {
      if (id === null) return dflt;
      const known = memo.get(id);
      if (known !== undefined) return known;
      const mark = m.get(id);
      const v = mark ?? keeps(parents.get(id)?.parent ?? null);
      memo.set(id, v);
      return v;
    };
    return keeps;
  };

  const apply = db.transaction((ids: string[], keep: boolean) => {
    for (const id of ids) if (!st.node.get(id)) throw new AppError('not-found', `没有这个目录节点 / no such node: ${id}`);
    if (keep && defaultKeep() && st.marks.all().length === 0) st.setDefault.run('none');
    // Walks up from the few marked nodes only: loading the whole tree here would
    // stall the UI's thread at 150,000 lessons.
    const ancestors = function* (id: string) {
      for (let p = st.parentOf.get(id) as string | null | undefined; p; p = st.parentOf.get(p) as string | null | undefined) yield p;
    };
    for (const id of ids) {
      // A decision on a node replaces the decisions made inside it.
      for (const [mid] of marks()) if ([...ancestors(mid)].includes(id)) st.dropMark.run(mid);
      // A mark equal to what the node inherits says nothing.
      const m = marks();
      let inherited = defaultKeep();
      for (const p of ancestors(id)) {
        const mark = m.get(p);
        if (mark !== undefined) {
          inherited = mark;
          break;
        }
      }
      if (inherited === keep) st.dropMark.run(id);
      else st.setMark.run(id, keep ? 1 : 0);
    }
  });

  return {
    keep: (ids: string[], keep: boolean) => apply.immediate(ids, keep),
    /** Whether the selection keeps one node: its nearest mark up the tree, else the default (a few look-ups). */
    keepsNode(id: string): boolean {
      const m = marks();
      for (let n = id as string | null | undefined; n; n = st.parentOf.get(n) as string | null | undefined) {
        const mark = m.get(n);
        if (mark !== undefined) return mark;
      }
      return defaultKeep();
    },
    marks,
    defaultKeep,
    /** True while nothing is chosen: every lesson is kept. */
    everything: () => defaultKeep() && [...marks().values()].every(Boolean),
    resolver,
  };
}
export type Selection = ReturnType<typeof createSelection>;

/** The ISO weekday whose lessons tonight's sync prepares: the school day eight hours from now. */
export function targetWeekday(now: Date, timeZone: string): number {
  return schoolWeekday(new Date(now.getTime() + 8 * 3600_000), timeZone);
}

/** Semester half a volume title names: 上册 from August to January, 下册 from February to July. */
const termWord = (now: Date, timeZone: string) => {
  const month = Number(new Intl.DateTimeFormat('en-US', { month: 'numeric', timeZone }).format(now));
  return month >= 2 && month <= 7 ? '下册' : '上册';
};

/** Per resource: its priority class and the minute of its deadline within it. */
function priorities(db: Db, parents: ReturnType<typeof loadParents>, resources: ResourceRow[], now: Date, timeZone: string) {
  const out = new Map<string, { cls: number; order: number }>();
  const better = (id: string, cls: number, order: number) => {
    const cur = out.get(id);
    if (!cur || cls < cur.cls || (cls === cur.cls && order < cur.order)) out.set(id, { cls, order });
  };
  const target = targetWeekday(now, timeZone);
  const slots = db.prepare('SELECT weekday, period, starts, resource_id AS id FROM timetable WHERE resource_id IS NOT NULL').all() as {
    weekday: number;
    period: number;
    starts: string;
    id: string;
  }[];
  const teachingVolumes = new Set<string>();
  const byId = new Map(resources.map((r) => [r.id, r]));
  // Lessons share their volume: walk up once per node, not once per resource.
  const volumes = new Map<string, string | null>();
  const volumeOf = (nodeId: string): string | null => {
    let v = volumes.get(nodeId);
    if (v !== undefined) return v;
    v = null;
    for (let n: string | null = nodeId; n !== null; n = parents.get(n)?.parent ?? null) {
      if (parents.get(n)?.kind === 'volume') {
        v = n;
        break;
      }
    }
    volumes.set(nodeId, v);
    return v;
  };
  // A period is its whole lesson (今日课表 says it is ready only with every resource of it): the video's
  // 课件 and 学习任务单 share its deadline, and eviction keeps them as it keeps the video. A resource
  // hanging on a unit or a volume is only itself; a node the catalog lacks reads as a lesson's.
  const onNode = new Map<string, ResourceRow[]>();
  for (const r of resources) {
    const list = onNode.get(r.nodeId);
    if (list) list.push(r);
    else onNode.set(r.nodeId, [r]);
  }
  const lessonOf = (id: string): string[] => {
    const r = byId.get(id);
    if (!r || (parents.get(r.nodeId)?.kind ?? 'lesson') !== 'lesson') return [id];
    return onNode.get(r.nodeId)!.map((x) => x.id);
  };
  for (const s of slots) {
    const ahead = (s.weekday - target + 7) % 7;
    const [h, m] = s.starts.split(':').map(Number);
    const minute = ahead * 1440 + h! * 60 + m!;
    const cls = ahead === 0 ? (s.period <= 2 ? PRIORITY.firstPeriods : PRIORITY.nextDay) : PRIORITY.week;
    for (const id of lessonOf(s.id)) better(id, cls, minute);
    const r = byId.get(s.id);
    const v = r && volumeOf(r.nodeId);
    if (v) teachingVolumes.add(v);
  }
  for (const id of db.prepare('SELECT resource_id FROM favourites').pluck().all() as string[]) better(id, PRIORITY.favourite, 0);
  const word = termWord(now, timeZone);
  const thisTerm = (v: string) => teachingVolumes.has(v) || parents.get(v)!.title.includes(word);
  for (const r of resources) {
    if (out.has(r.id)) continue;
    const v = volumeOf(r.nodeId);
    if (v && thisTerm(v)) better(r.id, PRIORITY.termVolume, 0);
  }
  return out;
}

/**
 * The most one file can take under the quota: the quota less what never leaves the
 * cache (the catalog's shards, and the files on disk of timetabled and favourite
 * lessons, which eviction keeps). Infinity without a quota.
 */
function roomUnderQuota(db: Db, quotaBytes: number | undefined, resources: ResourceRow[], byRid: Map<number, FileRow[]>, prio: Map<string, { cls: number }>, maxHeight: number): number {
  if (quotaBytes === undefined || !Number.isFinite(quotaBytes)) return Infinity;
  const shards = db.prepare('SELECT coalesce(sum(b.size), 0) FROM blobs b WHERE EXISTS (SELECT 1 FROM shards s WHERE s.sha256 = b.sha256)').pluck().get() as number;
  const pinned = new Map<string, number>();
  for (const r of resources) {
    if ((prio.get(r.id)?.cls ?? PRIORITY.rest) > PRIORITY.favourite) continue;
    for (const f of chooseFiles(byRid.get(r.rid) ?? [], maxHeight).chosen) if (f.present) pinned.set(f.sha256, f.size);
  }
  return quotaBytes - shards - [...pinned.values()].reduce((a, n) => a + n, 0);
}

export function planDownloads(db: Db, selection: Selection, opts: PlanOptions = {}): Plan {
  const maxHeight = opts.maxHeight ?? 1080;
  const timeZone = opts.timeZone ?? 'Asia/Shanghai';
  const only = opts.only ? JSON.stringify(opts.only) : null;
  const resources = db
    .prepare(
      `SELECT r.rid, r.id, r.title, r.node_id AS nodeId, r.feed_id AS feedId
       FROM resources r${only ? ' WHERE r.id IN (SELECT value FROM json_each(?))' : ''}`,
    )
    .all(...(only ? [only] : [])) as ResourceRow[];
  if (resources.length === 0) return { jobs: [], skipped: 0, downgraded: 0, downsized: 0, inUse: opts.inUse ? new Map() : undefined };
  // Every file, in table order, kept if its resource is one of those: joined in
  // SQL, the planner walks the sha256 index and looks rows up at random (1.4 s
  // at 150,000 files instead of 0.3 s).
  const byRid = new Map<number, FileRow[]>(resources.map((r) => [r.rid, []]));
  const present = 'EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = f.sha256) AS present';
  const files = only
    ? resources.flatMap((r) => db.prepare(`SELECT f.rid, f.sha256, f.size, f.role, f.height, ${present} FROM resource_files f WHERE f.rid = ?`).all(r.rid) as FileRow[])
    : (db.prepare(`SELECT f.rid, f.sha256, f.size, f.role, f.height, ${present} FROM resource_files f`).all() as FileRow[]);
  for (const f of files) byRid.get(f.rid)?.push(f);

  // Asked for by id: kept, in the order asked, without walking the tree.
  const parents = only ? new Map() : loadParents(db);
  const keeps = only ? () => true : selection.resolver(parents);
  const prio = only ? new Map(opts.only!.map((id, i) => [id, { cls: PRIORITY.firstPeriods, order: i }])) : priorities(db, parents, resources, opts.now ?? new Date(), timeZone);

  const maxBytes = roomUnderQuota(db, opts.quotaBytes, resources, byRid, prio, maxHeight);
  let skipped = 0;
  let downsized = 0;
  type Entry = { r: ResourceRow; cls: number; order: number; chosen: FileRow[]; main: FileRow | null; lower: FileRow | null };
  const entries: Entry[] = [];
  for (const r of resources) {
    const fs = byRid.get(r.rid) ?? [];
    const p = prio.get(r.id);
    // Timetabled and favourite lessons are always kept; the rest per the selection.
    if (!(p && p.cls <= PRIORITY.favourite) && !keeps(r.nodeId)) {
      skipped += fs.length;
      continue;
    }
    const c = chooseFiles(fs, maxHeight, maxBytes);
    skipped += c.skipped;
    if (c.downsized) downsized++;
    entries.push({ r, cls: p?.cls ?? PRIORITY.rest, order: p?.order ?? 0, chosen: c.chosen, main: c.main, lower: c.lower });
  }
  entries.sort((a, b) => a.cls - b.cls || a.order - b.order || a.r.rid - b.r.rid);

  // Over budget: the least urgent lessons drop one rendition, until the night fits.
  let downgraded = 0;
  if (opts.budgetBytes !== undefined && Number.isFinite(opts.budgetBytes)) {
    // Each file once, as the jobs are: a grade's worksheet on 72 lessons is one download, not 72.
    const users = new Map<string, number>();
    let total = 0;
    const use = (f: FileRow, n: 1 | -1) => {
      if (f.present) return;
      const before = users.get(f.sha256) ?? 0;
      users.set(f.sha256, before + n);
      if (before === 0 || before + n === 0) total += n * f.size;
    };
    for (const e of entries) for (const f of e.chosen) use(f, 1);
    for (let i = entries.length - 1; i >= 0 && total > opts.budgetBytes; i--) {
      const e = entries[i]!;
      if (!e.main || !e.lower || e.main.present || e.lower.size >= e.main.size) continue;
      use(e.main, -1);
      use(e.lower, 1);
      e.chosen = e.chosen.map((f) => (f === e.main ? e.lower! : f));
      downgraded++;
    }
  }

  const jobs = new Map<string, PlannedJob>();
  const inUse = opts.inUse ? new Map<string, number>() : undefined;
  for (const e of entries) {
    for (const f of e.chosen) {
      if (f.present) {
        // Entries go most urgent first: the first class seen is the file's.
        if (inUse && !inUse.has(f.sha256)) inUse.set(f.sha256, e.cls);
        continue; // the cache index: no stat per file here (a sync run's plan stats these in its worker, planChecked)
      }
      const job = jobs.get(f.sha256);
      if (job) {
        if (!job.resources.includes(e.r.title)) job.resources.push(e.r.title);
      } else {
        jobs.set(f.sha256, { sha256: f.sha256, size: f.size, feedId: e.r.feedId, resources: [e.r.title], priority: e.cls, order: e.order });
      }
    }
  }
  return { jobs: [...jobs.values()], skipped, downgraded, downsized, inUse };
}
