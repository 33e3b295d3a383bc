// The main thread's event-loop delay over a stretch of work, for the benches.
// The monitor records a stall when its next timer fires, and its first firing
// only sets a baseline: so it turns once after starting and once before each
// reading, or a stall at either end of the work would go unseen.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const tick = () => new Promise((res) => setTimeout(res, 10));

export interface DelayWatch {
  /** Delay so far (ms), then starts over. */
  read(): Promise<{ max: number; p99: number }>;
  stop(): void;
}

export async function watchDelay(): Promise<DelayWatch> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await tick();
  return {
    async read() {
      await tick();
      const got = { max: h.max / 1e6, p99: h.percentile(99) / 1e6 };
      h.reset();
      return got;
    },
    stop: () => h.disable(),
  };
}
