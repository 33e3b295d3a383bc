// Where the teacher is, kept in the URL hash so Back, Esc and reloads behave.
import { useEffect, useState } from 'react';
import { z } from 'zod';
import { ResourceType } from '../preload/contract/schemas';

/** A resource route may carry the type the teacher tapped, so a video can start loading at once. */
export type Route =
  | { name: 'home'; node: string | null }
  | { name: 'resource'; id: string; type?: ResourceType }
  | { name: 'board' }
  | { name: 'sync'; node: string | null }
  | { name: 'timetable' }
  | { name: 'plan'; id: number | null }
  | { name: 'present'; id: number; index: number };

export function parseRoute(hash: string): Route {
  if (hash === '#/board') return { name: 'board' };
  if (hash === '#/timetable') return { name: 'timetable' };
  const sync = /^#\/sync(?:\/(.+))?$/.exec(hash);
  if (sync) return { name: 'sync', node: sync[1] ? decodeURIComponent(sync[1]) : null };
  const plan = /^#\/plan\/(new|\d+)$/.exec(hash);
  if (plan) return { name: 'plan', id: plan[1] === 'new' ? null : Number(plan[1]) };
  const present = /^#\/present\/(\d+)\/(\d+)$/.exec(hash);
  if (present) return { name: 'present', id: Number(present[1]), index: Number(present[2]) };
  const r = /^#\/resource\/([^/]+)(?:\/([a-z]+))?$/.exec(hash);
  if (r) {
    const type = ResourceType.safeParse(r[2]);
    return { name: 'resource', id: decodeURIComponent(r[1]!), ...(type.success ? { type: type.data } : {}) };
  }
  const n = /^#\/node\/(.+)$/.exec(hash);
  if (n) return { name: 'home', node: decodeURIComponent(n[1]!) };
  return { name: 'home', node: null };
}

export function href(route: Route): string {
  if (route.name === 'board') return '#/board';
  if (route.name === 'timetable') return '#/timetable';
  if (route.name === 'sync') return route.node ? `#/sync/${encodeURIComponent(route.node)}` : '#/sync';
  if (route.name === 'plan') return `#/plan/${route.id ?? 'new'}`;
  if (route.name === 'present') return `#/present/${route.id}/${route.index}`;
  if (route.name === 'resource') return `#/resource/${encodeURIComponent(route.id)}${route.type ? `/${route.type}` : ''}`;
  return route.node ? `#/node/${encodeURIComponent(route.node)}` : '#/';
}

// Each entry the app pushes keeps the places behind it (nearest last), so a page can be
// left for one of them by going back to it: pushing it again (Esc from a presentation
// pushed its plan) let the next Esc or 返回 go back to the page just left, for ever.
const Behind = z.object({ behind: z.array(z.string()) });
const MAX_BEHIND = 100;

function behind(): string[] {
  const state = Behind.safeParse(window.history.state);
  return state.success ? state.data.behind : [];
}

/**
 * Whether the app itself put this entry here (go() leaves a trail on each one), so the
 * entry behind it is the app's too. An entry opened directly (a bookmark, a shared link,
 * a lesson in a new tab) has another site, or nothing, behind it.
 */
export function cameFromApp(): boolean {
  return behind().length > 0;
}

/** Where the teacher is, as href() writes it (no hash is the home screen). */
function here(): string {
  return href(parseRoute(window.location.hash));
}

/** Onward: a new entry, so 返回 comes back here. */
export function go(route: Route): void {
  const was = window.location.hash;
  const trail = [...behind(), here()].slice(-MAX_BEHIND);
  window.location.hash = href(route);
  // Same-document, so already the new entry's state (none is pushed when the hash is the same).
  if (window.location.hash !== was) window.history.replaceState({ behind: trail }, '');
}

/** The same step of the way somewhere else (a presentation's next item): 返回 still leads where it led. */
export function goInstead(route: Route): void {
  const state = window.history.state as unknown;
  window.location.replace(href(route));
  window.history.replaceState(state, '');
}

/**
 * Back to a page behind this one (a presentation's plan, a crumb's node, home): back
 * through the history when it is there, else in this entry's place, never a new entry,
 * so Esc and 返回 keep heading home.
 */
export function leaveTo(route: Route): void {
  const to = href(route);
  if (to === here()) return;
  const trail = behind();
  const at = trail.lastIndexOf(to);
  if (at >= 0) window.history.go(at - trail.length);
  else goInstead(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}
