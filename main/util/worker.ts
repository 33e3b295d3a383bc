import { Worker } from 'node:worker_threads';

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

/** Runs a one-shot worker to completion: resolves with its single message. */
export function runWorker<T>(name: string, callerUrl: string, data: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const w = spawnWorker(name, callerUrl, data);
    let settled = false;
    w.once('message', (msg: { ok: true; value: T } | { ok: false; error: { code?: string; message: string } }) => {
      settled = true;
      if (msg.ok) resolve(msg.value);
      else reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
      void w.terminate();
    });
    w.once('error', (err) => {
      if (!settled) reject(err);
    });
    w.once('exit', (code) => {
      if (!settled) reject(new Error(`worker ${name} exited with code ${code} before answering`));
    });
  });
}
