// When sync runs: inside the night window (default 22:00–06:30 school time) at
// full night rate, by day at a trickle or not at all, never at full speed while a
// lesson is being presented. The rate of the running sync changes in place.
import { Cron } from 'croner';
import { TokenBucket } from './token-bucket';

export interface WindowConfig {
  /** "HH:MM" school time; the window may cross midnight. */
  start: string;
  end: string;
  timeZone: string;
  /** Bytes per second at night (Infinity for no cap). */
  nightRate: number;
  /** Bytes per second by day; 0 pauses. */
  dayRate: number;
}

export const DEFAULT_WINDOW: WindowConfig = { start: '22:00', end: '06:30', timeZone: 'Asia/Shanghai', nightRate: Infinity, dayRate: 0 };

/** A trickle so a presented lesson is never starved, but the night's work continues. */
const PRESENTING_RATE = 16 * 1024;

/** One formatter per time zone: building one costs ~1 ms (the first, ~40 ms), and the scheduler asks often. */
const clocks = new Map<string, Intl.DateTimeFormat>();

function minutesIn(now: Date, timeZone: string): number {
  let clock = clocks.get(timeZone);
  if (!clock) clocks.set(timeZone, (clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone })));
  const parts = clock.formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return get('hour') * 60 + get('minute');
}

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

export function inWindow(now: Date, cfg: Pick<WindowConfig, 'start' | 'end' | 'timeZone'>): boolean {
  const t = minutesIn(now, cfg.timeZone);
  const a = toMinutes(cfg.start);
  const b = toMinutes(cfg.end);
  return a <= b ? t >= a && t < b : t >= a || t < b;
}

/** When the window holding `now` (or, by day, the last one) opened. */
function lastOpening(now: Date, cfg: Pick<WindowConfig, 'start' | 'timeZone'>): Date {
  const since = (minutesIn(now, cfg.timeZone) - toMinutes(cfg.start) + 1440) % 1440;
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000 - since * 60_000);
}

/** How long the window lasts, in seconds (it may cross midnight). */
export function windowSeconds(cfg: Pick<WindowConfig, 'start' | 'end'>): number {
  return ((toMinutes(cfg.end) - toMinutes(cfg.start) + 1440) % 1440 || 1440) * 60;
}

/** Parses "22:00-06:30". */
export function parseWindow(text: string): Pick<WindowConfig, 'start' | 'end'> {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!m) throw new Error(`window must look like 22:00-06:30, got "${text}"`);
  if (m[1] === m[3] && m[2] === m[4]) throw new Error(`window ${text.trim()} starts and ends at the same time`);
  return { start: `${m[1]}:${m[2]}`, end: `${m[3]}:${m[4]}` };
}

export type SyncMode = 'night' | 'manual' | 'day' | 'paused' | 'presenting';

/** `P`: what a run of only some files is given (a lesson asked for now); a whole run gets nothing. */
export class SyncScheduler<P = unknown> {
  readonly bucket: TokenBucket;
  private presenting = false;
  /** A run someone asked for ("sync --now", the sync page): night rate even by day. */
  private manual = false;
  /**
   * A lesson a teacher is waiting for is being fetched: the night rate, by day and
   * while a lesson is on screen too (that screen is the one waiting for it).
   */
  private urgent = false;
  private running: Promise<unknown> | null = null;
  /** The running run fetches only some files: a whole run asked for meanwhile follows it. */
  private partial = false;
  private jobs: Cron[] = [];
  /** When the last whole run (not one lesson's) ended in this process: tonight's run is not started again. */
  private lastEnded: Date | null = null;

  constructor(
    private readonly run: (bucket: TokenBucket, part?: P) => Promise<unknown>,
    private cfg: WindowConfig = DEFAULT_WINDOW,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.bucket = new TokenBucket(this.currentRate());
  }

  /** The rate the clock and the classroom call for right now. */
  currentRate(): number {
    // Only a run of the lesson's own files: a whole run the lesson joined keeps the clock's rate (its lesson files have their own cap).
    if (this.urgent && this.partial) return this.cfg.nightRate;
    const base = this.manual || inWindow(this.now(), this.cfg) ? this.cfg.nightRate : this.cfg.dayRate;
    return this.presenting ? Math.min(base, PRESENTING_RATE) : base;
  }

  mode(): SyncMode {
    if (this.urgent && this.partial) return inWindow(this.now(), this.cfg) ? 'night' : 'manual';
    if (this.presenting) return 'presenting';
    if (inWindow(this.now(), this.cfg)) return 'night';
    if (this.manual && this.running) return 'manual';
    return this.cfg.dayRate > 0 ? 'day' : 'paused';
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  get config(): WindowConfig {
    return this.cfg;
  }

  /**
   * New window or rates: the running sync's cap changes at once, the daily schedule is
   * rebuilt, and a window that now holds the clock gets tonight's run if it is due (its
   * opening passed before the schedule knew of it).
   */
  reconfigure(cfg: WindowConfig): void {
    this.cfg = cfg;
    this.bucket.setRate(this.currentRate());
    if (this.jobs.length > 0) {
      this.stop();
      this.schedule();
      // Later, not now: settings read by a run as it starts would otherwise start a second one before the first is known.
      queueMicrotask(() => {
        if (inWindow(this.now(), this.cfg) && this.catchUpDue()) void this.tick();
      });
    }
  }

  /** The schedule is on, the clock calls for a run, and none has ended since the window opened. */
  private catchUpDue(): boolean {
    if (this.jobs.length === 0) return false;
    if (!inWindow(this.now(), this.cfg) && this.cfg.dayRate <= 0) return false;
    return this.lastEnded === null || this.lastEnded < lastOpening(this.now(), this.cfg);
  }

  /** Starts the daily schedule, with a catch-up run (after `catchUpDelayMs`) when started inside the window. */
  start(catchUpDelayMs = 0): void {
    this.schedule();
    const catchUp = () => {
      if (this.catchUpDue()) void this.tick();
    };
    if (catchUpDelayMs > 0) setTimeout(catchUp, catchUpDelayMs).unref();
    else catchUp();
  }

  private schedule(): void {
    const [sh, sm] = this.cfg.start.split(':');
    const [eh, em] = this.cfg.end.split(':');
    const opts = { timezone: this.cfg.timeZone, catch: true };
    // Fired late (a PC asleep at the window's start wakes at 07:30: croner then runs what it missed), the
    // night's run would start by day, paused, holding the sync lock all day: only inside the window.
    this.jobs.push(
      new Cron(`${Number(sm)} ${Number(sh)} * * *`, opts, () => {
        if (inWindow(this.now(), this.cfg)) void this.tick();
      }),
    );
    // The window's end ends a 立即同步's night rate too: one asked for at 05:00 (or at 21:00, the night's run
    // joining it) went on at the night rate all through the school day.
    this.jobs.push(
      new Cron(`${Number(em)} ${Number(eh)} * * *`, opts, () => {
        this.manual = false;
        this.bucket.setRate(this.currentRate());
      }),
    );
  }

  stop(): void {
    for (const j of this.jobs) j.stop();
    this.jobs = [];
  }

  /**
   * Runs a sync now unless one is running (the window's start; `manual` for
   * "sync now", which by day also speeds a paused or trickling run up to the
   * night rate: it is the same run, asked for now). Asked for while the night's
   * run goes on, it changes nothing: that run pauses at the window's end.
   */
  tick(manual = false, part?: P): Promise<unknown> {
    // Never two runs at once: one for some files, or a whole one asked for while such a run goes on, waits for the running one.
    if (this.running && (part !== undefined || this.partial)) {
      return this.running.catch(() => {}).then(() => this.tick(manual, part));
    }
    if (manual && (!this.running || !inWindow(this.now(), this.cfg))) this.manual = true;
    if (!this.running) this.partial = part !== undefined;
    this.bucket.setRate(this.currentRate());
    if (!this.running) {
      const whole = part === undefined;
      this.running = this.run(this.bucket, part).finally(() => {
        if (whole) this.lastEnded = this.now();
        this.running = null;
        this.partial = false;
        this.manual = false;
        this.bucket.setRate(this.currentRate());
      });
    }
    return this.running;
  }

  /** Resolves once no run goes on (at once when none does). */
  whenIdle(): Promise<void> {
    return (this.running ?? Promise.resolve()).then(
      () => {},
      () => {},
    );
  }

  /** While a lesson someone waits for is fetched (in a run of its own or first in the running one). */
  setUrgent(on: boolean): void {
    this.urgent = on;
    this.bucket.setRate(this.currentRate());
  }

  /** The teaching UI reports a lesson on screen: the running sync slows to a trickle at once. */
  setPresenting(on: boolean): void {
    this.presenting = on;
    this.bucket.setRate(this.currentRate());
  }

  nextWindow(): Date | null {
    return this.jobs[0]?.nextRun() ?? null;
  }
}
