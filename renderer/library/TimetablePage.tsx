// 课表: the class timetable, entered at the board or imported from the school's
// spreadsheet (CSV; Excel's GB18030 too). Each period may name a lesson, found by
// search; the night's sync fetches timetabled lessons first, and the home screen
// shows today's periods ready or not.
import { Fragment, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { decodeCsv, schoolWeekday, type Res, type TodayLesson } from '../../preload/contract';
import { api, call, plainMessage } from '../api/client';
import { useBackStep } from '../back';
import { LessonSearch, type Lesson } from './LessonSearch';
import { removedNote } from './TodayList';
import { WherePath } from './WherePath';

interface Entry {
  weekday: number;
  period: number;
  starts: string;
  ends: string;
  className: string;
  /** `path`: where it sits (its lesson last), as the timetable serves it; a lesson just picked has none until the page reloads. */
  resource: { id: string; title: string; path?: string[] } | null;
  /** The lesson the period names, which has since left the library (the platform removed it, or its feed was unsubscribed). */
  missing?: TodayLesson['missing'];
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
/** A period's place: one per class at a time, as the timetable keeps it. */
const slotKey = (e: Entry) => `${e.weekday}-${e.period}-${e.className}`;
const byTime = (a: Entry, b: Entry) => a.weekday - b.weekday || a.period - b.period || a.className.localeCompare(b.className);

/** The whole timetable: a day at a time, as the contract serves it. */
async function loadTimetable(): Promise<Entry[]> {
  const days = await Promise.all(WEEKDAYS.map((weekday) => call(api()['timetable:today']({ weekday }))));
  return days.flatMap((d) => d.lessons.map((l) => ({ weekday: d.weekday, period: l.period, starts: l.starts, ends: l.ends, className: l.className, resource: l.resource, missing: l.missing }))).sort(byTime);
}

export function TimetablePage() {
  const { t } = useTranslation();
  const [entries, setEntries] = useState<Entry[] | null>(null);
  // warn: done, but something in it needs the teacher (periods imported without their lesson).
  const [note, setNote] = useState<{ text: string; error: boolean; warn?: boolean } | null>(null);
  const reload = () => void loadTimetable().then(setEntries, (err: Error) => setNote({ text: plainMessage(err), error: true }));
  useEffect(reload, []);
  // The row whose lesson is being chosen, and its button, where focus goes back once it is done.
  const [choosing, setChoosing] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const closeChooser = () => {
    setChoosing(null);
    opener.current?.focus();
  };
  // 返回 closes the picker first, as Esc in it does, rather than leaving the page with it open.
  useBackStep(choosing !== null, closeChooser);

  /** Whether the timetable took it: the add form keeps what was typed when it did not. */
  const save = async (next: Entry[]): Promise<boolean> => {
    try {
      // A removed lesson stays named (not cleared) until its period is given another.
      const entries = next.map((e) => ({ weekday: e.weekday, period: e.period, starts: e.starts, ends: e.ends, className: e.className, resourceId: e.resource?.id ?? e.missing?.resourceId ?? null }));
      const r = await call(api()['timetable:set']({ entries }));
      setEntries([...next].sort(byTime));
      // Again from the timetable, for a picked lesson's place in the textbook (its lesson and unit).
      reload();
      setNote({ text: t('timetable.saved', { n: r.saved, count: r.saved }), error: false });
      return true;
    } catch (err) {
      setNote({ text: plainMessage(err), error: true });
      return false;
    }
  };
  const importFile = async (file: File) => {
    try {
      const csv = decodeCsv(new Uint8Array(await file.arrayBuffer()));
      const r = await call(api()['timetable:import-csv']({ csv }));
      // Periods whose cell named no lesson kept the one chosen here: said so, as the file alone would have cleared them.
      // Which classes it replaced and which it left: a file replaces only the classes it names.
      const checks = importChecks(t, r.warnings);
      // The sheet's title above its header, left out: said, so a row read as the title would not go unnoticed.
      const skipped = r.skipped?.length
        ? t('timetable.importSkipped', { rows: r.skipped.map((x) => t('timetable.skippedRow', { line: x.line, text: x.text })).join(t('timetable.importClassSep')) })
        : '';
      if (r.unmatched.length === 0) {
        const done = t(r.kept > 0 ? 'timetable.importedKept' : 'timetable.imported', { n: r.saved, k: r.kept, count: r.saved });
        // 'imported' has no full stop of its own: the checks after it are a sentence.
        const stop = r.kept === 0 && (checks || skipped) ? t('timetable.importStop') : '';
        setNote({ text: `${done}${importScope(t, r, r.kept > 0 ? 'sentence' : 'aside')}${stop}${checks}${skipped}`, error: false, warn: checks !== '' });
      } else setNote({ text: `${unmatchedNote(t, r.saved, r.unmatched)}${importScope(t, r, 'sentence')}${r.kept > 0 ? t('timetable.importKept', { k: r.kept }) : ''}${checks}${skipped}`, error: false, warn: true });
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
                {entries.map((e, i) => {
                  const key = slotKey(e);
                  const slot = { day: t(`timetable.day${e.weekday}`), n: e.period, cls: e.className ? t('timetable.ofClass', { name: e.className }) : '' };
                  return (
                    <Fragment key={key}>
                      <tr>
                        <td>{t(`timetable.day${e.weekday}`)}</td>
                        <td>{t('today.period', { n: e.period })}</td>
                        <td>
                          {e.starts}–{e.ends}
                        </td>
                        <td>{e.className}</td>
                        <td className="timetable__lesson">
                          <div className="timetable__lesson-cell">
                            {e.resource ? (
                              // Its lesson and unit under the title: a bare 学习任务单 could be any lesson's.
                              <span className="row__main">
                                <span>{e.resource.title}</span>
                                {e.resource.path && <WherePath path={e.resource.path} />}
                              </span>
                            ) : (
                              <span className="timetable__none">{e.missing ? removedNote(t, e.missing) : t('timetable.noLesson')}</span>
                            )}
                            {/* A period without its lesson (as an import leaves a subject such as 数学) is given one here, not removed and added again. */}
                            <button
                              type="button"
                              className={e.resource ? 'btn' : 'btn btn--primary'}
                              aria-expanded={choosing === key}
                              aria-label={t(e.resource ? 'timetable.changeFor' : 'timetable.chooseFor', slot)}
                              onClick={(ev) => {
                                opener.current = ev.currentTarget;
                                setChoosing(choosing === key ? null : key);
                              }}
                            >
                              {t(e.resource ? 'timetable.change' : 'timetable.choose')}
                            </button>
                          </div>
                        </td>
                        <td>
                          <button
                            type="button"
                            className="btn"
                            aria-label={`${t('timetable.remove', { day: t(`timetable.day${e.weekday}`), n: e.period })}${e.className ? ` ${e.className}` : ''}`}
                            onClick={() => void save(entries.filter((_, j) => j !== i))}
                          >
                            {t('timetable.removeShort')}
                          </button>
                        </td>
                      </tr>
                      {choosing === key && (
                        <tr className="timetable__chooser">
                          <td colSpan={6}>
                            <LessonChooser
                              label={t('timetable.chooseFor', slot)}
                              chosenId={e.resource?.id}
                              onPick={async (lesson) => {
                                if (await save(entries.map((x) => (x === e ? { ...x, resource: lesson, missing: undefined } : x)))) closeChooser();
                              }}
                              onClose={closeChooser}
                            />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          )}
          {note && (
            <p className={note.error ? 'notice notice--error' : note.warn ? 'notice' : 'muted'} role="status">
              {note.text}
            </p>
          )}
        </main>
        <aside className="home__side">
          {entries !== null && <AddPeriod entries={entries} onAdd={(e) => save([...entries, e])} onProblem={(text) => setNote({ text, error: true })} />}
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

/** A row's lesson, chosen under it in the table: Esc or 取消 leaves it as it was. */
function LessonChooser({ label, chosenId, onPick, onClose }: { label: string; chosenId?: string; onPick: (l: Lesson) => void; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <section
      className="sync-settings timetable__chooser-body"
      aria-label={label}
      onKeyDown={(e) => {
        // Handled here: the app's own Esc would leave the field, then the page.
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        onClose();
      }}
    >
      <LessonSearch label={t('timetable.searchLesson')} placeholder={t('timetable.findPlaceholder')} chosenId={chosenId} autoFocus wide onPick={onPick} />
      <button type="button" className="btn" onClick={onClose}>
        {t('timetable.cancel')}
      </button>
    </section>
  );
}

/** The rows named in the note; the rest are counted. */
const UNMATCHED_SHOWN = 3;

/** An import that left periods without their lesson: how many, which rows and why, and what to do. */
function unmatchedNote(t: TFunction, saved: number, unmatched: Res<'timetable:import-csv'>['unmatched']): string {
  const rows = unmatched
    .slice(0, UNMATCHED_SHOWN)
    .map((u) => (u.matches === 0 ? t('timetable.unmatchedNone', { line: u.line, cell: u.cell }) : t('timetable.unmatchedMany', { line: u.line, cell: u.cell, n: u.matches })))
    .join(t('timetable.unmatchedSep'));
  const more = unmatched.length > UNMATCHED_SHOWN ? t('timetable.unmatchedMore', { n: unmatched.length - UNMATCHED_SHOWN }) : '';
  return t('timetable.importedUnmatched', { n: saved, m: unmatched.length, rows: `${rows}${more}` });
}

/** The classes an import replaced and those it left as they were; nothing when it only added. `aside`: after a line without its full stop. */
function importScope(t: TFunction, r: Res<'timetable:import-csv'>, as: 'aside' | 'sentence'): string {
  const cls = (name: string) => name || t('timetable.importNoClass');
  const replaced = r.classes.filter((c) => c.replaced > 0);
  const n = replaced.reduce((sum, c) => sum + c.replaced, 0);
  const others = r.others.reduce((sum, o) => sum + o.periods, 0);
  const parts = [
    ...(replaced.length ? [t('timetable.importReplaced', { classes: replaced.map((c) => cls(c.className)).join(t('timetable.importClassSep')), n, count: n })] : []),
    ...(r.others.length ? [t('timetable.importOthers', { classes: r.others.map((o) => cls(o.className)).join(t('timetable.importClassSep')), n: others, count: others })] : []),
  ];
  return parts.length ? t(as === 'aside' ? 'timetable.importScopeAside' : 'timetable.importScopeSentence', { what: parts.join(t('timetable.unmatchedSep')) }) : '';
}

/** Periods imported as written that look wrong: overlapping in a class's day, or in the night. */
function importChecks(t: TFunction, warnings: Res<'timetable:import-csv'>['warnings']): string {
  if (warnings.length === 0) return '';
  const items = warnings.map((w) =>
    w.kind === 'overlap'
      ? t('timetable.importOverlap', { day: t(`timetable.day${w.weekday}`), cls: w.className ? t('timetable.ofClass', { name: w.className }) : '', a: w.first.period, b: w.second.period, aTime: `${w.first.starts}–${w.first.ends}`, bTime: `${w.second.starts}–${w.second.ends}` })
      : t('timetable.importNight', { line: w.line, time: `${w.starts}–${w.ends}` }),
  );
  return t('timetable.importCheck', { list: items.join(t('timetable.unmatchedSep')) });
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
/** Between two periods. */
const BREAK_MINUTES = 10;

const LAST_MINUTE = 24 * 60 - 1;
const MAX_PERIOD = 20;
type Times = { starts: string; ends: string };
const FIRST_PERIOD: Times = { starts: '08:00', ends: '08:40' };

/** The period after this one: it starts after a break and lasts as long; null past midnight. */
function nextPeriod(starts: string, ends: string): Times | null {
  const from = minutes(ends) + BREAK_MINUTES;
  const to = from + minutes(ends) - minutes(starts);
  return to < 24 * 60 ? { starts: hhmm(from), ends: hhmm(to) } : null;
}

/** The first period after `after` that the day has for no class yet (from the start of the day if none is left after it). */
function freePeriod(entries: Entry[], weekday: number, after = 0): number {
  const taken = new Set(entries.filter((e) => e.weekday === weekday).map((e) => e.period));
  const order = Array.from({ length: MAX_PERIOD }, (_, i) => ((after + i) % MAX_PERIOD) + 1);
  return order.find((p) => !taken.has(p)) ?? Math.min(after + 1, MAX_PERIOD);
}

/**
 * A period's times: as the day has them; else as the other days have that period
 * (the most common, as a school's bells ring the same most days); else the period
 * before's next period (ten minutes after it ends, as long), the first at 08:00–08:40.
 */
function timesOf(entries: Entry[], weekday: number, period: number): Times {
  const same = entries.filter((e) => e.period === period);
  const key = (e: Times) => `${e.starts}-${e.ends}`;
  const count = (e: Times) => same.filter((x) => key(x) === key(e)).length;
  const known = same.find((e) => e.weekday === weekday) ?? same.reduce<Entry | undefined>((a, b) => (a && count(a) >= count(b) ? a : b), undefined);
  if (known) return { starts: known.starts, ends: known.ends };
  if (period <= 1) return FIRST_PERIOD;
  const before = timesOf(entries, weekday, period - 1);
  return nextPeriod(before.starts, before.ends) ?? before;
}

/** Where the form stands on a day: its first free period after `after`, with that period's times. */
function slotOn(entries: Entry[], weekday: number, after = 0): Times & { period: number } {
  const period = freePeriod(entries, weekday, after);
  return { period, ...timesOf(entries, weekday, period) };
}

/**
 * The end once the start moves to `next`: it moves along, keeping the lesson's
 * length, unless the teacher set it by hand; then it moves only when the start
 * reaches it, so a period never ends before it starts.
 */
function endAfterStartMoves(starts: string, ends: string, next: string, endByHand: boolean): string {
  const length = minutes(ends) - minutes(starts);
  if (endByHand && minutes(next) < minutes(ends)) return ends;
  return hhmm(Math.min(minutes(next) + (length > 0 ? length : minutes(FIRST_PERIOD.ends) - minutes(FIRST_PERIOD.starts)), LAST_MINUTE));
}

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
const FIVE_MINUTES = Array.from({ length: 12 }, (_, i) => String(i * 5).padStart(2, '0'));

/**
 * A time of day as two large selects, hour and minute in 5-minute steps, on a
 * 24-hour clock: a native time input shows "08:00 AM" in an English-locale
 * browser, with targets too small for a finger.
 */
function TimeSelect({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const [h, m] = [value.slice(0, 2), value.slice(3, 5)];
  // A value off the 5-minute steps is still shown as it is, not as the first option.
  const mins = FIVE_MINUTES.includes(m) ? FIVE_MINUTES : [...FIVE_MINUTES, m].sort();
  return (
    <div className="time-select" role="group" aria-label={label}>
      <span aria-hidden="true">{label}</span>
      <div className="time-select__fields">
        <select aria-label={t('timetable.hourOf', { what: label })} value={h} onChange={(e) => onChange(`${e.target.value}:${m}`)}>
          {HOURS.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
        <span aria-hidden="true">:</span>
        <select aria-label={t('timetable.minuteOf', { what: label })} value={m} onChange={(e) => onChange(`${h}:${e.target.value}`)}>
          {mins.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

/** One period: its day, number, times, class and (found by search) its lesson. */
function AddPeriod({ entries, onAdd, onProblem }: { entries: Entry[]; onAdd: (e: Entry) => Promise<boolean>; onProblem: (text: string) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  // Opens on today's first free period: a teacher at the board adds today's lesson without touching three controls.
  const [first] = useState(() => {
    const today = schoolWeekday();
    return { weekday: today, ...slotOn(entries, today) };
  });
  const [weekday, setWeekday] = useState(first.weekday);
  const [period, setPeriod] = useState(String(first.period));
  const [starts, setStarts] = useState(first.starts);
  const [ends, setEnds] = useState(first.ends);
  const [endByHand, setEndByHand] = useState(false);
  const goTo = (slot: Times & { period: number }) => {
    setPeriod(String(slot.period));
    setStarts(slot.starts);
    setEnds(slot.ends);
    setEndByHand(false);
  };
  const [className, setClassName] = useState('');
  const [lesson, setLesson] = useState<Lesson | null>(null);
  return (
    <section className="side-list sync-settings" aria-label={t('timetable.add')}>
      <h2 className="panel-title">{t('timetable.add')}</h2>
      <label>
        {t('timetable.weekday')}
        <select
          value={String(weekday)}
          onChange={(e) => {
            const day = Number(e.target.value);
            setWeekday(day);
            goTo(slotOn(entries, day));
          }}
        >
          {WEEKDAYS.map((d) => (
            <option key={d} value={String(d)}>
              {t(`timetable.day${d}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('timetable.period')}
        <input type="number" min={1} max={MAX_PERIOD} inputMode="numeric" value={period} onChange={(e) => setPeriod(e.target.value)} />
      </label>
      <TimeSelect
        label={t('timetable.starts')}
        value={starts}
        onChange={(next) => {
          setEnds(endAfterStartMoves(starts, ends, next, endByHand));
          setStarts(next);
        }}
      />
      <TimeSelect
        label={t('timetable.ends')}
        value={ends}
        onChange={(next) => {
          setEnds(next);
          setEndByHand(true);
        }}
      />
      <label>
        {t('timetable.className')}
        <input type="text" value={className} placeholder={t('timetable.classPlaceholder')} onChange={(e) => setClassName(e.target.value)} />
      </label>
      <LessonSearch label={t('timetable.findLesson')} placeholder={t('timetable.findPlaceholder')} chosenId={lesson?.id} onPick={setLesson} />
      {lesson && <p className="muted">{t('timetable.chosen', { title: lesson.title })}</p>}
      <button
        type="button"
        className="btn btn--primary"
        disabled={busy}
        onClick={async () => {
          const n = Number(period);
          // Checked here so an empty box is named in words, not by the contract's English.
          if (period.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_PERIOD) return onProblem(t('timetable.badPeriod'));
          setBusy(true);
          const added: Entry = { weekday, period: n, starts, ends, className: className.trim(), resource: lesson };
          const saved = await onAdd(added);
          setBusy(false);
          // A refused period (the same one twice, an end before its start) stays as typed, to be corrected.
          if (!saved) return;
          setLesson(null);
          // On to the day's next free period, so a morning's periods go in one after another.
          goTo(slotOn([...entries, added], weekday, n));
        }}
      >
        {t('timetable.addButton')}
      </button>
    </section>
  );
}
