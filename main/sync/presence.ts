// Which screens are showing a lesson, so the sync can slow to a trickle. A hub
// serves several boards, and a board can go away without saying so (a closed
// tab, a switched-off PC in the middle of a lesson): each screen's "presenting"
// is a lease its page renews, and a lease not renewed ends by itself. One flag
// for all boards let the first board to leave a lesson speed the sync up under
// another's, and a board switched off mid-lesson slowed the school's night.

import { PRESENTING_LEASE_MS } from '../../preload/contract';

export interface Presence {
  /** Whether any screen is presenting now. */
  readonly current: boolean;
  readonly listeners: Set<(on: boolean) => void>;
  /** A screen starts (or renews) or stops presenting. */
  set(screen: string, on: boolean): void;
  close(): void;
}

/** More screens than a school has boards: beyond this the oldest lease makes room (a flood of ids cannot grow the map). */
const MAX_SCREENS = 512;

export function createPresence(opts: { leaseMs?: number; now?: () => number } = {}): Presence {
  const leaseMs = opts.leaseMs ?? PRESENTING_LEASE_MS;
  const now = opts.now ?? Date.now;
  const until = new Map<string, number>();
  const listeners = new Set<(on: boolean) => void>();
  let on = false;
  let timer: NodeJS.Timeout | null = null;

  const settle = () => {
    const t = now();
    for (const [screen, end] of until) if (end <= t) until.delete(screen);
    if (timer) clearTimeout(timer);
    timer = null;
    if (until.size > 0) {
      // Wake when the first lease runs out.
      let first = Infinity;
      for (const end of until.values()) first = Math.min(first, end);
      timer = setTimeout(settle, Math.max(0, first - t) + 1);
      timer.unref();
    }
    const next = until.size > 0;
    if (next === on) return;
    on = next;
    for (const l of listeners) l(on);
  };

  return {
    get current() {
      return on;
    },
    listeners,
    set(screen, presenting) {
      if (presenting) {
        if (!until.has(screen) && until.size >= MAX_SCREENS) {
          let oldest: string | null = null;
          for (const [s, end] of until) if (oldest === null || end < until.get(oldest)!) oldest = s;
          until.delete(oldest!);
        }
        until.set(screen, now() + leaseMs);
      } else until.delete(screen);
      settle();
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
