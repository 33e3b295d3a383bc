// A source that has answered nothing (refused, unreachable, silent) for every
// try at several files in a row, for a while, is left for the rest of the run:
// its files that have no other source fail at once instead of each spending a
// round of tries with backoff (a dead hub cost a classroom 17 minutes for 417
// files, and a school's 3,000 files two hours). A hub refusing for a moment (a
// restart) is not left: it must stay silent for `afterMs` over `afterFiles` files.
// Files with another source still give it its one quick try first (a refusal
// costs a millisecond), so a hub that comes back is used again at once.
import { AppError } from '../api/errors';
import type { FailureReason } from '../../preload/contract';

/** Files in a row whose every try at the host went unanswered before it is left. */
const AFTER_FILES = 3;
/** And for at least this long since it last answered: longer than a hub takes to restart. */
const AFTER_MS = 20_000;

/** The words for a file not tried because its host was left; `n`: how many were, once the run knows. */
export const gaveUpMessage = (host: string, n?: number) =>
  `连不上 ${host}（学校中心服务或资源平台），本次同步其余${n === undefined ? '' : ` ${n} 个`}文件不再尝试，下次同步继续 / cannot reach ${host} (the school hub or the resource platform): ${n === undefined ? 'the rest of this sync’s files' : `the other ${n} file${n === 1 ? '' : 's'} of this sync`} not tried, the next sync carries on`;

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
   * The run's second pass at the files that failed for want of an answer: every
   * host is asked again (one left may be back after a restart), but one that
   * still answers no try is left at once, so its files fail without another
   * round of backoffs each.
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
