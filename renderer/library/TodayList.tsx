// 今日课表: today's periods, each naming its class and lesson and marked ready (on
// this PC) or not yet downloaded.
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { TodayLesson } from '../../preload/contract';
import { api, call } from '../api/client';
import { go } from '../route';
import { useLibraryData } from './useApi';

export function TodayList() {
  const { t } = useTranslation();
  const { data } = useLibraryData(() => call(api()['timetable:today']({})), []);
  if (!data) return null;
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
          const ready = l.resource ? (l.resource.ready ? t('today.ready') : t('today.notReady')) : '';
          const period = t('today.period', { n: l.period });
          return (
            // One class has one lesson a period (the timetable refuses a second).
            <button
              key={`${l.period}-${l.starts}-${l.className}`}
              type="button"
              className="row row--today"
              aria-label={[period, l.starts, l.className, lesson ? `${title} · ${lesson}` : title, ready].filter(Boolean).join(' ')}
              // A period without its lesson (none chosen, or removed) is given one on the timetable page.
              onClick={() => (l.resource ? go({ name: 'resource', id: l.resource.id, type: l.resource.type }) : go({ name: 'timetable' }))}
            >
              <span className="today__when">
                <span className="today__period">{period}</span>
                <span>{l.starts}</span>
              </span>
              <span className="row__main">
                <span className={`row__title row__title--wrap${l.resource ? '' : ' timetable__none'}`}>{title}</span>
                {(l.className || lesson) && <span className="row__sub">{[l.className, lesson].filter(Boolean).join(' · ')}</span>}
              </span>
              {l.resource && <span className={`ready-mark ${l.resource.ready ? 'ready-mark--ok' : 'ready-mark--missing'}`}>{ready}</span>}
            </button>
          );
        })}
      </div>
    </section>
  );
}

/** A period whose lesson the platform removed: said so, by the title it had when it was timetabled, so it is not taken for one never chosen. */
export function removedNote(t: TFunction, missing: NonNullable<TodayLesson['missing']>): string {
  return missing.title ? t('timetable.removed', { title: missing.title }) : t('timetable.removedUntitled');
}

/**
 * The lesson a resource belongs to (the last step of its textbook path), unless its
 * title already says it: "学习任务单" alone could be any lesson's. The path's
 * numbering ("1 ", "第1节 ") is left out of the comparison.
 */
function lessonOf(title: string, path: string[]): string | null {
  const lesson = path.at(-1)?.trim();
  if (!lesson) return null;
  const bare = lesson.replace(/^(第\s*[\d一二三四五六七八九十百]+\s*[课节章]|\d+)\s*/, '') || lesson;
  return title.includes(bare) ? null : lesson;
}
