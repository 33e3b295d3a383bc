// Media addressing shared by both hosts and the renderer.
import type { ResourceFile } from './schemas';

export const MEDIA_SCHEME = 'cb-media';
/** Where the renderer loads cached files from, per host. */
export const MEDIA_BASE = { electron: `${MEDIA_SCHEME}://media/`, hub: '/media/' } as const;

/**
 * The rendition a classroom plays: the highest cached main file at or below the
 * classroom's height (1080p by default), else any cached main file.
 */
export function pickRendition<F extends Pick<ResourceFile, 'role' | 'cached' | 'height'>>(files: F[], maxHeight = 1080): F | null {
  const mains = files.filter((f) => f.role === 'main' && f.cached);
  const fitting = mains.filter((f) => (f.height ?? 0) <= maxHeight).sort((a, b) => (b.height ?? 0) - (a.height ?? 0));
  return fitting[0] ?? mains[0] ?? null;
}

/** A URL that plays a resource's main rendition without first asking for its files. */
export function resourceMediaPath(resourceId: string): string {
  return `resource/${encodeURIComponent(resourceId)}`;
}
