// 今日课表: today's periods, each naming its class and lesson and marked ready (the
// whole lesson on this PC), partly here (which of it is missing) or not yet
// downloaded, with a 下载 beside it that fetches the lesson now;
// the period under way (between periods, the next) stands out, in school time.
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { schoolClock, schoolWeekday, type TodayLesson } from '../../preload/contract';
import { api, call, inPageLanguage } from '../api/client';
import { go } from '../route';
import { fetchEnded, useLessonFetch } from '../sync/useLessonFetch';
import { useLibraryData } from './useApi';

/** The time now, again every minute: the mark moves on with the bell without a reload. */
function useMinute(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * The period under way at `hhmm` (school time), else the next to start today; none
 * after the last. Periods of several classes at once are all marked.
 */
export function periodNow(lessons: Pick<TodayLesson, 'period' | 'starts' | 'ends'>[], hhmm: string): { period: number; state: 'now' | 'next' } | null {
  const on = lessons.find((l) => l.starts <= hhmm && hhmm < l.ends);
  if (on) return { period: on.period, state: 'now' };
  const next = lessons.filter((l) => l.starts > hhmm).sort((a, b) => a.starts.localeCompare(b.starts))[0];
  return next ? { period: next.period, state: 'next' } : null;
}

export function TodayList() {
  const { t } = useTranslation();
  const now = useMinute();
  const weekday = schoolWeekday(now);
  // Fetched again when the school day turns over.
  const { data } = useLibraryData(() => call(api()['timetable:today']({})), [weekday]);
  if (!data) return null;
  // Only for the day the hub served as today (it and this clock could disagree about the date at midnight).
  const mark = data.weekday === weekday ? periodNow(data.lessons, schoolClock(now)) : null;
  const edit = (
    <button type="button" className="btn btn--small" onClick={() => go({ name: 'timetable' })}>
      {t('today.edit')}
    </button>
  );
  // No periods today: where the timetable is entered (the night's sync fetches timetabled lessons first).
  if (data.lessons.length === 0) {
    return (
      <section className="side-list" aria-label={t('today.title')}>
        <h2 className="panel-title panel-title--with-action">
          {t('today.title')} {edit}
        </h2>
        <p className="muted">{t('today.none')}</p>
      </section>
    );
  }
  return (
    <section className="side-list" aria-label={t('today.title')}>
      <h2 className="panel-title panel-title--with-action">
        {t('today.title')} {edit}
      </h2>
      <div className="rows">
        {data.lessons.map((l) => {
          // Worded as the timetable page words it, where the lesson is chosen.
          const title = l.resource?.title ?? (l.missing ? removedNote(t, l.missing) : t('timetable.noLesson'));
          const lesson = l.resource ? lessonOf(l.resource.title, l.resource.path) : null;
          // Ready is the whole lesson here (its 课件 and 学习任务单 too, not only the period's video); part of it says how much is missing, and which.
          const whole = l.resource !== null && l.waiting.length === 0;
          const partly = l.waiting.length > 0 && l.waiting.length < l.total;
          const ready = !l.resource ? '' : whole ? t('today.ready') : partly ? t('today.partly', { count: l.waiting.length }) : t('today.notReady');
          const missingTitles = partly ? t('today.missing', { titles: l.waiting.map((w) => w.title).join('、') }) : '';
          const period = t('today.period', { n: l.period });
          const state = mark?.period === l.period ? mark.state : null;
          return (
            // One class has one lesson a period (the timetable refuses a second).
            <div key={`${l.period}-${l.starts}-${l.className}`} className="today__item">
              <button
                type="button"
                className={`row row--today${state ? ` row--${state}` : ''}`}
                aria-current={state === 'now' ? 'time' : undefined}
                aria-label={[period, l.starts, l.className, lesson ? `${title} · ${lesson}` : title, ready, missingTitles, state && t(`today.${state}`)].filter(Boolean).join(' ')}
                // A period without its lesson (none chosen, or removed) is given one on the timetable page.
                onClick={() => (l.resource ? go({ name: 'resource', id: l.resource.id, type: l.resource.type }) : go({ name: 'timetable' }))}
              >
                <span className="today__when">
                  <span className="today__period">{period}</span>
                  <span>{l.starts}</span>
                  {state && (
                    <span className="today__state" aria-hidden="true">
                      {t(`today.${state}`)}
                    </span>
                  )}
                </span>
                <span className="row__main">
                  <span className={`row__title row__title--wrap${l.resource ? '' : ' timetable__none'}`}>{title}</span>
                  {(l.className || lesson) && <span className="row__sub">{[l.className, lesson].filter(Boolean).join(' · ')}</span>}
                  {partly && <span className="row__sub today__waiting">{missingTitles}</span>}
                </span>
                {l.resource && <span className={`ready-mark ${whole ? 'ready-mark--ok' : partly ? 'ready-mark--partly' : 'ready-mark--missing'}`}>{ready}</span>}
              </button>
              {/* Beside the row, not in it: the row's tap opens the lesson. */}
              {l.resource && !whole && <TodayFetch id={l.resource.id} period={period} title={title} waiting={l.waiting} />}
            </div>
          );
        })}
      </div>
    </section>
  );
}

/**
 * 下载 on a red period: its lesson fetched now, as 现在下载这节课 on the lesson's
 * notice does (the same fetch: started there, its progress shows here too), with
 * its progress in place of the button; the row turns green once the lesson is in
 * (useLibraryData reloads on the fetch's end). A fetch that ended with the row
 * still not whole (the lesson changed meanwhile, a file gone since) says so and
 * what is missing, and offers 下载 again: its bar sat at 100% for good.
 */
function TodayFetch({ id, period, title, waiting }: { id: string; period: string; title: string; waiting: TodayLesson['waiting'] }) {
  const { t } = useTranslation();
  const { task, refused, start, stillMissing } = useLessonFetch(id, waiting);
  if (task?.state === 'running' || (task?.state === 'done' && !stillMissing)) {
    // Done: full until the reload turns the row green.
    const pct = task.state === 'done' ? 100 : task.totalBytes > 0 ? Math.round((task.bytes / task.totalBytes) * 100) : 0;
    return (
      <div
        className="today__fetching"
        role="progressbar"
        aria-label={t('today.fetchingLabel', { period })}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <span>{t('today.fetching')}</span>
        <span>{pct}%</span>
        <span className="today__fetching-fill" style={{ width: `${pct}%` }} aria-hidden="true" />
      </div>
    );
  }
  const failure = task?.state === 'failed' ? task.failures[0] : undefined;
  return (
    <>
      <button type="button" className="btn btn--primary today__fetch" aria-label={t('today.fetchLabel', { period, title })} onClick={start}>
        {failure || stillMissing ? t('lesson.fetchAgain') : t('today.fetch')}
      </button>
      {(failure || refused) && (
        <p className="notice--error today__failed" role="alert">
          {failure ? t(`lesson.fetchFailed.${failure.reason}`, { error: inPageLanguage(failure.error) }) : refused}
        </p>
      )}
      {stillMissing && (
        <p className="notice--inline today__failed" role="status">
          {fetchEnded(t, stillMissing)}
        </p>
      )}
    </>
  );
}

/** A period whose lesson left the library (the platform removed it, or its feed was unsubscribed): said so and why, by the title it had when it was timetabled, so it is not taken for one never chosen. */
export function removedNote(t: TFunction, missing: NonNullable<TodayLesson['missing']>): string {
  // Unsubscribed by the school's admin, not removed by the platform: the admin, not the platform, can bring it back.
  const key = missing.unsubscribed ? 'timetable.unsubscribed' : 'timetable.removed';
  return missing.title ? t(key, { title: missing.title }) : t(`${key}Untitled`);
}

/**
 * The lesson a resource belongs to (the last step of its textbook path), unless its
 * title already says it: "学习任务单" alone could be any lesson's. The path's
 * numbering ("1 ", "第1节 ") is left out: "三（2）班 · 1 大青树下的小学" read as a count.
 */
function lessonOf(title: string, path: string[]): string | null {
  const lesson = path.at(-1)?.trim();
  if (!lesson) return null;
  const bare = lesson.replace(/^(第\s*[\d一二三四五六七八九十百]+\s*[课节章]|\d+[.、．]?)\s*/, '') || lesson;
  return title.includes(bare) ? null : bare;
}
