// 同步设置 in words a teacher reads at the board and the numbers an IT admin
// needs: each speed with what it brings in an hour (and in a night), the video
// quality by name, the cache limit beside what is used, and the night window set
// with finger-sized hour buttons (no 48-row list). A value set elsewhere (the CLI)
// that no button offers still shows, and is saved back exactly as it was.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes, MIN_QUOTA_BYTES, rateLabel, type Res, type SyncSettings, type SyncStatus } from '../../preload/contract';
import { api, call, plainMessage } from '../api/client';

/** Rates are compared in whole kbit/s: 250 kbit/s is 31,250 B/s and comes back as 250, not a rounded 0.3 Mbit/s. */
const kbit = (bytesPerSecond: number) => Math.round((bytesPerSecond * 8) / 1000);
const fromKbit = (k: number) => (k * 1000) / 8;

/** Choices in kbit/s (null: no cap; 0 by day: a pause). */
const NIGHT_RATES = [null, 1000, 2000, 4000, 8000, 20000, 50000];
const DAY_RATES = [0, 250, 1000];
const HEIGHTS = [480, 720, 1080];

/** A quota in GB, four significant digits: 500 MB reads 0.4883, 1.5 TB reads 1536 (as the status line's 1.50 TB). */
const quotaText = (bytes: number | null) => (bytes === null ? '' : String(Number((bytes / 1024 ** 3).toPrecision(4))));

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
/** The window's length in hours (it may cross midnight): 22:00–06:30 is 8.5. */
const windowHours = (from: string, to: string) => (((minutesOf(to) - minutesOf(from) + 1440) % 1440) || 1440) / 60;

type Choice<T> = { value: T; main: string; sub?: string };

/**
 * One choice of a few, as big buttons (native radios under each: the fieldset
 * disables them, arrow keys move between them). `same` says which one the value is.
 */
function Choices<T>({ label, name, choices, value, same, onChange }: { label: string; name: string; choices: Choice<T>[]; value: T; same: (a: T, b: T) => boolean; onChange: (v: T) => void }) {
  return (
    <div className="choices" role="radiogroup" aria-label={label}>
      {choices.map((c) => (
        <label key={c.main} className="choice">
          <input type="radio" name={name} checked={same(c.value, value)} onChange={() => onChange(c.value)} />
          <span className="choice__main">{c.main}</span>
          {c.sub && <span className="choice__sub">{c.sub}</span>}
        </label>
      ))}
    </div>
  );
}

/**
 * A time of the window: an hour a tap earlier or later (round the clock), and its
 * minutes (:00, :30, or the ones saved elsewhere, `saved`, offered until another is saved).
 */
function TimePicker({ label, short, value, saved, onChange }: { label: string; short: string; value: string; saved: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const hour = Number(value.slice(0, 2));
  const minute = value.slice(3);
  const at = (h: number, m: string) => `${String((h + 24) % 24).padStart(2, '0')}:${m}`;
  return (
    <div className="time-picker" role="group" aria-label={label}>
      <span className="time-picker__label" aria-hidden="true">
        {short}
      </span>
      <button type="button" className="btn time-picker__step" aria-label={t('sync.hourEarlier')} onClick={() => onChange(at(hour - 1, minute))}>
        −
      </button>
      <output className="time-picker__value">{value}</output>
      <button type="button" className="btn time-picker__step" aria-label={t('sync.hourLater')} onClick={() => onChange(at(hour + 1, minute))}>
        +
      </button>
      <Choices
        label={t('sync.minutes')}
        name={`${label}-minutes`}
        choices={[...new Set(['00', '30', minute, saved.slice(3)])].sort().map((m) => ({ value: m, main: `:${m}` }))}
        value={minute}
        same={(a, b) => a === b}
        onChange={(m) => onChange(at(hour, m))}
      />
    </div>
  );
}

export function SettingsPanel({ settings, disk, full, onSaved }: { settings: SyncSettings | null; disk: SyncStatus['disk'] | undefined; full: boolean; onSaved: (s: SyncSettings) => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<SyncSettings | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [host, setHost] = useState<Res<'app:info'>['host'] | null>(null);
  useEffect(() => {
    void call(api()['app:info']({})).then((i) => setHost(i.host), () => {});
  }, []);
  // The quota as typed (GB); checked when saved, never rewritten while typing.
  const [quota, setQuota] = useState('');
  useEffect(() => {
    setDraft(settings);
    if (settings) setQuota(quotaText(settings.quotaBytes));
  }, [settings]);
  if (!draft) return null;
  const [from, to] = draft.window.split('-') as [string, string];
  const hours = windowHours(from, to);
  const set = (patch: Partial<SyncSettings>) => {
    setNote(null);
    setDraft({ ...draft, ...patch });
  };
  const save = async () => {
    // The field as shown: the quota saved, exactly (a 1.5 TB quota set by the CLI reads 1536 and must not become 1536 GB).
    const untouched = settings !== null && quota === quotaText(settings.quotaBytes);
    const gb = quota.trim() === '' ? null : Number(quota);
    if (!untouched && gb !== null && !(Number.isFinite(gb) && gb * 1024 ** 3 >= MIN_QUOTA_BYTES && gb <= 1024 * 1024)) {
      setNote(t('sync.badQuota'));
      return;
    }
    const quotaBytes = untouched ? settings.quotaBytes : gb === null ? null : Math.round(gb * 1024 ** 3);
    try {
      onSaved(await call(api()['sync:configure']({ ...draft, quotaBytes })));
      setNote(t('sync.saved'));
    } catch (err) {
      setNote(plainMessage(err));
    }
  };
  // A rate with what it brings in an hour: "4 Mbit/s" over "每小时约 1.7 GB".
  const rate = (bytesPerSecond: number): Choice<number> => ({ value: bytesPerSecond, main: rateLabel(bytesPerSecond), sub: t('sync.perHour', { bytes: formatBytes(bytesPerSecond * 3600) }) });
  // The saved value stays itself until another is tapped; one no button offers gets its own (kept in place till another is saved).
  const kept = settings ?? draft;
  const nightChoices: Choice<number | null>[] = NIGHT_RATES.map((k) => (k === null ? { value: null, main: t('sync.unlimited'), sub: t('sync.asFastAsItGoes') } : rate(fromKbit(k))));
  if (kept.nightRate !== null && !NIGHT_RATES.includes(kbit(kept.nightRate))) nightChoices.push(rate(kept.nightRate));
  const dayChoices: Choice<number>[] = DAY_RATES.map((k) => (k === 0 ? { value: 0, main: t('sync.pause'), sub: t('sync.dayPaused') } : rate(fromKbit(k))));
  if (!DAY_RATES.includes(kbit(kept.dayRate))) dayChoices.push(rate(kept.dayRate));
  // In order of speed, such a value among the others.
  const bySpeed = (a: Choice<number | null>, b: Choice<number | null>) => (a.value ?? Infinity) - (b.value ?? Infinity);
  nightChoices.sort(bySpeed);
  dayChoices.sort(bySpeed);
  const heights = HEIGHTS.includes(kept.maxHeight) ? HEIGHTS : [...HEIGHTS, kept.maxHeight].sort((a, b) => a - b);
  const [savedFrom, savedTo] = kept.window.split('-') as [string, string];
  const sameRate = (a: number | null, b: number | null) => (a === null || b === null ? a === b : kbit(a) === kbit(b));
  return (
    <section className="side-list sync-settings" aria-label={t('sync.settings')}>
      <h2 className="panel-title">{t('sync.settings')}</h2>
      {/* Nothing can be saved on a full disk: the controls show it. */}
      <fieldset className="sync-settings__fields" disabled={full}>
        <div className="sync-settings__field">
          <span className="sync-settings__label">{t('sync.windowTitle', { hours })}</span>
          <TimePicker label={t('sync.windowFrom')} short={t('sync.windowStart')} value={from} saved={savedFrom} onChange={(v) => set({ window: `${v}-${to}` })} />
          <TimePicker label={t('sync.windowTo')} short={t('sync.windowEnd')} value={to} saved={savedTo} onChange={(v) => set({ window: `${from}-${v}` })} />
        </div>
        <div className="sync-settings__field">
          <span className="sync-settings__label">{t('sync.nightRate')}</span>
          <Choices label={t('sync.nightRate')} name="night-rate" choices={nightChoices} value={draft.nightRate} same={sameRate} onChange={(v) => set({ nightRate: v })} />
          {/* The night's byte budget (rate × window): past it the sync takes lower renditions. */}
          {draft.nightRate !== null && <p className="sync-settings__hint">{t('sync.nightBudget', { bytes: formatBytes(draft.nightRate * hours * 3600) })}</p>}
        </div>
        <div className="sync-settings__field">
          <span className="sync-settings__label">{t('sync.dayRate')}</span>
          <Choices label={t('sync.dayRate')} name="day-rate" choices={dayChoices} value={draft.dayRate} same={(a, b) => kbit(a) === kbit(b)} onChange={(v) => set({ dayRate: v })} />
        </div>
        <div className="sync-settings__field">
          <span className="sync-settings__label">{t('sync.maxHeight')}</span>
          <Choices
            label={t('sync.maxHeight')}
            name="max-height"
            choices={heights.map((h) => ({ value: h, main: t(`sync.heights.${h}`, { defaultValue: `${h}p` }) }))}
            value={draft.maxHeight}
            same={(a, b) => a === b}
            onChange={(v) => set({ maxHeight: v })}
          />
          <p className="sync-settings__hint">{t('sync.heightHint')}</p>
        </div>
        <div className="sync-settings__field">
          <span className="sync-settings__label">{t('sync.quotaTitle')}</span>
          <span className="sync-settings__quota">
            {t('sync.quotaBefore')}
            <input type="number" min={0} step="any" inputMode="decimal" aria-label={t('sync.quotaLabel')} value={quota} onChange={(e) => setQuota(e.target.value)} />
            {t('sync.quotaAfter')}
          </span>
          <p className="sync-settings__hint">
            {t('sync.quotaEmpty')}
            {disk && ` · ${t('sync.used', { used: formatBytes(disk.usedBytes) })}`}
            {disk?.freeBytes != null && ` · ${t('sync.free', { free: formatBytes(disk.freeBytes) })}`}
          </p>
        </div>
        {host === 'electron' && (
          <label className="sync-settings__check">
            <input type="checkbox" checked={draft.startAtLogin} onChange={(e) => set({ startAtLogin: e.target.checked })} />
            {t('sync.startAtLogin')}
          </label>
        )}
        <button type="button" className="btn btn--primary" onClick={() => void save()}>
          {t('sync.save')}
        </button>
      </fieldset>
      {note && (
        <p className="muted" role="status">
          {note}
        </p>
      )}
    </section>
  );
}
