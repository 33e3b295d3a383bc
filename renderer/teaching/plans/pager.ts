// The presenter's keys in a lesson plan, in one place: a clicker sends PageDown/
// PageUp (some send arrows). An item with pages of its own (a PDF) turns them
// first; past its last page, or before its first, the plan steps on or back.
import { createContext, useContext } from 'react';

/** Turns one page forward (1) or back (-1); false at the edge, where the plan takes over. */
export type PageTurner = (step: 1 | -1) => boolean;

export interface Pager {
  /** The current item's turner; returns its unregister. */
  register(turn: PageTurner): () => void;
  /** Reached by stepping back: a PDF opens on its last page, where the teacher left it. */
  fromEnd: boolean;
}

export const PagerContext = createContext<Pager | null>(null);

/** Inside a presented plan, the plan's pager; elsewhere null (the item keeps its own keys). */
export const usePager = (): Pager | null => useContext(PagerContext);

/** The step a presenter key asks for, or 0. Left/Right: a PDF's pages, or a video's seek. */
export function keyStep(key: string, sideways = true): 1 | -1 | 0 {
  if (key === 'PageDown' || key === 'ArrowDown' || (sideways && key === 'ArrowRight')) return 1;
  if (key === 'PageUp' || key === 'ArrowUp' || (sideways && key === 'ArrowLeft')) return -1;
  return 0;
}
