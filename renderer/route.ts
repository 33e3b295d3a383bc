// Where the teacher is, kept in the URL hash so Back, Esc and reloads behave.
import { useEffect, useState } from 'react';

export type Route = { name: 'home'; node: string | null } | { name: 'resource'; id: string };

export function parseRoute(hash: string): Route {
  const m = /^#\/(node|resource)\/(.+)$/.exec(hash);
  if (m?.[1] === 'resource') return { name: 'resource', id: decodeURIComponent(m[2]!) };
  if (m?.[1] === 'node') return { name: 'home', node: decodeURIComponent(m[2]!) };
  return { name: 'home', node: null };
}

export function href(route: Route): string {
  if (route.name === 'resource') return `#/resource/${encodeURIComponent(route.id)}`;
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
