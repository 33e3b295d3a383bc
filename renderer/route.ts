// Where the teacher is, kept in the URL hash so Back, Esc and reloads behave.
import { useEffect, useState } from 'react';
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

export function go(route: Route): void {
  window.location.hash = href(route);
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
