// 备课: compose a lesson from library resources and board pages, in order.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlanItem, Res } from '../../../preload/contract';
import { api, call } from '../../api/client';
import { WherePath } from '../../library/WherePath';
import { go } from '../../route';
import { TEMPLATES } from '../board/templates';

export function PlanEditor({ id }: { id: number | null }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState('');
  const [items, setItems] = useState<PlanItem[]>([]);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Res<'library:search'> | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (id === null) return;
    void call(api()['plans:get']({ id })).then((p) => {
      setTitle(p.title);
      setItems(p.items);
    }, (e: Error) => setError(e.message));
  }, [id]);

  useEffect(() => {
    const q = query.trim();
    if (!q) return setFound(null);
    const timer = setTimeout(() => void call(api()['library:search']({ query: q, limit: 20 })).then(setFound, () => setFound(null)), 120);
    return () => clearTimeout(timer);
  }, [query]);

  const move = (i: number, by: number) => {
    const next = [...items];
    const [it] = next.splice(i, 1);
    next.splice(Math.max(0, Math.min(next.length, i + by)), 0, it!);
    setItems(next);
  };

  const save = async (): Promise<number | null> => {
    try {
      const r = await call(
        api()['plans:save']({
          ...(id !== null ? { id } : {}),
          title: title.trim() || t('plans.untitled'),
          items: items.map((it) => (it.kind === 'board' ? { kind: 'board', template: it.template } : { kind: 'resource', resourceId: it.resourceId })),
        }),
      );
      setError(null);
      if (id === null) go({ name: 'plan', id: r.id });
      return r.id;
    } catch (e) {
      setError((e as Error).message);
      return null;
    }
  };

  return (
    <div className="plan">
      <div className="plan__left">
        <input className="searchbox" aria-label={t('plans.title')} placeholder={t('plans.titlePlaceholder')} value={title} onChange={(e) => setTitle(e.target.value)} />
        <ol className="plan__items" aria-label={t('plans.items')}>
          {items.length === 0 && <p className="muted">{t('plans.empty')}</p>}
          {items.map((it, i) => (
            <li key={i} className="row row--compact">
              <span className="row__icon">{i + 1}</span>
              <span className="row__main">
                <span className="row__title">{it.kind === 'board' ? t(`board.templates.${it.template}`) : (it.title ?? t('plans.missing'))}</span>
                {/* Its lesson and unit: several 学习任务单 in one plan are told apart by them. */}
                {it.kind === 'resource' && it.title !== null && it.path && <WherePath path={it.path} />}
              </span>
              <button type="button" className="ink-button" aria-label={t('plans.up', { n: i + 1 })} disabled={i === 0} onClick={() => move(i, -1)}>
                ↑
              </button>
              <button type="button" className="ink-button" aria-label={t('plans.down', { n: i + 1 })} disabled={i === items.length - 1} onClick={() => move(i, 1)}>
                ↓
              </button>
              <button type="button" className="ink-button" aria-label={t('plans.remove', { n: i + 1 })} onClick={() => setItems(items.filter((_, j) => j !== i))}>
                ✕
              </button>
            </li>
          ))}
        </ol>
        {error && <p className="notice notice--error">{error}</p>}
        <div className="tool-row">
          <button type="button" className="bar-button" onClick={() => void save()}>
            {t('plans.save')}
          </button>
          <button
            type="button"
            className="bar-button bar-button--primary"
            disabled={items.length === 0}
            onClick={() => void save().then((pid) => pid !== null && go({ name: 'present', id: pid, index: 0 }))}
          >
            {t('plans.present')}
          </button>
        </div>
      </div>
      <div className="plan__right">
        <h2 className="panel-title">{t('plans.addBoard')}</h2>
        <div className="rows rows--grid plan__templates">
          {TEMPLATES.map((tpl) => (
            <button key={tpl} type="button" className="row row--compact" onClick={() => setItems([...items, { kind: 'board', template: tpl }])}>
              ＋ {t(`board.templates.${tpl}`)}
            </button>
          ))}
        </div>
        <h2 className="panel-title">{t('plans.addResource')}</h2>
        <input type="search" role="searchbox" className="searchbox" aria-label={t('plans.searchLabel')} placeholder={t('library.searchPlaceholder')} value={query} onChange={(e) => setQuery(e.target.value)} />
        <div className="rows plan__found">
          {found?.results.map((r) => (
            <button
              key={r.id}
              type="button"
              className="row row--compact"
              aria-label={t('plans.addThis', { title: r.title })}
              onClick={() => setItems([...items, { kind: 'resource', resourceId: r.id, title: r.title, type: r.type, path: r.path }])}
            >
              <span className="row__main">
                <span className="row__title">＋ {r.title}</span>
                <WherePath path={r.path} hidden />
              </span>
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
