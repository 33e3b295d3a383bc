// Worker thread entry: plans a sync, and computes the offline-selection tree's
// sizes, on its own read-only connection. Reading 150,000 lessons and their files
// takes seconds on a board PC; the main thread (the teaching UI's IPC) must not wait.
import type { Res } from '../../preload/contract';
import { missingBlobs } from '../cache/blob-store';
import { planEvictions, quotaRefusals, type EvictionRequest, type Evictions } from '../cache/evict';
import { keptConnection } from '../library/db';
import { serveRequests } from '../util/worker';
import { createSelection, planDownloads, type Plan, type PlanOptions } from './plan';
import { keptBytes, selectionView } from './selection-view';

export type PlanRequest =
  /** `cacheRoot`: also stat the files the plan counts as present, naming those gone from disk (Plan.missing). */
  | { kind: 'plan'; dbFile: string; opts: PlanOptions; summaryOnly: boolean; cacheRoot?: string }
  | { kind: 'selection'; dbFile: string; parent: string | null; maxHeight: number }
  | { kind: 'kept'; dbFile: string; maxHeight: number }
  | { kind: 'evict'; dbFile: string; req: EvictionRequest };
/** `files` and `bytes`: what will come; `overQuota`: the rest of the queue, which the quota refuses (quotaRefusals). */
export type PlanSummary = { files: number; bytes: number; overQuota: { files: number; bytes: number }; skipped: number; downgraded: number; downsized: number };
export type PlanReply = Plan | PlanSummary | Res<'sync:selection'> | number | Evictions;

function answer(req: PlanRequest): PlanReply {
  const db = keptConnection(req.dbFile, { readonly: true });
  const selection = createSelection(db);
  if (req.kind === 'selection') return selectionView(db, selection, req.parent, req.maxHeight);
  if (req.kind === 'kept') return keptBytes(db, selection, req.maxHeight);
  if (req.kind === 'evict') return planEvictions(db, req.req);
  if (req.cacheRoot !== undefined && !req.summaryOnly) {
    // The night's check that the index is true of the disk for what it plans on: a
    // stat per file here, off the thread the teaching UI answers on.
    const { inUse, ...plan } = planDownloads(db, selection, { ...req.opts, inUse: true });
    return { ...plan, ...(req.opts.inUse ? { inUse } : {}), missing: missingBlobs(req.cacheRoot, inUse!.keys()) };
  }
  if (!req.summaryOnly) return planDownloads(db, selection, req.opts);
  // With the files on disk it uses: the quota's refusals are the eviction's choice, which needs them.
  const plan = planDownloads(db, selection, { ...req.opts, inUse: req.opts.quotaBytes !== undefined || req.opts.inUse });
  const refused = plan.inUse ? quotaRefusals(db, { jobs: plan.jobs, inUse: plan.inUse }, req.opts.quotaBytes) : null;
  // How many and their bytes: which ones only a run needs (planEvictions names them).
  const overQuota = { files: refused?.files ?? 0, bytes: refused?.bytes ?? 0 };
  const bytes = plan.jobs.reduce((a, j) => a + j.size, 0);
  return { files: plan.jobs.length - overQuota.files, bytes: bytes - overQuota.bytes, overQuota, skipped: plan.skipped, downgraded: plan.downgraded, downsized: plan.downsized };
}

/** Also run on the caller's thread when it holds the library alone (opened on a full disk; see keptConnection). */
export const handle = (req: PlanRequest) => ({ value: answer(req) });

serveRequests(handle);
