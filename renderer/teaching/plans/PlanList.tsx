import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { useLibraryData } from '../../library/useApi';
import { go } from '../../route';
import { planSavesSettled } from './usePlanAutosave';

/** The teacher's lesson plans on the home screen. */
export function PlanList() {
  const { t } = useTranslation();
  // After the plan just left is saved, so it is listed with its items.
  const { data } = useLibraryData(() => planSavesSettled().then(() => call(api()['plans:list']({}))), []);
  return (
    <section className="side-list" aria-label={t('plans.mine')}>
      <h2 className="panel-title">{t('plans.mine')}</h2>
      <div className="rows">
        {data?.plans.map((p) => (
          <button key={p.id} type="button" className="row row--compact" onClick={() => go({ name: 'plan', id: p.id })}>
            {/* Two lines, not cut after nine characters: two plans for one class differ at the end (第一课时, 第二课时). */}
            <span className="row__title row__title--wrap">{p.title}</span>
            <span className="row__tag">{t('plans.count', { count: p.items })}</span>
          </button>
        ))}
        <button type="button" className="row row--compact" onClick={() => go({ name: 'plan', id: null })}>
          ＋ {t('plans.new')}
        </button>
      </div>
    </section>
  );
}
