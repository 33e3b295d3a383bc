// `classboard export`: writes a feed folder (a USB stick for another classroom or
// home) holding the chosen part of the library and the files it has cached.
import fs from 'node:fs';
import type { ShardNode, ShardResource } from '../feed/schema';
import type { SigningKey } from '../feed/keys';
import { writeFeed } from '../feed/write';
import { AppError } from '../api/errors';
import type { Services } from '../services';

export interface ExportSummary {
  dir: string;
  resources: number;
  files: number;
  missing: number;
  signed: boolean;
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
  // The chosen subtrees (everything when none is named), plus their ancestors so the tree is whole.
  const roots = new Set(opts.nodes?.length ? opts.nodes : all.filter((n) => n.parent === null).map((n) => n.id));
  const inside = (id: string | null): boolean => {
    for (let cur = id; cur; cur = byId.get(cur)?.parent ?? null) if (roots.has(cur)) return true;
    return false;
  };
  const keep = new Set<string>();
  for (const n of all) {
    if (!inside(n.id)) continue;
    for (let cur: string | null = n.id; cur && !keep.has(cur); cur = byId.get(cur)?.parent ?? null) keep.add(cur);
  }
  const rows = db.prepare('SELECT rid, id, node_id, type, title, revision, duration FROM resources ORDER BY rid').all() as {
    rid: number; id: string; node_id: string; type: ShardResource['type']; title: string; revision: number; duration: number | null;
  }[];
  const filesOf = db.prepare('SELECT role, sha256, size, mime, height FROM resource_files WHERE rid = ? ORDER BY idx');
  const resources: ShardResource[] = [];
  const blobFiles = new Map<string, string>();
  let missing = 0;
  for (const r of rows.filter((x) => keep.has(x.node_id) && inside(x.node_id))) {
    const files = (filesOf.all(r.rid) as { role: string; sha256: string; size: number; mime: string; height: number | null }[]).map((f) => {
      if (blobs.has(f.sha256)) blobFiles.set(f.sha256, blobs.pathFor(f.sha256));
      else missing++;
      return { role: f.role, sha256: f.sha256, size: f.size, mime: f.mime, ...(f.height ? { height: f.height } : {}) };
    });
    resources.push({ id: r.id, node: r.node_id, type: r.type, title: r.title, revision: r.revision, ...(r.duration !== null ? { duration: r.duration } : {}), files });
  }
  const nodes: ShardNode[] = all.filter((n) => keep.has(n.id)).map((n) => ({ id: n.id, parent: n.parent, kind: n.kind, title: n.title, order: n.ord }));
  fs.mkdirSync(dir, { recursive: true });
  await writeFeed(dir, {
    id: opts.id ?? 'classboard.export',
    title: opts.title ?? 'Classboard 导出的课程',
    revision: Math.floor(Date.now() / 1000),
    signingKey: opts.signingKey,
    shards: [{ path: 'shards/export.json', nodes, resources }],
    blobs: [...blobFiles.values()].map((source) => ({ source })),
  });
  return { dir, resources: resources.length, files: blobFiles.size, missing, signed: !!opts.signingKey };
}
