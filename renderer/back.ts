// One step back: the bottom bar's 返回 and the app's Esc first close what is open
// (the timetable's lesson picker, a classroom tool), the last opened first, as Esc
// inside it does, and only then leave the page.
import { useEffect, useRef } from 'react';

const open: { current: () => void }[] = [];

/** While `isOpen`, a step back calls `close` instead of leaving the page. */
export function useBackStep(isOpen: boolean, close: () => void): void {
  const latest = useRef(close);
  latest.current = close;
  useEffect(() => {
    if (!isOpen) return;
    open.push(latest);
    return () => {
      const i = open.lastIndexOf(latest);
      if (i >= 0) open.splice(i, 1);
    };
  }, [isOpen]);
}

/** Closes the last thing opened; false when nothing is open. */
export function closeTop(): boolean {
  const last = open.at(-1);
  if (!last) return false;
  last.current();
  return true;
}

/** Closes the last thing opened, else goes back a page. */
export function back(): void {
  if (!closeTop()) window.history.back();
}
