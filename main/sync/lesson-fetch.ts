// Lessons a teacher asked for now (the notice on a lesson not downloaded, a red
// period of 今日课表): each one's files followed through whichever run fetches
// them, told to every screen as `sync:lesson` events, until each file is in the
// cache or has failed.
import type { LessonFetch, SyncFailure, SyncProgress } from '../../preload/contract';
import type { Services } from '../services';
import { partBytes } from './downloader';
import type { PlannedJob } from './plan';

/** `end`: undefined while it is on its way, null once in the cache. */
type File = { size: number; bytes: number; end?: SyncFailure | null };
type Fetch = { id: string; resources: string[]; joined: boolean; files: Map<string, File>; trouble: SyncProgress['trouble']; emitted: number };

/** Four updates a second, as the sync's own progress. */
const EMIT_MS = 250;

/**
 * What 现在下载这节课 on resource `id` brings: every resource of its lesson (the
 * video alone left the courseware and task sheet for class time), the one asked
 * for first; a resource on a unit's or a volume's node alone (all of that node's
 * material could be gigabytes). An id not in the library is refused (not-found).
 */
export function fetchTarget(services: Services, id: string): { id: string; resources: string[] } {
  const r = services.queries.resource(id);
  if (r.nodeKind !== 'lesson') return { id, resources: [id] };
  const rest = (services.db.prepare('SELECT id FROM resources WHERE node_id = ? ORDER BY ord').pluck().all(r.nodeId) as string[]).filter((x) => x !== id);
  return { id: r.nodeId, resources: [id, ...rest] };
}

/** `setUrgent`: on while any lesson is being fetched (a run of its own files goes at the night rate). */
export function createLessonFetches(services: Services, setUrgent: (on: boolean) => void) {
  const fetching = new Map<string, Fetch>();

  const view = (f: Fetch): LessonFetch => {
    const files = [...f.files.values()];
    const failures = files.flatMap((x) => (x.end ? [x.end] : []));
    const ended = files.filter((x) => x.end !== undefined).length;
    return {
      id: f.id,
      resources: f.resources,
      state: ended < files.length ? 'running' : failures.length > 0 ? 'failed' : 'done',
      joined: f.joined,
      files: ended,
      totalFiles: files.length,
      bytes: files.reduce((a, x) => a + x.bytes, 0),
      totalBytes: files.reduce((a, x) => a + x.size, 0),
      trouble: f.trouble,
      failures,
    };
  };

  const emit = (f: Fetch, force: boolean) => {
    const now = performance.now();
    if (!force && now - f.emitted < EMIT_MS) return;
    f.emitted = now;
    const v = view(f);
    if (v.state !== 'running') {
      fetching.delete(f.id);
      if (fetching.size === 0) setUrgent(false);
    }
    services.events.emit('sync:lesson', v);
  };

  const ended = (sha256: string, end: SyncFailure | null) => {
    for (const f of fetching.values()) {
      const file = f.files.get(sha256);
      if (!file || file.end !== undefined) continue;
      file.end = end;
      if (end === null) file.bytes = file.size;
      emit(f, true);
    }
  };

  return {
    /** The fetch under way for this lesson (or lone resource), if any. */
    get: (id: string): LessonFetch | null => {
      const f = fetching.get(id);
      return f ? view(f) : null;
    },
    /** Every fetch under way: a screen opened meanwhile shows its progress rather than offer it again. */
    all: (): LessonFetch[] => [...fetching.values()].map(view),
    /** Follows a lesson's files (`joined`: a run is under way and takes them first); none to fetch is done at once. */
    start(target: { id: string; resources: string[] }, jobs: PlannedJob[], joined: boolean): LessonFetch {
      const { id, resources } = target;
      // What an earlier run left in a .part counts: the download resumes from there.
      const files = new Map(jobs.map((j) => [j.sha256, { size: j.size, bytes: Math.min(j.size, partBytes(services.blobs, j.sha256)) }]));
      const f: Fetch = { id, resources, joined, files, trouble: null, emitted: 0 };
      // All here already (another process brought them since the page loaded): every screen showing it reloads, as at a fetch's end.
      if (jobs.length === 0) {
        const v = view(f);
        services.events.emit('sync:lesson', v);
        return v;
      }
      fetching.set(id, f);
      setUrgent(true);
      return view(f);
    },
    /** The engine's per-file report: bytes as they come, then the end. */
    onFile(sha256: string, e: { bytes: number } | { end: SyncFailure | null }): void {
      if (fetching.size === 0) return;
      if ('end' in e) return ended(sha256, e.end);
      for (const f of fetching.values()) {
        const file = f.files.get(sha256);
        if (!file || file.end !== undefined) continue;
        file.bytes = Math.min(file.size, file.bytes + e.bytes);
        emit(f, false);
      }
    },
    /** A source not answering (or answering again): the waiting lessons say so rather than sit at 0 B. */
    onTrouble(trouble: SyncProgress['trouble']): void {
      for (const f of fetching.values()) {
        if (f.trouble?.host === trouble?.host && f.trouble?.error === trouble?.error) continue;
        f.trouble = trouble;
        emit(f, true);
      }
    },
    /** A run ends with these files given to it and not reached (it stopped): their lessons hear so. */
    endUnreached(shas: Iterable<string>, reason: SyncFailure['reason'], error: string): void {
      for (const sha256 of shas) ended(sha256, { sha256, resources: [], reason, error });
    },
  };
}
