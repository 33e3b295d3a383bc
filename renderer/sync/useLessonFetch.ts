// 现在下载这节课 as one piece of state, for the lesson's notice (LessonView) and
// a red period of 今日课表 alike: the fetch that brings resource `id` (its whole
// lesson), started here, from another of the lesson's resources, on another
// screen or before this page loaded, and how it ended.
import { useEffect, useState } from 'react';
import type { LessonFetch } from '../../preload/contract';
import { api, call, plainMessage } from '../api/client';

/** Of two reports of one fetch, the later: an ended one, else the one further along. */
const later = (had: LessonFetch | null, got: LessonFetch): LessonFetch =>
  had && had.id === got.id && (had.state !== 'running' || (got.state === 'running' && had.bytes >= got.bytes)) ? had : got;

export function useLessonFetch(id: string): { task: LessonFetch | null; refused: string | null; start: () => void } {
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
  return { task: task?.resources.includes(id) ? task : null, refused, start };
}
