// The teacher's starting point: search (results while typing), the textbook tree
// (学段 → 年级 → 学科 → 版本 → 册次 → 单元 → 课时) as large rows, recent and favourites.
import { useDeferredValue, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Res } from '../../preload/contract';
import { api, call, isUnreachable, plainMessage } from '../api/client';
import { Crumbs } from '../components/Crumbs';
import { HubUnreachable } from '../components/HubUnreachable';
import { go, leaveTo } from '../route';
import { PlanList } from '../teaching/plans/PlanList';
import { ResourceButton } from './ResourceButton';
import { TodayList } from './TodayList';
import { useHubLink, useLibraryData } from './useApi';
import { useSearchText } from './useSearchText';

export function LibraryHome({ node }: { node: string | null }) {
  const { t } = useTranslation();
  const search = useSearchText();
  const deferred = useDeferredValue(search.query.trim());
  // The hub not answering: one sentence in place of the tree or the results, and no shelves
  // (shown empty, the plans and favourites looked deleted); all load again once it is back.
  const { up } = useHubLink();
  return (
    <div className="home">
      <div className="home__search">
        <input
          type="search"
          role="searchbox"
          className="searchbox"
          aria-label={t('library.searchLabel')}
          placeholder={t('library.searchPlaceholder')}
          {...search.bind}
        />
      </div>
      {/* Three columns, so today's timetable, the plans, recent and favourites are all in view
          without scrolling (stacked in one, recent and favourites fell below the bottom bar). */}
      <div className={`home__body home__body--three${deferred ? ' home__body--searching' : ''}`}>
        <div className="home__left">
          <main className="home__main">{!up ? <HubUnreachable /> : deferred ? <SearchResults query={deferred} /> : <TreePanel node={node} />}</main>
          {/* While searching, the results take the plans' place and the shelf's width: a long path needs it. */}
          {!deferred && up && <PlanList />}
        </div>
        {!deferred && up && (
          <aside className="home__shelf">
            <SideList title={t('library.recent')} empty={t('library.noRecent')} load={() => call(api()['library:recent']({ limit: 8 }))} />
            <SideList title={t('library.favourites')} empty={t('library.noFavourites')} load={() => call(api()['library:favourites']({}))} />
          </aside>
        )}
        <aside className="home__side">
          <TodayList />
        </aside>
      </div>
    </div>
  );
}

function SearchResults({ query }: { query: string }) {
  const { t } = useTranslation();
  const [result, setResult] = useState<Res<'library:search'> | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // A short pause so a teacher typing "三角形" does not query for every keystroke.
    const timer = setTimeout(() => {
      void call(api()['library:search']({ query, limit: 50 })).then(
        (r) => live && (setResult(r), setFailed(null)),
        // Not "nothing found": the search did not run (the hub not answering is LibraryHome's notice).
        (err: unknown) => live && !isUnreachable(err) && setFailed(plainMessage(err)),
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);
  if (failed) return <p className="notice notice--error">{failed}</p>;
  if (!result) return null;
  return (
    <section aria-live="polite">
      <h2 className="panel-title">{result.total > 0 ? t('library.results', { count: result.total }) : t('library.noResults', { query })}</h2>
      <div className="rows">
        {result.results.map((r) => (
          <ResourceButton key={r.id} r={r} sub="path" />
        ))}
      </div>
    </section>
  );
}

function TreePanel({ node }: { node: string | null }) {
  const { t } = useTranslation();
  const { data, error, unreachable } = useLibraryData(() => call(api()['library:tree']({ parent: node })), [node]);
  if (unreachable) return <HubUnreachable />;
  if (error) return <p className="notice notice--error">{error}</p>;
  if (!data) return null;
  const isRoot = node === null;
  return (
    <section>
      <Crumbs label={t('library.textbooks')} root={t('library.textbooks')} trail={data.trail} onGo={(node) => leaveTo({ name: 'home', node })} />
      {isRoot && data.nodes.length === 0 && <p className="notice">{t('library.empty')}</p>}
      <div className={data.nodes.length > 6 ? 'rows rows--grid' : 'rows'}>
        {data.nodes.map((n) => (
          <button key={n.id} type="button" className="row row--node" onClick={() => go({ name: 'home', node: n.id })}>
            <span className="row__main">
              <span className="row__title">{n.title}</span>
            </span>
            {!!n.notReady && (
              <span className="row__tag row__tag--missing">
                {n.notReady === n.resourceCount ? t('library.notDownloaded') : t('library.someNotDownloaded', { count: n.notReady })}
              </span>
            )}
            <span className="row__tag" aria-hidden="true">
              {t('library.resources', { count: n.resourceCount })}
            </span>
          </button>
        ))}
        {data.resources.map((r) => (
          <ResourceButton key={r.id} r={r} />
        ))}
      </div>
    </section>
  );
}

function SideList({ title, empty, load }: { title: string; empty: string; load: () => Promise<{ items: Res<'library:recent'>['items'] }> }) {
  const { data } = useLibraryData(load, [title]);
  return (
    <section className="side-list" aria-label={title}>
      <h2 className="panel-title">{title}</h2>
      {data && data.items.length === 0 && <p className="muted">{empty}</p>}
      <div className="rows">
        {data?.items.map((r) => (
          <ResourceButton key={r.id} r={r} sub="lesson" />
        ))}
      </div>
    </section>
  );
}
