// Presenting one lesson resource: the video, courseware or image full-size, the
// lesson's other resources one tap away, and a favourite toggle.
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Resource, ResourceFile } from '../../preload/contract';
import { api, call } from '../api/client';
import { useLibraryData } from '../library/useApi';
import { go } from '../route';
import { VideoPlayer } from './VideoPlayer';

const PdfView = lazy(() => import('./PdfView').then((m) => ({ default: m.PdfView })));

/** The rendition to play: the classroom's 1080p or less, cached, highest first. */
export function pickMain(files: ResourceFile[], maxHeight = 1080): ResourceFile | null {
  const mains = files.filter((f) => f.role === 'main' && f.cached);
  const fitting = mains.filter((f) => (f.height ?? 0) <= maxHeight).sort((a, b) => (b.height ?? 0) - (a.height ?? 0));
  return fitting[0] ?? mains[0] ?? null;
}

export function LessonView({ id }: { id: string }) {
  const { t } = useTranslation();
  const { data: resource, error } = useLibraryData(() => call(api()['library:open']({ id })), [id]);
  const [favourite, setFavourite] = useState(false);
  useEffect(() => setFavourite(resource?.favourite ?? false), [resource]);
  const siblings = useLibraryData(
    () => (resource ? call(api()['library:tree']({ parent: resource.nodeId })) : Promise.resolve(null)),
    [resource?.nodeId],
  ).data;

  useEffect(() => {
    const list = siblings?.resources ?? [];
    const onKey = (e: KeyboardEvent) => {
      if (resource?.type === 'pdf') return; // the PDF uses PageUp/PageDown for its pages
      const i = list.findIndex((r) => r.id === id);
      if (e.key === 'PageDown' && i >= 0 && i < list.length - 1) go({ name: 'resource', id: list[i + 1]!.id });
      if (e.key === 'PageUp' && i > 0) go({ name: 'resource', id: list[i - 1]!.id });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [siblings, id, resource?.type]);

  if (error) return <p className="notice notice--error">{t('lesson.failed', { message: error })}</p>;
  if (!resource) return <p className="notice">{t('lesson.loading')}</p>;

  return (
    <div className="lesson">
      <header className="lesson__head">
        <div className="lesson__titles">
          <h1 className="lesson__title">{resource.title}</h1>
          <p className="lesson__path">{resource.path.join(' › ')}</p>
        </div>
        <button
          type="button"
          className="bar-button"
          aria-pressed={favourite}
          aria-label={favourite ? t('lesson.unfavourite') : t('lesson.favourite')}
          onClick={() => void call(api()['library:favourite']({ id, favourite: !favourite })).then((r) => setFavourite(r.favourite))}
        >
          <span aria-hidden="true">{favourite ? '★' : '☆'}</span>
        </button>
      </header>
      <div className="lesson__body">
        <div className="lesson__stage">
          <Present resource={resource} />
        </div>
        {siblings && siblings.resources.length > 1 && (
          <nav className="lesson__list" aria-label={resource.path.at(-1)}>
            {siblings.resources.map((r) => (
              <button
                key={r.id}
                type="button"
                className={`row row--compact${r.id === id ? ' row--current' : ''}`}
                aria-current={r.id === id}
                onClick={() => go({ name: 'resource', id: r.id })}
              >
                <span className="row__title">{r.title}</span>
                <span className="row__tag" aria-hidden="true">
                  {t(`library.types.${r.type}`)}
                </span>
              </button>
            ))}
          </nav>
        )}
      </div>
    </div>
  );
}

function Present({ resource }: { resource: Resource }) {
  const { t } = useTranslation();
  const main = pickMain(resource.files);
  if (!main?.url) return <p className="notice">{t('lesson.notDownloaded')}</p>;
  const poster = resource.files.find((f) => f.role === 'poster' && f.url)?.url ?? undefined;
  if (main.mime.startsWith('video/') || main.mime.startsWith('audio/')) {
    return <VideoPlayer key={main.url} src={main.url} poster={poster} title={resource.title} />;
  }
  if (main.mime === 'application/pdf') {
    return (
      <Suspense fallback={<p className="notice">{t('lesson.pdfLoading')}</p>}>
        <PdfView src={main.url} title={resource.title} />
      </Suspense>
    );
  }
  if (main.mime.startsWith('image/')) {
    return (
      <div className="stage">
        <img className="stage__image" src={main.url} alt={resource.title} />
      </div>
    );
  }
  return <p className="notice">{resource.title}</p>;
}
