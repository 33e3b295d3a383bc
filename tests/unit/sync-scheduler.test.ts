import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_WINDOW, inWindow, parseWindow, SyncScheduler, windowSeconds } from '../../main/sync/scheduler';
import { TokenBucket } from '../../main/sync/token-bucket';

// School time is Asia/Shanghai (UTC+8).
const at = (hhmm: string) => new Date(`2026-11-24T${hhmm}:00+08:00`);

describe('night window', () => {
  it('crosses midnight: 22:00–06:30 school time', () => {
    expect(inWindow(at('21:59'), DEFAULT_WINDOW)).toBe(false);
    expect(inWindow(at('22:00'), DEFAULT_WINDOW)).toBe(true);
    expect(inWindow(at('03:00'), DEFAULT_WINDOW)).toBe(true);
    expect(inWindow(at('06:29'), DEFAULT_WINDOW)).toBe(true);
    expect(inWindow(at('06:30'), DEFAULT_WINDOW)).toBe(false);
    expect(inWindow(at('12:00'), DEFAULT_WINDOW)).toBe(false);
    expect(inWindow(at('13:00'), { start: '12:00', end: '14:00', timeZone: 'Asia/Shanghai' })).toBe(true);
  });

  it('reads a window as admins write it', () => {
    expect(parseWindow('23:30-05:00')).toEqual({ start: '23:30', end: '05:00' });
    expect(() => parseWindow('10pm-6am')).toThrow(/22:00-06:30/);
  });
});

describe('sync scheduler', () => {
  const make = (time: string, dayRate = 0) => {
    let now = at(time);
    const runs: TokenBucket[] = [];
    let release: () => void = () => {};
    const s = new SyncScheduler(
      (bucket) => {
        runs.push(bucket);
        return new Promise<void>((r) => (release = r));
      },
      { ...DEFAULT_WINDOW, nightRate: 250_000, dayRate },
      () => now,
    );
    return { s, runs, release: () => release(), setNow: (t: string) => (now = at(t)) };
  };

  it('catches up at start inside the window, and runs one sync at a time', async () => {
    const { s, runs, release } = make('23:10');
    s.start();
    expect(runs).toHaveLength(1);
    expect(s.bucket.bytesPerSecond).toBe(250_000);
    void s.tick(); // "sync --now" while one is running joins it
    expect(runs).toHaveLength(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    void s.tick();
    expect(runs).toHaveLength(2);
    expect(s.nextWindow()?.toISOString()).toMatch(/T14:00:00/); // 22:00 in Shanghai is 14:00 UTC
    s.stop();
  });

  it('"sync now" by day runs at the night rate, then pauses again; new settings apply to the running sync', async () => {
    const { s, runs, release } = make('10:00');
    s.start();
    expect(s.mode()).toBe('paused');
    const done = s.tick(true);
    expect(runs).toHaveLength(1);
    expect(s.mode()).toBe('manual');
    expect(s.bucket.bytesPerSecond).toBe(250_000);
    s.reconfigure({ ...DEFAULT_WINDOW, nightRate: 500_000, dayRate: 0 });
    expect(s.bucket.bytesPerSecond).toBe(500_000); // the admin raised the cap mid-run
    s.setPresenting(true);
    expect(s.mode()).toBe('presenting');
    expect(s.bucket.bytesPerSecond).toBeLessThan(50_000);
    s.setPresenting(false);
    release();
    await done;
    expect(s.mode()).toBe('paused');
    expect(s.bucket.bytesPerSecond).toBe(0);
    s.stop();
  });

  it('"sync now" speeds up a night run that ran into the morning and was paused, and a paused cap lets a stopped run end', async () => {
    const { s, runs, release, setNow } = make('05:00');
    s.start();
    expect(runs).toHaveLength(1);
    setNow('07:00');
    s.setPresenting(false); // any rate change re-reads the clock, as the window's end does
    expect(s.bucket.bytesPerSecond).toBe(0);
    const done = s.tick(true);
    expect(runs).toHaveLength(1); // the same run, not a second one
    expect(s.mode()).toBe('manual');
    expect(s.bucket.bytesPerSecond).toBe(250_000);
    release();
    await done;
    expect(s.bucket.bytesPerSecond).toBe(0);
    // A transfer waiting on a paused cap gives up when its run is stopped.
    const stop = new AbortController();
    const waiting = s.bucket.take(64 * 1024, stop.signal);
    setTimeout(() => stop.abort(), 50);
    await expect(waiting).rejects.toThrow(/abort/i);
    s.stop();
  });

  it('"sync now" during the night\'s run leaves it to pause at the window\'s end', () => {
    const { s, runs, setNow } = make('05:00');
    s.start();
    void s.tick(true);
    expect(runs).toHaveLength(1);
    setNow('06:30');
    s.setPresenting(false); // the window's end re-reads the clock
    expect(s.bucket.bytesPerSecond).toBe(0);
    expect(s.mode()).toBe('paused');
    s.stop();
  });

  /** The daily jobs as croner fires them: the window's start [0] and its end [1]. */
  const fire = (s: SyncScheduler<unknown>, job: 0 | 1) => (s as unknown as { jobs: { trigger(): void }[] }).jobs[job]!.trigger();

  it("the window's end ends a 立即同步's night rate, though no night run was going when it was asked for", async () => {
    // At 05:00, tonight's run done: before, the manual run went on at the night rate all through the school day.
    const early = make('05:00');
    early.s.start();
    early.release(); // tonight's run, caught up at start, ends
    await new Promise((r) => setTimeout(r, 0));
    void early.s.tick(true);
    expect(early.runs).toHaveLength(2);
    early.setNow('06:30');
    fire(early.s, 1);
    expect(early.s.bucket.bytesPerSecond).toBe(0);
    expect(early.s.mode()).toBe('paused');
    early.s.stop();

    // At 21:00 (a new feed's first pull), the night's run joining it at 22:00: paused at 06:30 as the night's run is.
    const evening = make('21:00');
    evening.s.start();
    void evening.s.tick(true);
    evening.setNow('22:00');
    fire(evening.s, 0);
    expect(evening.runs).toHaveLength(1);
    evening.setNow('06:30');
    fire(evening.s, 1);
    expect(evening.s.bucket.bytesPerSecond).toBe(0);
    evening.s.stop();
  });

  it("the window's start fired late (a PC asleep at 22:00 wakes at 07:30) starts no run by day", () => {
    const { s, runs, setNow } = make('21:00');
    s.start();
    setNow('07:30');
    fire(s, 0);
    // Before: a whole run, paused by day, holding the sync lock (classboard sync --now refused) until night.
    expect(runs).toHaveLength(0);
    s.stop();
  });

  // Settings changed inside the (new) window: before, only the daily schedule was rebuilt, so tonight's run was lost.
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('starts the night\'s run when a new window already holds the clock, as a start there would', async () => {
    const { s, runs } = make('07:41');
    s.reconfigure({ ...DEFAULT_WINDOW, start: '07:40', end: '10:00', nightRate: 250_000 });
    await tick();
    expect(runs).toHaveLength(0); // no schedule yet (a CLI without --schedule): nothing to catch up
    s.reconfigure({ ...DEFAULT_WINDOW, nightRate: 250_000 });
    s.start();
    expect(runs).toHaveLength(0); // 07:41 is outside 22:00–06:30
    s.reconfigure({ ...DEFAULT_WINDOW, start: '07:40', end: '10:00', nightRate: 250_000 });
    await tick();
    expect(runs).toHaveLength(1);
    expect(s.mode()).toBe('night');
    expect(s.bucket.bytesPerSecond).toBe(250_000);
    s.stop();
  });

  it('at 22:30, moving 23:00–06:00 to 22:00–06:30 runs tonight; a window still ahead does not', async () => {
    const { s, runs } = make('22:30');
    s.reconfigure({ ...DEFAULT_WINDOW, start: '23:00', end: '06:00', nightRate: 250_000 });
    s.start();
    expect(runs).toHaveLength(0);
    s.reconfigure({ ...DEFAULT_WINDOW, start: '23:30', end: '06:00', nightRate: 250_000 });
    await tick();
    expect(runs).toHaveLength(0);
    s.reconfigure({ ...DEFAULT_WINDOW, start: '22:00', end: '06:30', nightRate: 250_000 });
    await tick();
    expect(runs).toHaveLength(1);
    s.stop();
  });

  it('a new rate inside the window neither starts a second run beside tonight\'s nor runs again once it is done', async () => {
    const { s, runs, release, setNow } = make('05:00');
    s.start();
    expect(runs).toHaveLength(1);
    s.reconfigure({ ...DEFAULT_WINDOW, nightRate: 500_000 });
    await tick();
    expect(runs).toHaveLength(1);
    expect(s.bucket.bytesPerSecond).toBe(500_000);
    release();
    await s.whenIdle();
    setNow('05:30');
    s.reconfigure({ ...DEFAULT_WINDOW, nightRate: 125_000 });
    await tick();
    expect(runs).toHaveLength(1);
    // A run that ended this morning is not tonight's.
    setNow('22:30');
    s.reconfigure({ ...DEFAULT_WINDOW, nightRate: 250_000 });
    await tick();
    expect(runs).toHaveLength(2);
    s.stop();
  });

  it('a new window read by the run itself as it starts (the controller reads settings then) starts no second run', async () => {
    let now = at('07:41');
    let runs = 0;
    const window = { ...DEFAULT_WINDOW, start: '07:40', end: '10:00', nightRate: 250_000 };
    const s: SyncScheduler = new SyncScheduler(
      () => {
        runs++;
        s.reconfigure(window);
        return new Promise<void>(() => {});
      },
      DEFAULT_WINDOW,
      () => now,
    );
    s.start();
    void s.tick(true);
    await tick();
    expect(runs).toBe(1);
    s.stop();
  });

  it('a lesson\'s own run going on when the window opens by a settings change: the night\'s run follows it, once', async () => {
    const { s, runs, release } = make('07:41');
    s.start();
    void s.tick(false, 'lesson');
    expect(runs).toHaveLength(1);
    s.reconfigure({ ...DEFAULT_WINDOW, start: '07:40', end: '10:00', nightRate: 250_000 });
    s.reconfigure({ ...DEFAULT_WINDOW, start: '07:40', end: '10:00', nightRate: 125_000 });
    await tick();
    expect(runs).toHaveLength(1);
    release();
    await tick();
    await tick();
    expect(runs).toHaveLength(2);
    release();
    await s.whenIdle();
    s.reconfigure({ ...DEFAULT_WINDOW, start: '07:40', end: '10:00', nightRate: 250_000 });
    await tick();
    expect(runs).toHaveLength(2);
    s.stop();
  });

  it('measures a window across midnight (the night byte budget is rate × this)', () => {
    expect(windowSeconds(parseWindow('22:00-06:30'))).toBe(8.5 * 3600);
    expect(windowSeconds(parseWindow('01:00-05:00'))).toBe(4 * 3600);
  });

  it('waits for the window by day when the day rate is a pause', () => {
    const { s, runs } = make('10:00');
    s.start();
    expect(runs).toHaveLength(0);
    expect(s.currentRate()).toBe(0);
    s.stop();
  });

  it('slows the running sync to a trickle while a lesson is presented, and back', () => {
    const { s, setNow } = make('10:00', 125_000);
    s.start();
    expect(s.bucket.bytesPerSecond).toBe(125_000);
    s.setPresenting(true);
    expect(s.bucket.bytesPerSecond).toBe(16 * 1024);
    s.setPresenting(false);
    expect(s.bucket.bytesPerSecond).toBe(125_000);
    setNow('23:00');
    s.setPresenting(false);
    expect(s.bucket.bytesPerSecond).toBe(250_000);
    s.stop();
  });
});

describe('rate cap', () => {
  it('changes from no cap to a cap within the same instant and still lets bytes through', async () => {
    const now = vi.spyOn(performance, 'now').mockReturnValue(1000);
    try {
      const b = new TokenBucket(Infinity);
      b.setRate(Infinity); // e.g. the window's start and a settings change at once
      b.setRate(64_000);
      await b.take(1000); // within the quarter-second burst: at once
      expect(b.bytesPerSecond).toBe(64_000);
    } finally {
      now.mockRestore();
    }
  });
});
