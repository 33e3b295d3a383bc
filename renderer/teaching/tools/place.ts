// Where a classroom tool was opened, for closing the ones that belong to it.
import { href, type Route } from '../../route';
import type { Tool } from './ToolsMenu';

/**
 * The timer and the random picker are the class's, not the page's: a countdown for
 * group work keeps running while the teacher opens the next resource or another
 * lesson, and numbers already called stay called. They are small panels with a ✕.
 */
export const STAYS: ReadonlySet<Tool> = new Set<Tool>(['timer', 'random']);

/**
 * A lesson's resources are one place (the clicker steps from its PDF on to its image
 * under the curtain), as are a plan's items while it is presented; anywhere else is
 * its own page, the home screen too.
 */
export function placeOf(route: Route): string {
  if (route.name === 'resource') return 'lesson';
  if (route.name === 'present') return `present/${route.id}`;
  return href(route);
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Where a newly opened floating tool goes: where it was asked for, unless that covers a
 * tool already open (a running countdown hidden under the random picker); then the
 * nearest free spot beside, below or above one of them inside `area` (the screen above
 * the bottom bar). With no free spot it steps down and right from `want`, so the
 * other's digits still show.
 */
export function placeBeside(want: { x: number; y: number }, size: { w: number; h: number }, open: Box[], area: { w: number; h: number }, gap = 16): { x: number; y: number } {
  const fit = (p: { x: number; y: number }) => ({ x: Math.max(0, Math.min(area.w - size.w, p.x)), y: Math.max(0, Math.min(area.h - size.h, p.y)) });
  const free = (p: { x: number; y: number }) =>
    p.x >= 0 && p.y >= 0 && p.x + size.w <= area.w && p.y + size.h <= area.h && !open.some((o) => overlaps({ ...p, ...size }, o));
  const first = fit(want);
  if (free(first)) return first;
  const spots = open.flatMap((o) => [
    { x: o.x + o.w + gap, y: o.y },
    { x: o.x - size.w - gap, y: o.y },
    { x: o.x, y: o.y + o.h + gap },
    { x: o.x, y: o.y - size.h - gap },
  ]);
  const dist = (p: { x: number; y: number }) => Math.hypot(p.x - first.x, p.y - first.y);
  const best = spots.map(fit).filter(free).sort((a, b) => dist(a) - dist(b))[0];
  return best ?? fit({ x: first.x + 48 * open.length, y: first.y + 48 * open.length });
}

/** The top of the bottom bar: tools open above it and the spotlight stops there, so the bar stays usable. */
export function barTop(): number {
  return document.querySelector('.bottom-bar')?.getBoundingClientRect().top ?? window.innerHeight;
}

/** The floating tools already on screen (panels and the lens), for placeBeside. */
export function openTools(except: Element | null): Box[] {
  return [...document.querySelectorAll('.tool-panel, .magnifier')]
    .filter((el) => el !== except)
    .map((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left, y: r.top, w: r.width, h: r.height };
    });
}
