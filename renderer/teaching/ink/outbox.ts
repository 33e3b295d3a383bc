// Ink changes not yet saved, one queue per store for every surface: a plan item
// turned away from and back to gets a new surface, and its later changes (an
// undo there) must not reach the hub before its earlier ones, which may still
// be waiting for a hub that is restarting.
import { mergeChanges, type InkChange, type PageHistory } from './model';
import type { InkStore } from './surface';

interface Unsaved {
  target: string;
  page: string;
  change: InkChange;
  /** The page's history, whose count of unsaved changes drops by n once this is saved. */
  history: PageHistory;
  n: number;
}

export interface OutboxWatcher {
  /** Changes not yet saved (tests wait for "0"), the one in flight included. */
  unsaved(count: number): void;
  error(message: string): void;
}

export class InkOutbox {
  private queue: Unsaved[] = [];
  private sending = false;
  private flushing = false;
  private readonly watchers = new Set<OutboxWatcher>();

  constructor(private readonly store: InkStore) {
    if (typeof window !== 'undefined') window.addEventListener('pagehide', this.onPageHide);
  }

  watch(w: OutboxWatcher): () => void {
    this.watchers.add(w);
    w.unsaved(this.count());
    return () => void this.watchers.delete(w);
  }

  /** Saves one change to a page, after every change before it. */
  push(target: string, page: string, change: InkChange, history: PageHistory): void {
    if (change.added.length + change.removed.length > 0) {
      history.unsaved++;
      this.queue.push({ target, page, change, history, n: 1 });
    }
    this.tell();
    void this.flush();
  }

  private count(): number {
    return this.queue.length + (this.sending ? 1 : 0);
  }

  private tell(): void {
    const n = this.count();
    for (const w of this.watchers) w.unsaved(n);
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        // Changes that piled up while one was saving (fast strokes, a hub down) go as one, in order.
        const next = this.takeRun();
        this.sending = true;
        this.tell();
        try {
          await this.store.save(next.target, next.page, next.change);
          next.history.unsaved -= next.n;
        } catch (err) {
          this.queue.unshift(next);
          for (const w of this.watchers) w.error((err as Error).message);
          await new Promise((r) => setTimeout(r, 2000)); // the hub may be restarting: keep the ink, try again
        } finally {
          this.sending = false;
          this.tell();
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The changes at the head of the queue that are for one page, merged. */
  private takeRun(): Unsaved {
    const head = this.queue[0]!;
    let n = 1;
    while (n < this.queue.length && this.queue[n]!.target === head.target && this.queue[n]!.page === head.page) n++;
    const run = this.queue.splice(0, n);
    const count = run.reduce((sum, u) => sum + u.n, 0);
    return { ...head, change: mergeChanges(run.map((u) => u.change)), n: count };
  }

  /**
   * A reload or a closed tab would drop changes still queued behind a save in
   * flight: send them now (the page's calls are keepalive, so they outlive it).
   */
  private readonly onPageHide = () => {
    while (this.queue.length > 0) {
      const next = this.takeRun();
      this.store.save(next.target, next.page, next.change).then(
        () => {
          next.history.unsaved -= next.n;
        },
        () => {
          // Still here (a page kept in the back/forward cache): keep it for the next flush.
          this.queue.push(next);
          void this.flush();
        },
      );
    }
  };
}

const outboxes = new WeakMap<InkStore, InkOutbox>();

/** The one queue for a store, shared by every surface that saves through it. */
export function outboxFor(store: InkStore): InkOutbox {
  let o = outboxes.get(store);
  if (!o) outboxes.set(store, (o = new InkOutbox(store)));
  return o;
}
