// One global rate cap for every download at once. The rate can change while
// transfers run (night window → daytime trickle); waiters pick up the new rate.

/** Parses "2mbit", "512kbit", "1.5MB", "800k" (bits unless B is given) to bytes per second. */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k|m|g)?(bit|b|bps|B)?\s*(?:\/s)?\s*$/i.exec(text);
  if (!m) throw new Error(`cannot read rate "${text}" (e.g. 2mbit, 512kbit, 1MB)`);
  const n = Number(m[1]) * ({ k: 1e3, m: 1e6, g: 1e9 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1);
  // A capital B is bytes ("1MB", "1MBps", "500KB/s"); "bit", "b" and "bps" are bits ("2Mbps"). The regex is
  // case-blind, so "MBps" once matched "bps" and read as bits: 8× below what the admin meant.
  const bytes = m[3] !== undefined && m[3].startsWith('B') && !/^bit$/i.test(m[3]) ? n : n / 8;
  if (!(bytes > 0)) throw new Error(`rate must be above zero: "${text}"`);
  return bytes;
}

export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  /** `rate` in bytes per second; Infinity for no cap, 0 to pause. Burst is a quarter second. */
  constructor(private rate: number) {
    this.tokens = this.held();
  }

  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
    this.tokens = Math.min(this.tokens, this.held());
  }

  /** The most the bucket may hold: a paused cap holds nothing, so nothing starts until it resumes. */
  private held(): number {
    return this.rate > 0 ? this.capacity() : 0;
  }

  /** False when there is no cap (nothing to wait for: the hot path skips the await). */
  get limited(): boolean {
    return Number.isFinite(this.rate);
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  private capacity(): number {
    return Number.isFinite(this.rate) ? Math.max(16 * 1024, this.rate / 4) : Infinity;
  }

  private refill(): void {
    const now = performance.now();
    // No time passed adds nothing, also at an infinite rate (0 × Infinity would make the bucket NaN, stalled for good).
    const elapsed = now - this.last;
    if (elapsed > 0) this.tokens = Math.min(this.capacity(), this.tokens + (elapsed / 1000) * this.rate);
    this.last = now;
  }

  /** Takes `bytes` (at most one burst) if the bucket holds them now and answers 0; otherwise how long (ms) until it may. */
  tryTake(bytes: number): number {
    if (!Number.isFinite(this.rate)) return 0;
    this.refill();
    if (this.tokens >= bytes) {
      this.tokens -= bytes;
      return 0;
    }
    return this.rate > 0 ? ((bytes - this.tokens) / this.rate) * 1000 : Infinity;
  }

  /** The most one take lets through at once. */
  get burst(): number {
    return this.capacity();
  }

  /** Resolves when `bytes` may pass. Throws once `signal` aborts (a paused cap waits for ever). */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    return takeFrom(() => (this.limited ? this : null), bytes, signal);
  }
}

/**
 * A cap that is, at each step, whichever bucket `pick` names (the hub's
 * pull-through: the night run's own bucket, or the lesson cap). Its rate is the
 * picked bucket's; set the rates on those.
 */
export class PickedBucket extends TokenBucket {
  constructor(private readonly pick: () => TokenBucket) {
    super(0);
  }
  override setRate(): void {
    throw new Error('a picked cap has no rate of its own');
  }
  override get limited(): boolean {
    return this.pick().limited;
  }
  override get bytesPerSecond(): number {
    return this.pick().bytesPerSecond;
  }
  override get burst(): number {
    return this.pick().burst;
  }
  override tryTake(bytes: number): number {
    return this.pick().tryTake(bytes);
  }
}

/**
 * Lets `bytes` through, in slices, from whichever bucket `pick` names at each
 * step (null: no cap right now). Re-checked at least every 250 ms, as the rate,
 * or the bucket that applies, may change meanwhile.
 */
export async function takeFrom(pick: () => TokenBucket | null, bytes: number, signal?: AbortSignal): Promise<void> {
  let owed = bytes;
  while (owed > 0) {
    signal?.throwIfAborted();
    const bucket = pick();
    if (!bucket) return;
    const slice = Math.min(owed, bucket.burst);
    const waitMs = bucket.tryTake(slice);
    if (waitMs === 0) owed -= slice;
    else await new Promise((r) => setTimeout(r, Math.max(1, Math.min(waitMs, 250))));
  }
}
