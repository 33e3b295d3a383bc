// 现在下载这节课 as one piece of state, for the lesson's notice (LessonView) and
// a red period of 今日课表 alike: the fetch that brings resource `id` (its whole
// lesson), started here, from another of the lesson's resources, on another
// screen or before this page loaded, and how it ended.
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import type { LessonFetch, WaitingResource } from '../../preload/contract';
import { api, call, plainMessage } from '../api/client';

/** Of two reports of one fetch, the later: an ended one, else the one further along. */
const later = (had: LessonFetch | null, got: LessonFetch): LessonFetch =>
  had && had.id === got.id && (had.state !== 'running' || (got.state === 'running' && had.bytes >= got.bytes)) ? had : got;

/**
 * `waiting`: what of the lesson the screen shows as not on this PC, as it last
 * loaded it (useLibraryData loads it again at the fetch's end). `stillMissing`:
 * a fetch that ended done, with that list loaded again since and still naming
 * something (the classroom's rendition raised while the video came, a file gone
 * since): the screen says the download ended and what is missing, and offers it
 * again, where "done, opening" would wait for good. Null until that reload.
 */
export function useLessonFetch(
  id: string,
  waiting: WaitingResource[] | null,
): { task: LessonFetch | null; refused: string | null; start: () => void; stillMissing: WaitingResource[] | null } {
  const [task, setTask] = useState<LessonFetch | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const off = api().on('sync:lesson', (f) => f.resources.includes(id) && setTask(f));
    // One already under way (the lesson's other resource tapped it, another screen did): its bar, not a second button.
    void call(api()['sync:fetching']({})).then(
      (r) => {
        const f = r.items.find((x) => x.resources.includes(id));
        if (live && f) setTask((had) => later(had, f));
      },
      () => {}, // an older hub without it: the events still come
    );
    return () => {
      live = false;
      off();
    };
  }, [id]);
  const start = () => {
    setRefused(null);
    // What an earlier fetch said goes: an event from this one may come before its answer.
    setTask(null);
    void call(api()['sync:fetch']({ id })).then(
      (f) => setTask((had) => later(had, f)),
      (err: unknown) => setRefused(plainMessage(err)),
    );
  };
  // Shown for another lesson's resource (the view moved on): not this one's.
  const shown = task?.resources.includes(id) ? task : null;
  const done = shown?.state === 'done';
  // The list as it was when the fetch ended (kept while it stays ended): a list other than that one came after the end.
  const [atEnd, setAtEnd] = useState<{ waiting: WaitingResource[] | null } | null>(null);
  if (done !== (atEnd !== null)) setAtEnd(done ? { waiting } : null);
  const stillMissing = done && atEnd !== null && atEnd.waiting !== waiting && waiting !== null && waiting.length > 0 ? waiting : null;
  return { task: shown, refused, start, stillMissing };
}

/** What a fetch that ended short says, beside its 重新下载: that it ended, and which of the lesson's resources are still not here. */
export const fetchEnded = (t: TFunction, missing: WaitingResource[]): string =>
  t('lesson.fetchEnded', { count: missing.length, titles: missing.map((w) => w.title).join('、') });
