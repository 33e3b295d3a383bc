// 课表: the class timetable, entered at the board or imported from the school's
// spreadsheet (CSV; Excel's GB18030 too). Each period may name a lesson, found by
// search; the night's sync fetches timetabled lessons first, and the home screen
// shows today's periods ready or not.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { decodeCsv, type Res } from '../../preload/contract';
import { api, call, plainMessage } from '../api/client';

interface Entry {
  weekday: number;
  period: number;
  starts: string;
  ends: string;
  className: string;
  resource: { id: string; title: string } | null;
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const byTime = (a: Entry, b: Entry) => a.weekday - b.weekday || a.period - b.period || a.className.localeCompare(b.className);

/** The whole timetable: a day at a time, as the contract serves it. */
async function loadTimetable(): Promise<Entry[]> {
  const days = await Promise.all(WEEKDAYS.map((weekday) => call(api()['timetable:today']({ weekday }))));
  return days.flatMap((d) => d.lessons.map((l) => ({ weekday: d.weekday, period: l.period, starts: l.starts, ends: l.ends, className: l.className, resource: l.resource }))).sort(byTime);
}

export function TimetablePage() {
  const { t } = useTranslation();
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const reload = () => void loadTimetable().then(setEntries, (err: Error) => setNote({ text: plainMessage(err), error: true }));
  useEffect(reload, []);

  const save = async (next: Entry[]) => {
    try {
      const entries = next.map((e) => ({ weekday: e.weekday, period: e.period, starts: e.starts, ends: e.ends, className: e.className, resourceId: e.resource?.id ?? null }));
      const r = await call(api()['timetable:set']({ entries }));
      setEntries([...next].sort(byTime));
      setNote({ text: t('timetable.saved', { n: r.saved }), error: false });
    } catch (err) {
      setNote({ text: plainMessage(err), error: true });
    }
  };
  const importFile = async (file: File) => {
    try {
      const csv = decodeCsv(new Uint8Array(await file.arrayBuffer()));
      const r = await call(api()['timetable:import-csv']({ csv }));
      setNote({ text: t('timetable.imported', { n: r.saved }), error: false });
      reload();
    } catch (err) {
      setNote({ text: plainMessage(err), error: true });
    }
  };

  return (
    <div className="home timetable-page">
      <h1 className="page-title">{t('timetable.title')}</h1>
      <div className="home__body">
        <main className="home__main">
          {entries === null ? (
            <p className="muted">{t('sync.loading')}</p>
          ) : entries.length === 0 ? (
            <p className="notice">{t('timetable.empty')}</p>
          ) : (
            <table className="timetable" aria-label={t('timetable.title')}>
              <thead>
                <tr>
                  {(['weekday', 'period', 'time', 'className', 'lesson'] as const).map((c) => (
                    <th key={c}>{t(`timetable.${c}`)}</th>
                  ))}
                  <th />
                </tr>
              </thead>
              <tbody>
                {entries.map((e, i) => (
                  <tr key={`${e.weekday}-${e.period}-${e.className}`}>
                    <td>{t(`timetable.day${e.weekday}`)}</td>
                    <td>{t('today.period', { n: e.period })}</td>
                    <td>
                      {e.starts}–{e.ends}
                    </td>
                    <td>{e.className}</td>
                    <td>{e.resource?.title ?? t('today.free')}</td>
                    <td>
                      <button
                        type="button"
                        className="btn"
                        aria-label={t('timetable.remove', { day: t(`timetable.day${e.weekday}`), n: e.period })}
                        onClick={() => void save(entries.filter((_, j) => j !== i))}
                      >
                        {t('timetable.removeShort')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {note && (
            <p className={note.error ? 'notice notice--error' : 'muted'} role="status">
              {note.text}
            </p>
          )}
        </main>
        <aside className="home__side">
          {entries !== null && <AddPeriod onAdd={(e) => void save([...entries, e])} />}
          <section className="side-list sync-settings" aria-label={t('timetable.importTitle')}>
            <h2 className="panel-title">{t('timetable.importTitle')}</h2>
            <p className="muted">{t('timetable.importHint')}</p>
            <label>
              {t('timetable.importFile')}
              <input
                type="file"
                accept=".csv,text/csv"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  e.target.value = '';
                  if (file) void importFile(file);
                }}
              />
            </label>
          </section>
        </aside>
      </div>
    </div>
  );
}

/** One period: its day, number, times, class and (found by search) its lesson. */
function AddPeriod({ onAdd }: { onAdd: (e: Entry) => void }) {
  const { t } = useTranslation();
  const [weekday, setWeekday] = useState(1);
  const [period, setPeriod] = useState('1');
  const [starts, setStarts] = useState('08:00');
  const [ends, setEnds] = useState('08:40');
  const [className, setClassName] = useState('');
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Res<'library:search'>['results']>([]);
  const [lesson, setLesson] = useState<{ id: string; title: string } | null>(null);
  useEffect(() => {
    if (query.trim() === '') return setFound([]);
    let live = true;
    void call(api()['library:search']({ query, limit: 6 })).then((r) => live && setFound(r.results), () => {});
    return () => {
      live = false;
    };
  }, [query]);
  return (
    <section className="side-list sync-settings" aria-label={t('timetable.add')}>
      <h2 className="panel-title">{t('timetable.add')}</h2>
      <label>
        {t('timetable.weekday')}
        <select value={String(weekday)} onChange={(e) => setWeekday(Number(e.target.value))}>
          {WEEKDAYS.map((d) => (
            <option key={d} value={String(d)}>
              {t(`timetable.day${d}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('timetable.period')}
        <input type="number" min={1} max={20} inputMode="numeric" value={period} onChange={(e) => setPeriod(e.target.value)} />
      </label>
      <label>
        {t('timetable.starts')}
        <input type="time" value={starts} onChange={(e) => setStarts(e.target.value)} />
      </label>
      <label>
        {t('timetable.ends')}
        <input type="time" value={ends} onChange={(e) => setEnds(e.target.value)} />
      </label>
      <label>
        {t('timetable.className')}
        <input type="text" value={className} placeholder={t('timetable.classPlaceholder')} onChange={(e) => setClassName(e.target.value)} />
      </label>
      <label>
        {t('timetable.findLesson')}
        <input type="search" value={query} placeholder={t('timetable.findPlaceholder')} onChange={(e) => setQuery(e.target.value)} />
      </label>
      {lesson && <p className="muted">{t('timetable.chosen', { title: lesson.title })}</p>}
      {found.length > 0 && (
        <div className="rows">
          {found.map((r) => (
            <button
              key={r.id}
              type="button"
              className={`row row--compact ${lesson?.id === r.id ? 'row--current' : ''}`}
              onClick={() => {
                setLesson({ id: r.id, title: r.title });
                setQuery('');
              }}
            >
              <span className="row__main">
                <span className="row__title">{r.title}</span>
                <span className="row__sub">{r.path.join(' › ')}</span>
              </span>
            </button>
          ))}
        </div>
      )}
      <button
        type="button"
        className="btn btn--primary"
        onClick={() => {
          onAdd({ weekday, period: Number(period), starts, ends, className: className.trim(), resource: lesson });
          setLesson(null);
          setPeriod(String(Number(period) + 1));
        }}
      >
        {t('timetable.addButton')}
      </button>
    </section>
  );
}
