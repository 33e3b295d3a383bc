// One step back: the bottom bar's 返回 and the app's Esc first close what is open
// (the timetable's lesson picker, a classroom tool), the last opened first, as Esc
// inside it does, and only then leave the page, always toward home.
import { useEffect, useRef } from 'react';
import { cameFromApp, leaveTo, parseRoute } from './route';

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

/**
 * Closes the last thing opened, else goes back a page: from a presentation to its plan
 * (as in PowerPoint, not one item back), from a page opened directly (a bookmark, a
 * link, a new tab) home in its place, as history.back() would leave the app, and from
 * the home screen nowhere (the entry behind it is another app's page, or the lesson she
 * left with ⌂).
 */
export function back(): void {
  if (closeTop()) return;
  const route = parseRoute(window.location.hash);
  if (route.name === 'present') {
    if (document.fullscreenElement) void document.exitFullscreen?.().catch(() => {});
    leaveTo({ name: 'plan', id: route.id });
  } else if (route.name !== 'home' || route.node !== null) {
    if (cameFromApp()) window.history.back();
    else leaveTo({ name: 'home', node: null });
  }
}
