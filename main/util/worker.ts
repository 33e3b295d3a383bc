import { parentPort, Worker } from 'node:worker_threads';
import { ErrorCode } from '../../preload/contract';
import { AppError, toApiError } from '../api/errors';
import { heldAlone } from '../library/db';

/**
 * Spawns the worker entry `name` that sits beside the calling bundle: the built
 * `<name>.js` in out/main/, or `<name>.ts` from source (through tsx) under tests.
 */
export function spawnWorker(name: string, callerUrl: string, data: unknown): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  if (!fromSource) return new Worker(new URL(`./${name}` + '.js', callerUrl), { workerData: data });
  const entry = new URL(`./${name}` + '.ts', callerUrl).href;
  const boot = new URL('../util/tsx-worker-boot.mjs', callerUrl);
  return new Worker(boot, { workerData: { ...(data as object), __entry: entry } });
}

/**
 * Entries that only read the library and export their handler as `handle`: a
 * request for a library this thread holds alone (opened on a full disk, which
 * admits no other connection) runs here, on that connection, instead of failing
 * in the worker as "database is locked" after a 5 s wait.
 */
const readers = new Set(['plan-worker', 'search-worker']);

async function runHere<Req, Res>(name: string, callerUrl: string, req: Req): Promise<Res> {
  const entry = new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl).href;
  const { handle } = (await import(/* @vite-ignore */ entry)) as { handle: (req: Req) => Answer<Res> | Promise<Answer<Res>> };
  const answer = await handle(req);
  try {
    answer.after?.();
  } catch {
    // Housekeeping only, as in serveRequests.
  }
  return answer.value;
}

/**
 * A worker's answer. `more` says it keeps working after answering (housekeeping
 * such as a WAL checkpoint) and will post `{ idle: true }` when done: until then
 * it keeps the process alive, so a CLI exits only after it.
 */
type Reply<T> =
  | { id: number; ok: true; value: T; more?: boolean }
  | { id: number; ok: false; error: { code?: string; message: string } }
  | { idle: true };

/**
 * A worker kept warm between calls (starting one — a thread, better-sqlite3,
 * zod — costs more than a small catalog change takes). Requests are taken in
 * order; one that awaits (a fetch) lets the next start meanwhile. It holds the
 * process open only while a call is pending and stops after `idleMs` without
 * work.
 */
export function workerService<Req, Res>(
  name: string,
  callerUrl: string,
  idleMs = 60_000,
): { call(req: Req, transfer?: ArrayBuffer[]): Promise<Res>; stop(): Promise<void> } {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: Res) => void; reject: (e: Error) => void }>();
  let idle: NodeJS.Timeout | null = null;
  let busyAfterReply = false;

  const fail = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker = null;
  };
  const start = () => {
    const w = spawnWorker(name, callerUrl, {});
    w.on('message', (m: Reply<Res>) => {
      if ('idle' in m) busyAfterReply = false;
      else {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (m.ok) {
          busyAfterReply = m.more === true;
          p.resolve(m.value);
        } else {
          // The worker's AppError keeps its code across the thread boundary (not-found stays not-found).
          const code = ErrorCode.safeParse(m.error.code);
          p.reject(code.success ? new AppError(code.data, m.error.message) : Object.assign(new Error(m.error.message), { code: m.error.code }));
        }
      }
      if (pending.size === 0 && !busyAfterReply) {
        w.unref();
        idle = setTimeout(() => {
          if (worker === w && pending.size === 0) {
            worker = null;
            void w.terminate();
          }
        }, idleMs).unref();
      }
    });
    w.on('error', (err) => worker === w && fail(err));
    w.on('exit', (code) => worker === w && fail(new Error(`worker ${name} exited with code ${code} before answering`)));
    return w;
  };
  return {
    /** `transfer`: buffers handed over without a copy (unusable here afterwards). */
    call(req, transfer = []) {
      const file = (req as { dbFile?: unknown }).dbFile;
      if (readers.has(name) && typeof file === 'string' && heldAlone(file)) return runHere<Req, Res>(name, callerUrl, req);
      if (idle) clearTimeout(idle);
      worker ??= start();
      worker.ref();
      const id = nextId++;
      const w = worker;
      return new Promise<Res>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, req }, transfer);
      });
    },
    async stop() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}

/** A worker's answer: the value, buffers handed over without a copy, and work to do once the caller has it. */
export interface Answer<Res> {
  value: Res;
  transfer?: ArrayBuffer[];
  /** Housekeeping after answering; the caller's process stays alive until it ends (see Reply). */
  after?: () => void;
}

/** The worker side of workerService: answers each request with its id; an AppError keeps its code. */
export function serveRequests<Req, Res>(handle: (req: Req) => Answer<Res> | Promise<Answer<Res>>): void {
  // Imported on the caller's own thread for its handler (see readers): nothing to serve.
  if (!parentPort) return;
  parentPort.on('message', async ({ id, req }: { id: number; req: Req }) => {
    let answer: Answer<Res>;
    try {
      answer = await handle(req);
    } catch (err) {
      parentPort!.postMessage({ id, ok: false, error: toApiError(err) });
      return;
    }
    parentPort!.postMessage({ id, ok: true, value: answer.value, more: answer.after !== undefined }, answer.transfer ?? []);
    if (!answer.after) return;
    try {
      answer.after();
    } catch {
      // Housekeeping only: the next request's work does not depend on it.
    }
    parentPort!.postMessage({ idle: true });
  });
}
