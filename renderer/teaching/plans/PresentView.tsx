// Presenting a lesson plan in order: PageDown/PageUp (or the clicker) step
// through its resources and board pages.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { useLibraryData } from '../../library/useApi';
import { go } from '../../route';
import { BoardPage } from '../board/BoardPage';
import { LessonView } from '../LessonView';

export function PresentView({ id, index }: { id: number; index: number }) {
  const { t } = useTranslation();
  const { data: plan, error } = useLibraryData(() => call(api()['plans:get']({ id })), [id]);
  const count = plan?.items.length ?? 0;
  const item = plan?.items[Math.min(index, Math.max(0, count - 1))];

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A PDF turns its own pages; everything else steps through the plan.
      if (item?.kind === 'resource' && item.type === 'pdf' && (e.key === 'PageDown' || e.key === 'PageUp')) return;
      if ((e.key === 'PageDown' || e.key === 'ArrowDown') && index < count - 1) go({ name: 'present', id, index: index + 1 });
      if ((e.key === 'PageUp' || e.key === 'ArrowUp') && index > 0) go({ name: 'present', id, index: index - 1 });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [id, index, count, item]);

  if (error) return <p className="notice notice--error">{error}</p>;
  if (!plan || !item) return <p className="notice">{plan ? t('plans.empty') : t('lesson.loading')}</p>;
  return (
    <div className="present">
      <div className="present__stage">
        {item.kind === 'board' ? (
          <div className="board__stage present__board">
            <BoardPage key={`${id}-${index}`} template={item.template} inkTarget={`plan:${id}`} inkPage={String(index)} label={t(`board.templates.${item.template}`)} />
          </div>
        ) : (
          <LessonView key={item.resourceId} id={item.resourceId} type={item.type ?? undefined} presenting />
        )}
      </div>
      <div className="present__nav" aria-label={plan.title}>
        <button type="button" className="bar-button" aria-label={t('plans.prev')} disabled={index === 0} onClick={() => go({ name: 'present', id, index: index - 1 })}>
          ◀
        </button>
        <span className="player-bar__time">{t('plans.position', { n: index + 1, total: count })}</span>
        <button type="button" className="bar-button" aria-label={t('plans.next')} disabled={index >= count - 1} onClick={() => go({ name: 'present', id, index: index + 1 })}>
          ▶
        </button>
      </div>
    </div>
  );
}
