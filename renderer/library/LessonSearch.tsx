// A lesson found by search, for a period of the timetable: the add form's and a
// row's own chooser. Six results at a time, then 显示更多, as a common word (春天)
// matches more lessons than fit beside the table.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Res } from '../../preload/contract';
import { api, call, isUnreachable } from '../api/client';
import { HubUnreachable } from '../components/HubUnreachable';
import { useHubLink } from './useApi';
import { useSearchText } from './useSearchText';
import { WherePath } from './WherePath';

export type Lesson = { id: string; title: string };
type Found = { query: string; total: number; results: Res<'library:search'>['results'] };

/** Results asked for at a time: as many as fit in the side column at 1080p. */
const PAGE = 6;

/** `wide`: across the table, the results in columns, so ten fit without scrolling the row away. */
export function LessonSearch(props: { label: string; placeholder: string; chosenId?: string; autoFocus?: boolean; wide?: boolean; onPick: (l: Lesson) => void }) {
  const { label, placeholder, chosenId, autoFocus, wide, onPick } = props;
  const { t } = useTranslation();
  const search = useSearchText();
  const query = search.query;
  const [found, setFound] = useState<Found | null>(null);
  const [busy, setBusy] = useState(false);
  // A search the hub did not answer: the sentence saying so instead of results, and the search again once it is back.
  const [unreachable, setUnreachable] = useState(false);
  const { comebacks } = useHubLink();
  useEffect(() => {
    setUnreachable(false);
    if (query.trim() === '') return setFound(null);
    let live = true;
    void call(api()['library:search']({ query, limit: PAGE })).then(
      (r) => live && setFound({ query, ...r }),
      (err: unknown) => live && isUnreachable(err) && (setFound(null), setUnreachable(true)),
    );
    return () => {
      live = false;
    };
  }, [query, comebacks]);
  const more = async () => {
    if (!found) return;
    setBusy(true);
    try {
      const r = await call(api()['library:search']({ query: found.query, limit: PAGE, offset: found.results.length }));
      // The next page of what is still being searched; a lesson the library moved between pages is listed once.
      setFound((f) => {
        if (!f || f.query !== found.query) return f;
        const have = new Set(f.results.map((x) => x.id));
        return { ...f, total: r.total, results: [...f.results, ...r.results.filter((x) => !have.has(x.id))] };
      });
    } catch {
      // Left as it was: 显示更多 stays to be tried again.
    } finally {
      setBusy(false);
    }
  };
  const shown = found?.results ?? [];
  const left = found && found.results.length < found.total;
  return (
    <>
      <label>
        {label}
        <input type="search" placeholder={placeholder} autoFocus={autoFocus} {...search.bind} />
      </label>
      {shown.length > 0 && (
        <div className={wide ? 'rows rows--grid' : 'rows'}>
          {shown.map((r) => (
            <button
              key={r.id}
              type="button"
              className={`row row--compact ${chosenId === r.id ? 'row--current' : ''}`}
              onClick={() => {
                onPick({ id: r.id, title: r.title });
                search.set('');
              }}
            >
              <span className="row__main">
                <span className="row__title">{r.title}</span>
                <WherePath path={r.path} />
              </span>
            </button>
          ))}
        </div>
      )}
      {unreachable && <HubUnreachable />}
      {found && found.total === 0 && <p className="muted">{t('library.noResults', { query: found.query })}</p>}
      {left && (
        <div className="lesson-search__more">
          <span className="muted">{t('timetable.shownOf', { total: found.total, n: shown.length })}</span>
          <button type="button" className="btn" disabled={busy} onClick={() => void more()}>
            {t('timetable.showMore')}
          </button>
        </div>
      )}
    </>
  );
}
