// The presenter's keys over a run of items, in one place: a lesson plan's items,
// and a lesson's resources. A clicker sends PageDown/PageUp (some send arrows).
// An item with pages of its own (a PDF) turns them first; past its last page, or
// before its first, the run steps on or back, so PageUp undoes PageDown.
import { createContext, useContext, useEffect, useMemo, useRef } from 'react';
import { isFormField } from '../../keys';

/** Turns one page forward (1) or back (-1); false at the edge, where the plan takes over. */
export type PageTurner = (step: 1 | -1) => boolean;

export interface Pager {
  /** The current item's turner; returns its unregister. */
  register(turn: PageTurner): () => void;
  /** Reached by stepping back: a PDF opens on its last page, where the teacher left it. */
  fromEnd: boolean;
}

export const PagerContext = createContext<Pager | null>(null);

/** Inside a presented plan or a lesson, its pager; elsewhere null (the item keeps its own keys). */
export const usePager = (): Pager | null => useContext(PagerContext);

/** The step a presenter key asks for, or 0. Left/Right: a PDF's pages, or a video's seek. */
export function keyStep(key: string, sideways = true): 1 | -1 | 0 {
  if (key === 'PageDown' || key === 'ArrowDown' || (sideways && key === 'ArrowRight')) return 1;
  if (key === 'PageUp' || key === 'ArrowUp' || (sideways && key === 'ArrowLeft')) return -1;
  return 0;
}

/**
 * Owns the presenter keys for a run of items: the current item's pages first, then
 * `step` (which goes on or back, or stays at either end of the run). `media`: the
 * item is a video, whose Left/Right seek. Provide the pager it returns through
 * PagerContext. Not `enabled`: another run owns the keys (a lesson inside a plan).
 */
export function usePresenterKeys(step: (by: 1 | -1) => void, opts: { media: boolean; fromEnd: boolean; enabled?: boolean }): Pager {
  const { media, fromEnd, enabled = true } = opts;
  const turner = useRef<PageTurner | null>(null);
  const stepRef = useRef(step);
  stepRef.current = step;
  const pager = useMemo<Pager>(
    () => ({
      register: (turn) => {
        turner.current = turn;
        return () => {
          if (turner.current === turn) turner.current = null;
        };
      },
      fromEnd,
    }),
    [fromEnd],
  );
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (isFormField(e.target)) return;
      const by = keyStep(e.key, !media);
      if (by === 0) return;
      e.preventDefault();
      if (turner.current?.(by)) return;
      stepRef.current(by);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [media, enabled]);
  return pager;
}
