// 备课: compose a lesson from library resources and board pages, in order. It saves
// itself as the teacher works (usePlanAutosave), so leaving never loses it.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlanItem, Res } from '../../../preload/contract';
import { api, call, plainMessage } from '../../api/client';
import { isFormField } from '../../keys';
import { useHubLink } from '../../library/useApi';
import { useSearchText } from '../../library/useSearchText';
import { WherePath } from '../../library/WherePath';
import { go, href } from '../../route';
import { DeletePageConfirm } from '../board/DeletePageConfirm';
import { useInkOptional } from '../ink/context';
import { TEMPLATES } from '../board/templates';
import { MoreBelow } from './MoreBelow';
import { usePlanAutosave } from './usePlanAutosave';

/** Two clicks on the same ＋ closer than this are one tap (a double tap is within about 500 ms). */
const REPEAT_TAP_MS = 700;

export function PlanEditor({ id }: { id: number | null }) {
  const { t } = useTranslation();
  const ink = useInkOptional();
  const [title, setTitle] = useState('');
  const [items, setItems] = useState<PlanItem[]>([]);
  // The query waits for a pinyin input method's chosen characters (useSearchText).
  const search = useSearchText();
  const query = search.query;
  const [found, setFound] = useState<Res<'library:search'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const saver = usePlanAutosave(id);
  // Only the teacher's own changes are saved, never the plan as it was loaded (or failed to load).
  const edited = useRef(false);
  // A saved plan can be changed only once it has been read: a save replaces all its items, so
  // one typed into the empty editor after a failed load would wipe the plan on the hub.
  const [loaded, setLoaded] = useState(id === null);
  const { comebacks } = useHubLink();

  useEffect(() => {
    if (id === null || loaded) return;
    let live = true;
    // Read again when the hub is back (a restart), not left empty for good.
    void call(api()['plans:get']({ id })).then(
      (p) => {
        if (!live) return;
        setTitle(p.title);
        setItems(p.items);
        setError(null);
        setLoaded(true);
      },
      (e) => live && setError(plainMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [id, loaded, comebacks]);

  useEffect(() => {
    if (edited.current && loaded) saver.change({ title, items });
  }, [title, items, loaded, saver.change]);

  const editTitle = (next: string) => {
    if (!loaded) return;
    edited.current = true;
    setTitle(next);
  };
  const editItems = (next: PlanItem[]) => {
    if (!loaded) return;
    edited.current = true;
    setItems(next);
  };

  useEffect(() => {
    const q = query.trim();
    if (!q) return setFound(null);
    const timer = setTimeout(() => void call(api()['library:search']({ query: q, limit: 20 })).then(setFound, () => setFound(null)), 120);
    return () => clearTimeout(timer);
  }, [query]);

  const present = () => void saver.flush().then((pid) => pid !== null && go({ name: 'present', id: pid, index: 0 }));

  // F5 on a plan that was new when the editor opened: the app's own F5 still sees "new".
  useEffect(() => {
    if (id !== null) return;
    const onKey = (e: KeyboardEvent) => e.key === 'F5' && !isFormField(e.target) && items.length > 0 && present();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const remove = async () => {
    setConfirming(false);
    await saver.stop();
    try {
      if (saver.id !== null) {
        await call(api()['plans:delete']({ id: saver.id }));
        // Its board pages' undo steps go too: a 清屏 undone on the next plan given this id would bring the ink back.
        ink?.histories.forget(`plan:${saver.id}`);
      }
      // Replaced, so 返回 from the home screen does not lead back to a plan that is gone.
      window.location.replace(href({ name: 'home', node: null }));
    } catch (e) {
      saver.resume();
      setError(plainMessage(e));
    }
  };

  // A laggy board turns one tap on ＋ into two clicks (and a teacher double-taps to be sure): the
  // same item again this soon after its add is that tap, not a second item. Later, it is one.
  const lastAdd = useRef<{ key: string; at: number } | null>(null);
  const add = (key: string, item: PlanItem) => {
    const now = performance.now();
    if (lastAdd.current?.key === key && now - lastAdd.current.at < REPEAT_TAP_MS) return;
    lastAdd.current = { key, at: now };
    editItems([...items, item]);
  };

  const move = (i: number, by: number) => {
    const next = [...items];
    const [it] = next.splice(i, 1);
    next.splice(Math.max(0, Math.min(next.length, i + by)), 0, it!);
    editItems(next);
  };

  return (
    <div className="plan">
      <div className="plan__left">
        <div className="plan__head">
          <input className="searchbox" aria-label={t('plans.title')} placeholder={t('plans.titlePlaceholder')} value={title} disabled={!loaded} onChange={(e) => editTitle(e.target.value)} />
          {/* Up here, far from 开始上课, so a tap meant for that never starts a delete. */}
          {saver.id !== null && loaded && (
            <button type="button" className="bar-button plan__delete" onClick={() => setConfirming(true)}>
              {t('plans.delete')}
            </button>
          )}
        </div>
        <MoreBelow>
          {(ref) => (
            <ol ref={ref} className="plan__items" aria-label={t('plans.items')}>
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
                  <button type="button" className="ink-button" aria-label={t('plans.remove', { n: i + 1 })} onClick={() => editItems(items.filter((_, j) => j !== i))}>
                    ✕
                  </button>
                </li>
              ))}
            </ol>
          )}
        </MoreBelow>
        {error && <p className="notice notice--error">{error}</p>}
        <div className="tool-row">
          {/* Saving happens by itself; 保存 is there for the teacher who wants to be sure now. */}
          <button type="button" className="bar-button" onClick={() => void saver.flush()}>
            {t('plans.save')}
          </button>
          <span role="status" className={`plan__saved${saver.state.kind === 'error' ? ' plan__saved--error' : ''}`}>
            {saver.state.kind === 'saving' && t('plans.saving')}
            {saver.state.kind === 'saved' && t('plans.saved')}
            {saver.state.kind === 'error' && t('plans.notSaved', { message: saver.state.message })}
          </span>
          <button type="button" className="bar-button bar-button--primary" disabled={items.length === 0} onClick={present}>
            {t('plans.present')}
          </button>
        </div>
      </div>
      <div className="plan__right">
        <h2 className="panel-title">{t('plans.addBoard')}</h2>
        <div className="rows rows--grid plan__templates">
          {TEMPLATES.map((tpl) => (
            <button key={tpl} type="button" className="row row--compact" disabled={!loaded} onClick={() => add(`board:${tpl}`, { kind: 'board', template: tpl })}>
              ＋ {t(`board.templates.${tpl}`)}
            </button>
          ))}
        </div>
        <h2 className="panel-title">{t('plans.addResource')}</h2>
        <input type="search" role="searchbox" className="searchbox" aria-label={t('plans.searchLabel')} placeholder={t('library.searchPlaceholder')} {...search.bind} />
        <MoreBelow>
          {(ref) => (
            <div ref={ref} className="rows plan__found">
              {found?.results.map((r) => (
                <button
                  key={r.id}
                  type="button"
                  className="row row--compact"
                  disabled={!loaded}
                  aria-label={t('plans.addThis', { title: r.title })}
                  onClick={() => add(`resource:${r.id}`, { kind: 'resource', resourceId: r.id, title: r.title, type: r.type, path: r.path })}
                >
                  <span className="row__main">
                    <span className="row__title">＋ {r.title}</span>
                    <WherePath path={r.path} hidden />
                  </span>
                </button>
              ))}
            </div>
          )}
        </MoreBelow>
      </div>
      {confirming && (
        <DeletePageConfirm
          title={t('plans.deleteAsk')}
          detail={t('plans.deleteAskDetail', { title: title.trim() || t('plans.untitled'), count: items.length })}
          onDelete={() => void remove()}
          onCancel={() => setConfirming(false)}
        />
      )}
    </div>
  );
}
