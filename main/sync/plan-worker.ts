// Worker thread entry: plans a sync on its own read-only connection. Reading
// 150,000 lessons and their files takes seconds on a board PC; the main thread
// (the teaching UI's IPC) must not wait for it.
import { parentPort } from 'node:worker_threads';
import { toApiError } from '../api/errors';
import { connectLibrary } from '../library/db';
import { createSelection, planDownloads, type Plan, type PlanOptions } from './plan';

export type PlanRequest = { dbFile: string; opts: PlanOptions; summaryOnly: boolean };
export type PlanReply = Plan | { files: number; bytes: number; skipped: number; downgraded: number };

parentPort!.on('message', ({ id, req }: { id: number; req: PlanRequest }) => {
  try {
    const db = connectLibrary(req.dbFile, { readonly: true });
    try {
      const plan = planDownloads(db, createSelection(db), req.opts);
      const value: PlanReply = req.summaryOnly
        ? { files: plan.jobs.length, bytes: plan.jobs.reduce((a, j) => a + j.size, 0), skipped: plan.skipped, downgraded: plan.downgraded }
        : plan;
      parentPort!.postMessage({ id, ok: true, value });
    } finally {
      db.close();
    }
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, error: toApiError(err) });
  }
});
