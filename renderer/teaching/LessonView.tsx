// Presenting one lesson resource: the video, courseware or image full-size, the
// lesson's other resources one tap away, and a favourite toggle.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes, pickRendition, resourceMediaPath, type LessonFetch, type Resource, type ResourceType, type WaitingResource } from '../../preload/contract';
import { api, call, inPageLanguage, mediaBase, plainMessage } from '../api/client';
import { HubUnreachable } from '../components/HubUnreachable';
import { TroubleLine } from '../sync/TroubleLine';
import { fetchEnded, useLessonFetch } from '../sync/useLessonFetch';
import { usePresenting } from './usePresenting';
import { useLibraryData } from '../library/useApi';
import { go } from '../route';
import { useInk } from './ink/context';
import { InkLayer } from './ink/InkLayer';
import { PagerContext, usePager, usePresenterKeys } from './plans/pager';
import { VideoPlayer } from './VideoPlayer';

const PdfView = lazy(() => import('./PdfView').then((m) => ({ default: m.PdfView })));
// pdf.js and its worker start at the tap, in parallel with library:open (tap → first page).
const warmPdf = () => void import('./PdfView').then((m) => m.warmPdf()).catch(() => {});

/** `presenting`: shown inside a lesson plan, which owns PageUp/PageDown and the running order. */
export function LessonView({ id, type, presenting = false }: { id: string; type?: ResourceType; presenting?: boolean }) {
  const { t } = useTranslation();
  const { data: resource, error, unreachable } = useLibraryData(() => call(api()['library:open']({ id })), [id]);
  const [favourite, setFavourite] = useState(false);
  // Class time only while something is shown: the "not downloaded" notice must not slow the sync that would fetch it.
  const showing = resource !== null && pickRendition(resource.files) !== null;
  usePresenting(showing);
  const [moment, setMoment] = useState<number | null>(null);
  const onMoment = useCallback((m: number | null) => setMoment(m), []);
  const ink = useInk();
  // Ink on a video belongs to the paused moment; while it plays, no ink shows.
  const videoInk =
    moment === null ? null : <InkLayer ref={ink.layer} target={id} page={`t${moment}`} settings={ink.settings} contentWidth={1920} />;
  useEffect(() => setFavourite(resource?.favourite ?? false), [resource]);
  useEffect(() => {
    if (type === 'pdf') warmPdf();
  }, [type]);
  const siblings = useLibraryData(
    () => (resource ? call(api()['library:tree']({ parent: resource.nodeId })) : Promise.resolve(null)),
    [resource?.nodeId],
  ).data;
  const notCached = resource !== null && !showing;
  // What of the lesson is not here, judged as 今日课表 judges its period: the video on screen does not make the lesson ready.
  // In a plan (no lesson list), only for a resource not here: what its 现在下载这节课 still left missing.
  const askWaiting = !presenting || notCached;
  const waiting = useLibraryData(() => (askWaiting ? call(api()['library:waiting']({ id })) : Promise.resolve(null)), [id, askWaiting]).data?.waiting ?? null;
  const missing = new Set(waiting?.map((w) => w.id));
  const lessonWaiting = waiting?.length ? t('lesson.waiting', { count: waiting.length, titles: waiting.map((w) => w.title).join('、') }) : null;

  // The lesson's resources page like a plan's items (plans/pager.ts): a PDF's pages
  // first, then the next or previous resource; stepped back to, a PDF opens on its last page.
  const plan = usePager();
  const [backTo, setBackTo] = useState<string | null>(null);
  useEffect(() => setBackTo((b) => (b === id ? b : null)), [id]);
  const step = (by: 1 | -1) => {
    const list = siblings?.resources ?? [];
    const i = list.findIndex((r) => r.id === id);
    const to = i >= 0 ? list[i + by] : undefined;
    if (!to) return;
    setBackTo(by < 0 ? to.id : null);
    go({ name: 'resource', id: to.id, type: to.type });
  };
  const shownType = resource?.type ?? type;
  const pager = usePresenterKeys(step, {
    media: shownType === 'video' || shownType === 'audio',
    fromEnd: backTo === id,
    enabled: !presenting && !plan, // in a plan, the plan's keys rule
  });

  // The hub not answering is said once, plainly; the lesson opens by itself when it is back (useLibraryData).
  if (unreachable) return <HubUnreachable />;
  if (error) return <p className="notice notice--error">{t('lesson.failed', { message: error })}</p>;
  // A tapped video starts loading now, in parallel with library:open (tap → first frame).
  const early = type === 'video' || type === 'audio' ? `${mediaBase()}${resourceMediaPath(id)}` : null;
  if (!resource && !early) return <p className="notice">{t('lesson.loading')}</p>;

  return (
    <PagerContext.Provider value={plan ?? pager}>
    <div className="lesson">
      <header className="lesson__head">
        <div className="lesson__titles">
          <h1 className="lesson__title">{resource?.title ?? '\u00a0'}</h1>
          <p className="lesson__path">{resource?.path.join(' › ') ?? '\u00a0'}</p>
        </div>
        <button
          type="button"
          className="bar-button"
          aria-pressed={favourite}
          aria-label={favourite ? t('lesson.unfavourite') : t('lesson.favourite')}
          disabled={!resource}
          onClick={() => void call(api()['library:favourite']({ id, favourite: !favourite })).then((r) => setFavourite(r.favourite))}
        >
          <span aria-hidden="true">{favourite ? '★' : '☆'}</span>
        </button>
      </header>
      <div className="lesson__body">
        <div className="lesson__stage">
          {notCached ? (
            <NotDownloaded resource={resource} waiting={waiting} />
          ) : early ? (
            <VideoPlayer
              key={early}
              src={early}
              poster={resource?.files.find((f) => f.role === 'poster' && f.url)?.url ?? undefined}
              title={resource?.title ?? ''}
              resumeId={id}
              onMoment={onMoment}
              overlay={videoInk}
            />
          ) : (
            resource && <Present resource={resource} waiting={waiting} onMoment={onMoment} videoInk={videoInk} />
          )}
        </div>
        {!presenting && resource && siblings && siblings.resources.length > 1 && (
          <nav className="lesson__list" aria-label={resource.path.at(-1)}>
            {/* The resource on screen shows, but the rest of its lesson is not all here: said, with the same 现在下载这节课. */}
            {showing && lessonWaiting && (
              <div className="lesson__waiting">
                {resource.syncable ? (
                  <FetchNow resource={resource} waiting={waiting} said={lessonWaiting} />
                ) : (
                  <p role="status">{lessonWaiting}</p>
                )}
              </div>
            )}
            {siblings.resources.map((r) => (
              <button
                key={r.id}
                type="button"
                className={`row row--compact${r.id === id ? ' row--current' : ''}`}
                aria-current={r.id === id}
                onClick={() => go({ name: 'resource', id: r.id, type: r.type })}
              >
                <span className="row__title">{r.title}</span>
                <span className="row__tag" aria-hidden="true">
                  {t(`library.types.${r.type}`)}
                </span>
                {missing.has(r.id) && <span className="row__tag row__tag--missing">{t('library.notDownloaded')}</span>}
              </button>
            ))}
          </nav>
        )}
      </div>
    </div>
    </PagerContext.Provider>
  );
}

/**
 * Why a resource is not here and what will bring it: tonight's sync (kept), the
 * teacher's say-so (not in the offline selection: one tap keeps its lesson), or
 * its folder again (imported from a USB stick); and, but for the folder, a
 * download now, for a lesson that starts before tonight.
 */
function NotDownloaded({ resource, waiting }: { resource: Resource; waiting: WaitingResource[] | null }) {
  const { t } = useTranslation();
  const [kept, setKept] = useState(resource.kept);
  const [error, setError] = useState<string | null>(null);
  if (!resource.syncable) return <p className="notice">{t('lesson.onlyInFolder')}</p>;
  const now = <FetchNow resource={resource} waiting={waiting} />;
  if (kept)
    return (
      <div className="notice">
        <p>{t('lesson.notDownloaded')}</p>
        {now}
      </div>
    );
  // Keeping a unit's or a volume's material keeps all of it (gigabytes): that is the sync page's tree, with its sizes.
  if (resource.nodeKind !== 'lesson')
    return (
      <div className="notice">
        <p>{t('lesson.notSelectedPart')}</p>
        <button type="button" className="bar-button" onClick={() => go({ name: 'sync', node: resource.nodeId })}>
          {t('lesson.openInSync')}
        </button>
        {now}
      </div>
    );
  return (
    <div className="notice">
      <p>{t('lesson.notSelected')}</p>
      <button
        type="button"
        className="bar-button"
        onClick={() =>
          void call(api()['sync:keep']({ ids: [resource.nodeId], keep: true })).then(
            () => setKept(true),
            (err: unknown) => setError(plainMessage(err)),
          )
        }
      >
        {t('lesson.keepTonight')}
      </button>
      {now}
      {error && <p className="notice--error">{error}</p>}
    </div>
  );
}

/**
 * 现在下载这节课: the files of every resource of this lesson now (one on a unit's or
 * a volume's node: its own), through the sync (its rendition, cap and checks), with
 * their progress here and on each of the lesson's resources. Once they are in, the
 * library says ready and the lesson view shows it (useLibraryData reloads on the end).
 * A fetch that ended with the lesson still not whole (`waiting` loaded again since
 * still names some of it: the classroom's rendition raised while the video came, a
 * file gone since) says so and what is missing, and offers 重新下载: it read
 * 已下载，正在打开… for good. `said`: the sentence above it (what the lesson lacks),
 * which that one replaces.
 */
function FetchNow({ resource, waiting, said }: { resource: Resource; waiting: WaitingResource[] | null; said?: string }) {
  const { t } = useTranslation();
  const { task, refused, start, stillMissing } = useLessonFetch(resource.id, waiting);
  const head = stillMissing ? fetchEnded(t, stillMissing) : said;
  return (
    <>
      {head && <p role="status">{head}</p>}
      <FetchState resource={resource} task={task} refused={refused} start={start} ended={stillMissing !== null} />
    </>
  );
}

/** The fetch's part of 现在下载这节课: its progress, 已下载，正在打开… until the lesson shows, else its button and why the last one failed. */
function FetchState({ resource, task, refused, start, ended }: { resource: Resource; task: LessonFetch | null; refused: string | null; start: () => void; ended: boolean }) {
  const { t } = useTranslation();
  if (task?.state === 'running') {
    const pct = task.totalBytes > 0 ? Math.round((task.bytes / task.totalBytes) * 100) : 0;
    return (
      <div className="fetch-now" role="status">
        <p>
          {task.resources.length > 1
            ? t('lesson.fetchingLesson', { count: task.resources.length, done: formatBytes(task.bytes), total: formatBytes(task.totalBytes) })
            : t('lesson.fetching', { done: formatBytes(task.bytes), total: formatBytes(task.totalBytes) })}
        </p>
        <div className="progress" role="progressbar" aria-label={t('lesson.fetchNow')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
          <div className="progress__fill" style={{ width: `${pct}%` }} />
        </div>
        {task.joined && <p className="muted">{t('lesson.fetchJoined')}</p>}
        {/* The sync page's words: a run waiting for a rebooting hub says so, not "retrying". */}
        {task.trouble && <TroubleLine trouble={task.trouble} className="muted" live={false} />}
      </div>
    );
  }
  if (task?.state === 'done' && !ended) return <p role="status">{t('lesson.fetched')}</p>;
  const failure = task?.state === 'failed' ? task.failures[0] : undefined;
  return (
    <div className="fetch-now">
      <button type="button" className="bar-button bar-button--primary" onClick={start}>
        {failure || ended ? t('lesson.fetchAgain') : resource.nodeKind === 'lesson' ? t('lesson.fetchNow') : t('lesson.fetchNowOne')}
      </button>
      {failure && (
        <p className="notice--error" role="alert">
          {t(`lesson.fetchFailed.${failure.reason}`, { error: inPageLanguage(failure.error) })}
        </p>
      )}
      {refused && (
        <p className="notice--error" role="alert">
          {refused}
        </p>
      )}
    </div>
  );
}

function Present({
  resource,
  waiting,
  onMoment,
  videoInk,
}: {
  resource: Resource;
  waiting: WaitingResource[] | null;
  onMoment: (m: number | null) => void;
  videoInk: React.ReactNode;
}) {
  const { t } = useTranslation();
  const ink = useInk();
  const main = pickRendition(resource.files);
  if (!main?.url) return <NotDownloaded resource={resource} waiting={waiting} />;
  const poster = resource.files.find((f) => f.role === 'poster' && f.url)?.url ?? undefined;
  if (main.mime.startsWith('video/') || main.mime.startsWith('audio/')) {
    return (
      <VideoPlayer key={main.url} src={main.url} poster={poster} title={resource.title} resumeId={resource.id} onMoment={onMoment} overlay={videoInk} />
    );
  }
  if (main.mime === 'application/pdf') {
    return (
      <Suspense fallback={<p className="notice">{t('lesson.pdfLoading')}</p>}>
        <PdfView src={main.url} title={resource.title} inkTarget={resource.id} />
      </Suspense>
    );
  }
  if (main.mime.startsWith('image/')) {
    return (
      <div className="stage">
        <img className="stage__image" src={main.url} alt={resource.title} />
        <InkLayer ref={ink.layer} target={resource.id} page="p1" settings={ink.settings} contentWidth={1920} />
      </div>
    );
  }
  return <p className="notice">{resource.title}</p>;
}
