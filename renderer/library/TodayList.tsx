// 今日课表: today's periods, each marked ready (on this PC) or not yet downloaded.
import { useTranslation } from 'react-i18next';
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
        {data.lessons.map((l) => (
          <button
            key={`${l.period}-${l.starts}`}
            type="button"
            className="row row--compact"
            disabled={!l.resource}
            aria-label={`${t('today.period', { n: l.period })} ${l.resource?.title ?? t('today.free')} ${l.ready ? t('today.ready') : t('today.notReady')}`}
            onClick={() => l.resource && go({ name: 'resource', id: l.resource.id, type: l.resource.type })}
          >
            <span className="row__tag">{t('today.period', { n: l.period })} {l.starts}</span>
            <span className="row__main">
              <span className="row__title">{l.resource?.title ?? t('today.free')}</span>
            </span>
            {l.resource && <span className={`ready-mark ${l.ready ? 'ready-mark--ok' : 'ready-mark--missing'}`}>{l.ready ? t('today.ready') : t('today.notReady')}</span>}
          </button>
        ))}
      </div>
    </section>
  );
}
