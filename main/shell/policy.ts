// The Electron host's security decisions as plain functions (no 'electron'
// import), so they are unit-tested under Node.

import { MEDIA_SCHEME } from '../../preload/contract/media';

export { MEDIA_SCHEME };
export const MEDIA_BASE = `${MEDIA_SCHEME}://media/`;

/** Content-Security-Policy for the app's own pages (also set as a header). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' data: blob: ${MEDIA_SCHEME}:`,
  `media-src 'self' blob: ${MEDIA_SCHEME}:`,
  `connect-src 'self' ${MEDIA_SCHEME}:`,
  "worker-src 'self' blob:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The app may only ever show its own pages: same origin (or same file folder) as the start URL. */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const u = new URL(url);
    const a = new URL(appUrl);
    if (a.protocol === 'file:') return u.protocol === 'file:' && u.pathname === a.pathname;
    return u.origin === a.origin;
  } catch {
    return false;
  }
}

/** Permissions a teaching page may have; everything else (camera, geolocation, notifications, ...) is denied. */
const ALLOWED_PERMISSIONS = new Set(['fullscreen', 'clipboard-sanitized-write']);
export function isPermissionAllowed(permission: string, requestingUrl: string, appUrl: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl, appUrl);
}

/** Which display to use: an index from settings/env when it exists, else the primary. */
export function chooseDisplay<D extends { id: number }>(displays: D[], primary: D, wanted: number | undefined): D {
  if (wanted !== undefined && Number.isInteger(wanted) && wanted >= 0 && wanted < displays.length) return displays[wanted]!;
  return primary;
}
