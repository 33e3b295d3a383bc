// 同步与存储: what tonight's sync is doing (live), whether today's lessons are
// ready, what failed and why, disk use, what is kept offline (a tree with sizes)
// and the sync settings. For the teacher at the board and the school's IT admin.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  formatBytes,
  formatSchoolTime,
  isHttpUrl,
  quotaShortfall,
  rateLabel,
  runBytes,
  selectionOverQuota,
  type FailureReason,
  type SelectionNode,
  type SyncFailure,
  type SyncProgress,
  type SyncSettings,
  type SyncStatus,
  type SyncSummary,
} from '../../preload/contract';
import { api, call, inPageLanguage, plainMessage } from '../api/client';
import { Crumbs } from '../components/Crumbs';
import { TodayList } from '../library/TodayList';
import { useLibraryData } from '../library/useApi';
import { go, leaveTo } from '../route';
import { SettingsPanel } from './SettingsPanel';
import { TroubleLine } from './TroubleLine';

export function SyncPage({ node }: { node: string | null }) {
  const { t } = useTranslation();
  // A change to the selection or the settings changes what is queued: the status reloads with it.
  const [changes, setChanges] = useState(0);
  // One copy of the settings: the status line names the window and cap just saved.
  const [settings, setSettings] = useSettings();
  const live = useSyncStatus(changes);
  // Opened on a full disk the library is read only: said first, and what would fail is not offered.
  const disk = live.status?.disk;
  const full = disk?.full === true;
  return (
    <div className="home sync-page">
      <h1 className="page-title">{t('sync.title')}</h1>
      {full && (
        <p className="sync-disk-full" role="alert">
          {disk.freeBytes === null ? t('sync.diskFullNoFree') : t('sync.diskFull', { free: formatBytes(disk.freeBytes) })}
        </p>
      )}
      <div className="home__body">
        <main className="home__main">
          <StatusPanel live={live} settings={settings} full={full} />
          <SelectionPanel node={node} changes={changes} full={full} quotaBytes={settings?.quotaBytes ?? null} onChanged={() => setChanges((c) => c + 1)} />
        </main>
        <aside className="home__side">
          <TodayList />
          <SettingsPanel
            settings={settings}
            disk={disk}
            full={full}
            onSaved={(s) => {
              setSettings(s);
              setChanges((c) => c + 1);
            }}
          />
        </aside>
      </div>
    </div>
  );
}

/** Status, refreshed by the live events and every few seconds (the day/night mode changes with the clock). */
function useSyncStatus(changes: number) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  useEffect(() => {
    let live = true;
    const load = () => void call(api()['sync:status']({})).then((s) => live && (setStatus(s), setProgress(s.progress)), () => {});
    load();
    const timer = setInterval(load, 5000);
    const offProgress = api().on('sync:progress', (p) => setProgress(p));
    const offFinished = api().on('sync:finished', () => {
      setProgress(null);
      load();
    });
    return () => {
      live = false;
      clearInterval(timer);
      offProgress();
      offFinished();
    };
  }, [changes]);
  return { status, progress, reload: () => void call(api()['sync:status']({})).then(setStatus, () => {}) };
}

function StatusPanel({ live, settings, full }: { live: ReturnType<typeof useSyncStatus>; settings: SyncSettings | null; full: boolean }) {
  const { t, i18n } = useTranslation();
  const { status, progress, reload } = live;
  const [note, setNote] = useState<string | null>(null);
  // Without a platform (or hub) subscription a night's sync has nothing to fetch: say so, rather than look like a quiet night.
  const [platform, setPlatform] = useState<boolean | null>(null);
  useEffect(() => {
    void call(api()['library:status']({})).then((s) => setPlatform(s.feeds.some((f) => isHttpUrl(f.source))), () => {});
  }, []);
  // "Sync started" says nothing once the run is over.
  useEffect(() => api().on('sync:finished', () => setNote(null)), []);
  // A big catalog's queue takes a few seconds to count (off the UI's thread).
  if (!status) return <p className="muted sync-card">{t('sync.loading')}</p>;
  const running = status.state === 'running' || progress !== null;
  // School time, as the window is set in: a board whose own clock is on UTC must not say 22:00 and 14:00 for one night.
  const time = (iso: string) => formatSchoolTime(iso, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }, i18n.language);
  const window = settings?.window ?? '22:00-06:30';
  // Out of what the run brings: files the quota refuses never fill the bar.
  const whole = progress ? runBytes(progress) : 0;
  const pct = progress && whole > 0 ? Math.min(100, Math.round((progress.bytes / whole) * 100)) : 0;
  const syncNow = async () => {
    try {
      const r = await call(api()['sync:now']({}));
      setNote(r.started ? t('sync.started') : t('sync.alreadyRunning'));
    } catch (err) {
      // Refused (a disk filled since the last look): why, rather than nothing.
      setNote(plainMessage(err));
    }
    reload();
  };
  return (
    <section className="sync-card" aria-label={t('sync.title')}>
      <div className="sync-card__head">
        <span className={`sync-state ${running ? 'sync-state--running' : ''}`} role="status">
          {running ? t('sync.running') : t('sync.idle')}
        </span>
        {/* Nothing subscribed: a sync has nothing to fetch, and the notice below says whom to ask. */}
        <button type="button" className="btn btn--primary" disabled={full || platform === false} onClick={() => void syncNow()}>
          {t('sync.now')}
        </button>
      </div>
      {/* On a full disk no sync starts tonight: '今晚 22:00 开始同步' under the notice would contradict it. */}
      {!full && (
        <p className="muted">
          {t(`sync.modes.${status.mode}`, {
            window: window.replace('-', '–'),
            start: window.split('-')[0],
            speed: status.rate === null ? t('sync.unlimited') : t('sync.capped', { rate: rateLabel(status.rate) }),
          })}
        </p>
      )}
      {progress && (
        <div className="sync-progress">
          <div className="progress" role="progressbar" aria-label={t('sync.running')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
            <div className="progress__fill" style={{ width: `${pct}%` }} />
          </div>
          <p className="sync-progress__line">
            <span>{t('sync.files', { files: Math.min(progress.files + 1, progress.totalFiles), total: progress.totalFiles })}</span>
            <span>{t('sync.bytes', { done: formatBytes(progress.bytes), total: formatBytes(whole) })}</span>
            {progress.speed > 0 && <span>{t('sync.speed', { speed: formatBytes(progress.speed) })}</span>}
          </p>
          {progress.current.length > 0 && <p className="muted">{t('sync.current', { title: namedLessons(t, progress.current) })}</p>}
          {progress.trouble && <TroubleLine trouble={progress.trouble} className="notice notice--inline" detail />}
        </div>
      )}
      {note && <p className="muted">{note}</p>}
      {platform === false && <p className="notice notice--inline">{t('sync.noPlatform')}</p>}
      {/* 待下载 is what tonight brings; what the quota refuses is said apart (read as "here tomorrow", it was not). */}
      {(status.queued.files > 0 || status.overQuota.files === 0) && (
        <p className="muted">
          {status.queued.files > 0 ? t('sync.queued', { count: status.queued.files, files: status.queued.files, bytes: formatBytes(status.queued.bytes) }) : t('sync.queuedNone')}
        </p>
      )}
      {status.overQuota.files > 0 && (
        <p className="notice notice--inline">
          {t('sync.queuedOverQuota', { count: status.overQuota.files, files: status.overQuota.files, bytes: formatBytes(status.overQuota.bytes) })}
        </p>
      )}
      {status.nextWindow && !running && !full && <p className="muted">{t('sync.next', { time: time(status.nextWindow) })}</p>}
      <h2 className="panel-title">{t('sync.disk')}</h2>
      <p className="sync-disk">
        {t('sync.used', { used: formatBytes(status.disk.usedBytes) })} ·{' '}
        {status.disk.quotaBytes === null ? t('sync.noQuota') : t('sync.quota', { quota: formatBytes(status.disk.quotaBytes) })}
        {status.disk.freeBytes !== null && ` · ${t('sync.free', { free: formatBytes(status.disk.freeBytes) })}`}
      </p>
      {status.last && (
        <>
          <h2 className="panel-title">{t('sync.last', { time: time(status.last.finishedAt) })}</h2>
          <p>
            {t('sync.lastResult', {
              count: status.last.downloaded.files,
              files: status.last.downloaded.files,
              bytes: formatBytes(status.last.downloaded.bytes),
              failed: status.last.failed.length,
            })}
          </p>
          {status.last.partial && (
            <p className="muted">{t('sync.partialKept', { count: status.last.partial.files, files: status.last.partial.files, bytes: formatBytes(status.last.partial.bytes) })}</p>
          )}
          {status.last.downgraded > 0 && <p className="muted">{t('sync.downgraded', { count: status.last.downgraded })}</p>}
          {(status.last.downsized ?? 0) > 0 && <p className="muted">{t('sync.downsized', { count: status.last.downsized })}</p>}
          {/* Lessons no longer ready offline: lowering the quota emptied half a cache with nothing said. */}
          {status.last.evicted && status.last.evicted.files > 0 && <p className="muted">{evictedText(t, status.last.evicted)}</p>}
          {status.last.feeds.some((f) => f.outcome === 'failed') && (
            <ul className="sync-failures" aria-label={t('sync.catalogFailed')}>
              {status.last.feeds
                .filter((f) => f.outcome === 'failed')
                .map((f) => (
                  <li key={f.id}>
                    <strong>{f.checkedAt ? t('sync.catalogFailedAtStart', { title: f.title, time: time(f.checkedAt) }) : t('sync.catalogFailedOne', { title: f.title })}</strong>
                    <span className="muted sync-failures__detail"> — {inPageLanguage(f.error ?? "")}</span>
                  </li>
                ))}
            </ul>
          )}
          {status.last.failed.length > 0 && <FailureGroups failed={status.last.failed} quota={status.last.quota} />}
        </>
      )}
    </section>
  );
}

/** Lessons named per cause before "等": a full quota fails hundreds of files for one reason. */
const NAMED = 5;
/** A few lessons by name, then "等 N 节课". */
const namedLessons = (t: TFunction, lessons: string[]) => {
  const named = lessons.slice(0, NAMED).join('、');
  return lessons.length > NAMED ? t('sync.lessonsMore', { named, count: lessons.length }) : named;
};

/** What a run removed for room, and from which lessons (the CLI's evictedLine). */
function evictedText(t: TFunction, e: NonNullable<SyncSummary['evicted']>): string {
  const facts = { count: e.files, bytes: formatBytes(e.bytes) };
  return e.lessons.length > 0 ? t('sync.evicted', { ...facts, lessons: e.lessons.length, named: namedLessons(t, e.lessons) }) : t('sync.evictedFiles', facts);
}

/**
 * Files the quota refused, as `classboard sync` says it (quotaShortfall): full only at
 * the quota, else the room left and the files too big for it; 缓存已满 at 75 of 100 MB
 * read as a bug. A run kept before its numbers were gets the words true either way.
 */
function quotaText(t: TFunction, files: SyncFailure[], quota: SyncSummary['quota']): string {
  const count = files.length;
  if (!quota) return t('sync.reasons.quota', { count });
  const s = quotaShortfall(quota.usedBytes, quota.quotaBytes, files.flatMap((f) => (f.bytes === undefined ? [] : [f.bytes])));
  if (s.full) return t('sync.quotaFull', { count, used: formatBytes(s.usedBytes), quota: s.quotaBytes === null ? t('sync.noQuota') : formatBytes(s.quotaBytes) });
  const which = t(`sync.quotaFiles.${s.files.kind}`, s.files.kind === 'unknown' ? {} : { bytes: formatBytes(s.files.bytes) });
  return t('sync.quotaLeft', { count, quota: formatBytes(s.quotaBytes), used: formatBytes(s.usedBytes), left: formatBytes(s.leftBytes), files: which });
}

/** Causes whose line says all there is: the engine's detail for them only repeats it (磁盘放不下 after 磁盘放不下，…), as in the CLI. */
const WHOLE_STORY = new Set<FailureReason>(['quota', 'floor', 'no-room', 'disk-full', 'folder']);

/**
 * The night's failures by cause, most files first: what happened and what to do
 * in one line each, a few of the lessons, and one sample of the detail (the
 * admin's clue); not one line per file.
 */
function FailureGroups({ failed, quota }: { failed: SyncFailure[]; quota: SyncSummary['quota'] }) {
  const { t } = useTranslation();
  const groups = new Map<FailureReason, SyncFailure[]>();
  for (const f of failed) groups.set(f.reason, [...(groups.get(f.reason) ?? []), f]);
  return (
    <ul className="sync-failures" aria-label={t('sync.failed')}>
      {[...groups]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([reason, files]) => {
          const lessons = [...new Set(files.flatMap((f) => f.resources))];
          return (
            <li key={reason}>
              <strong>{reason === 'quota' ? quotaText(t, files, quota) : t(`sync.reasons.${reason}`, { count: files.length })}</strong>
              {lessons.length > 0 && <span> {namedLessons(t, lessons)}</span>}
              {!WHOLE_STORY.has(reason) && <span className="muted sync-failures__detail"> — {inPageLanguage(files.at(-1)!.error)}</span>}
            </li>
          );
        })}
    </ul>
  );
}

function SelectionPanel({ node, changes, full, quotaBytes, onChanged }: { node: string | null; changes: number; full: boolean; quotaBytes: number | null; onChanged: () => void }) {
  const { t } = useTranslation();
  const [generation, setGeneration] = useState(0);
  // `changes` too: saved settings (视频清晰度) change every size in the tree, as they change the queue.
  const { data, error } = useLibraryData(() => call(api()['sync:selection']({ parent: node })), [node, generation, changes]);
  useEffect(() => api().on('sync:finished', () => setGeneration((g) => g + 1)), []);
  // A link to a node the library no longer has (or a mistyped address): say so, and offer the top.
  if (error)
    return (
      <div className="notice">
        <p>{t('sync.noSuchNode')}</p>
        <button type="button" className="bar-button" onClick={() => leaveTo({ name: 'sync', node: null })}>
          {t('sync.allOf')}
        </button>
      </div>
    );
  if (!data) return null;
  // The selection with the lessons always kept, beyond the quota: what will not come, as `classboard selection` says (a 100 MB quota beside 200 MB kept said nothing).
  const over = selectionOverQuota(data.keptBytes, quotaBytes);
  const toggle = async (n: SelectionNode) => {
    await call(api()['sync:keep']({ ids: [n.id], keep: n.keep !== 'all' }));
    onChanged(); // reloads the tree with the status
  };
  return (
    <section aria-label={t('sync.selection')}>
      <h2 className="panel-title">
        {t('sync.selection')} ·{' '}
        {data.everything ? t('sync.everything', { bytes: formatBytes(data.totalBytes) }) : t('sync.kept', { kept: formatBytes(data.keptBytes), total: formatBytes(data.totalBytes) })}
      </h2>
      {over > 0 && quotaBytes !== null && (
        <p className="notice notice--inline">{t('sync.overQuota', { kept: formatBytes(data.keptBytes), quota: formatBytes(quotaBytes), over: formatBytes(over) })}</p>
      )}
      <p className="muted">{t('sync.selectionHint')}</p>
      <Crumbs label={t('sync.selection')} root={t('sync.allOf')} trail={data.trail} onGo={(node) => leaveTo({ name: 'sync', node })} />
      <div className="rows">
        {data.nodes.map((n) => (
          <SelectionRow key={n.id} n={n} full={full} onToggle={() => void toggle(n)} />
        ))}
      </div>
    </section>
  );
}

function SelectionRow({ n, full, onToggle }: { n: SelectionNode; full: boolean; onToggle: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="row sync-row">
      <button
        type="button"
        role="checkbox"
        aria-checked={n.keep === 'all' ? 'true' : n.keep === 'some' ? 'mixed' : 'false'}
        aria-label={t('sync.keep', { title: n.title })}
        className={`keep-box keep-box--${n.keep}`}
        disabled={full}
        onClick={onToggle}
      >
        {n.keep === 'all' ? '✓' : n.keep === 'some' ? '–' : ''}
      </button>
      <button
        type="button"
        className="sync-row__open"
        aria-label={t('sync.open', { title: n.title })}
        disabled={n.childCount === 0}
        onClick={() => go({ name: 'sync', node: n.id })}
      >
        <span className="row__main">
          <span className="row__title">{n.title}</span>
          <span className="row__sub">
            {t('sync.nodeSize', { bytes: formatBytes(n.bytes), cached: formatBytes(n.cachedBytes) })}
            {n.keep !== 'all' && n.alwaysBytes > 0 && ` · ${t('sync.alwaysKept', { bytes: formatBytes(n.alwaysBytes) })}`}
          </span>
        </span>
        {n.childCount > 0 && <span aria-hidden="true">›</span>}
      </button>
    </div>
  );
}

function useSettings(): [SyncSettings | null, (s: SyncSettings) => void] {
  const [settings, setSettings] = useState<SyncSettings | null>(null);
  useEffect(() => {
    void call(api()['sync:settings']({})).then(setSettings, () => {});
  }, []);
  return [settings, setSettings];
}
