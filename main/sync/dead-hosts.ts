// A source that has answered nothing (refused, unreachable, silent) for every
// try at several files in a row, for a while, is left for the rest of the run:
// its files that have no other source fail at once instead of each spending a
// round of tries with backoff (a dead hub cost a classroom 17 minutes for 417
// files, and a school's 3,000 files two hours). A hub refusing for a moment (a
// restart) is not left: it must stay silent for `afterMs` over `afterFiles` files.
// Files with another source still give it its one quick try first (a refusal
// costs a millisecond), so a hub that comes back is used again at once.
// Before its files fail for good, the run waits for such a host a stated while,
// knocking with backoff (waitForHosts): a hub PC rebooting takes 1–3 minutes.
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../api/errors';
import type { FailureReason } from '../../preload/contract';

/** Files in a row whose every try at the host went unanswered before it is left. */
const AFTER_FILES = 3;
/** And for at least this long since it last answered: longer than a hub takes to restart. */
const AFTER_MS = 20_000;

/** How long a run waits for a host its files have no other source for: an admin's command, a lesson asked for now. */
export const HOST_WAIT_MS = 2 * 60_000;
/** A night run's wait: longer than a hub PC takes to reboot (Windows Update: 1–3 minutes), and no longer than the window. */
export const NIGHT_HOST_WAIT_MS = 10 * 60_000;

/** A wait as it is stated: 2 分钟, 45 秒. */
const span = (ms: number) =>
  ms >= 60_000 ? { zh: `${Math.round(ms / 60_000)} 分钟`, en: `${Math.round(ms / 60_000)} min` } : { zh: `${Math.max(1, Math.round(ms / 1000))} 秒`, en: `${Math.max(1, Math.round(ms / 1000))} s` };

/** The progress while the run waits for `host`, at most `ms` in all. */
export const waitingMessage = (host: string, ms: number) =>
  `等待 ${host} 恢复…（最多等 ${span(ms).zh}，它一有响应就接着下载） / waiting for ${host} to come back (up to ${span(ms).en}; downloads resume as soon as it answers)`;

/**
 * The words for files given up because `host` did not answer: `n` of them were not
 * tried at all in this run (once the run knows); `waitedMs`: how long the run waited for it.
 */
export const gaveUpMessage = (host: string, n?: number, waitedMs?: number) => {
  const waited = waitedMs && waitedMs >= 1000 ? span(waitedMs) : null;
  return `连不上 ${host}（学校中心服务或资源平台）${waited ? `，等了 ${waited.zh}仍未恢复` : ''}，${n === undefined ? '本次同步其余文件不再尝试' : `本次同步有 ${n} 个文件因此没有尝试`}，下次同步继续 / cannot reach ${host} (the school hub or the resource platform)${waited ? `, not back after waiting ${waited.en}` : ''}: ${n === undefined ? 'the rest of this sync’s files' : `${n} file${n === 1 ? '' : 's'} of this sync`} not tried, the next sync carries on`;
};

/** A file that was tried, whose host then did not come back (in `waitedMs`, when the run waited); `detail`: its last error, for the admin. */
export const notBackMessage = (host: string, waitedMs: number, detail?: string) => {
  const waited = waitedMs >= 1000 ? span(waitedMs) : null;
  return `连不上 ${host}（学校中心服务或资源平台）${waited ? `，等了 ${waited.zh}仍未恢复` : ''}，下次同步继续 / cannot reach ${host} (the school hub or the resource platform)${waited ? `, not back after waiting ${waited.en}` : ''}; the next sync carries on${detail ? ` (${detail})` : ''}`;
};

/** A file failed without a try: its only sources are hosts this run has left. */
export class HostGivenUp extends AppError {
  readonly failure: FailureReason = 'unreachable';
  constructor(readonly host: string) {
    super('unavailable', gaveUpMessage(host));
  }
}

/** One run's view of its hosts (a hub's pull-through keeps none: it asks each time a classroom does). */
export class DeadHosts {
  private readonly hosts = new Map<string, { since: number; files: number; dead: boolean }>();
  /** The run's last pass: one try unanswered is enough. */
  private lastPass = false;
  constructor(
    private readonly onDead: (host: string) => void = () => {},
    private readonly afterFiles = AFTER_FILES,
    private readonly afterMs = AFTER_MS,
  ) {}

  /** Any HTTP answer: the host is there (a dead one is asked again when it answers a file with other sources). */
  answered(host: string): void {
    this.hosts.delete(host);
  }

  /**
   * A pass at the files that failed for want of an answer, once a host of theirs
   * answered a knock: every host is asked again (one left is back after a restart),
   * but one that answers no try is left at once, so its files go back to waiting
   * without another round of backoffs each.
   */
  askOnceMore(): void {
    this.hosts.clear();
    this.lastPass = true;
  }

  /** A try that got no answer. */
  unanswered(host: string): void {
    if (!this.hosts.has(host)) this.hosts.set(host, { since: Date.now(), files: 0, dead: false });
    if (this.lastPass) this.leave(host);
  }

  /** A file whose every try at `host` went unanswered. */
  fileUnanswered(host: string): void {
    this.unanswered(host);
    const h = this.hosts.get(host)!;
    h.files++;
    if (h.files >= this.afterFiles && Date.now() - h.since >= this.afterMs) this.leave(host);
  }

  private leave(host: string): void {
    const h = this.hosts.get(host)!;
    if (h.dead) return;
    h.dead = true;
    this.onDead(host);
  }

  dead(host: string): boolean {
    return this.hosts.get(host)?.dead ?? false;
  }
}

/**
 * A knock at a host: any HTTP answer (a 404, a 503, a redirect) means it is there
 * again; only none (refused, unreachable, silent for `timeoutMs`) means it is not.
 * A HEAD of the origin's root, not of a file the run needs: a hub lacking that file
 * first pulls it from upstream and answers only after its pullWaitMs (10 s, longer
 * than a knock waits), so every knock went unanswered while the hub was up.
 * A connection of its own: a pooled one may be the dead server's.
 */
function answers(url: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const root = new URL('/', url);
  return new Promise((resolve) => {
    const req = (root.protocol === 'https:' ? https : http).request(root, { method: 'HEAD', agent: false, signal }, (res) => {
      clearTimeout(timer);
      res.resume();
      req.destroy();
      resolve(true);
    });
    const timer = setTimeout(() => req.destroy(), timeoutMs);
    req.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    req.end();
  });
}

/** First knocks come quickly (a restart takes seconds), then every few seconds, so the run goes on soon after a host is back. */
const KNOCK_MS = [1000, 2000, 4000];
const KNOCK_EVERY_MS = 5000;

/**
 * Knocks at each host (at the origin of one of its files' URLs, `urls`: host → URL) at once, then
 * with backoff until one answers, `deadline` (epoch ms) passes, or `going()` says
 * the run waits no longer (stopped, paused, the window closed): the hosts that
 * answered, none when it gave up. `onMiss`: a round no host answered (the run is waiting).
 */
export async function waitForHosts(
  urls: Map<string, string>,
  deadline: number,
  opts: { signal?: AbortSignal; going: () => boolean; knockMs?: number; onMiss?: () => void },
): Promise<Set<string>> {
  for (let i = 0; opts.going(); i++) {
    // A knock past the deadline (the wait spent, asked once more after a pass) still gets a second to be answered.
    const knock = Math.max(1000, Math.min(opts.knockMs ?? 5000, deadline - Date.now()));
    const answered = await Promise.all([...urls].map(async ([host, url]) => ((await answers(url, knock, opts.signal)) ? host : null)));
    const back = new Set(answered.filter((h): h is string => h !== null));
    if (back.size > 0) return back;
    const left = deadline - Date.now();
    if (left <= 0) break;
    opts.onMiss?.();
    await sleep(Math.min(KNOCK_MS[i] ?? KNOCK_EVERY_MS, left), undefined, { signal: opts.signal }).catch(() => {});
  }
  return new Set();
}
