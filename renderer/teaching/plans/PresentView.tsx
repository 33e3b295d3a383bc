// Presenting a lesson plan in order: PageDown/PageUp (or the clicker, or arrows)
// step through its resources and board pages, and through a PDF's pages on the way.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { useLibraryData } from '../../library/useApi';
import { goInstead } from '../../route';
import { BoardPage } from '../board/BoardPage';
import { LessonView } from '../LessonView';
import { usePresenting } from '../usePresenting';
import { PagerContext, usePresenterKeys } from './pager';

export function PresentView({ id, index }: { id: number; index: number }) {
  const { t } = useTranslation();
  // The whole presentation is class time, board pages too (its lessons count as well; the page counts once).
  usePresenting();
  const { data: plan, error } = useLibraryData(() => call(api()['plans:get']({ id })), [id]);
  const count = plan?.items.length ?? 0;
  const item = plan?.items[Math.min(index, Math.max(0, count - 1))];
  // The item reached by stepping back, so a PDF there opens on its last page.
  const [backTo, setBackTo] = useState<number | null>(null);

  const step = (by: 1 | -1) => {
    const to = index + by;
    if (to < 0 || to >= count) return;
    setBackTo(by < 0 ? to : null);
    // In place: the presentation is one page, which Esc and 返回 leave for its plan.
    goInstead({ name: 'present', id, index: to });
  };
  // The one rule (pager.ts): the item's own pages first (a PDF), then the plan. Left/Right seek a video.
  const pager = usePresenterKeys(step, {
    media: item?.kind === 'resource' && (item.type === 'video' || item.type === 'audio'),
    fromEnd: backTo === index,
  });

  if (error) return <p className="notice notice--error">{error}</p>;
  if (!plan || !item) return <p className="notice">{plan ? t('plans.empty') : t('lesson.loading')}</p>;
  return (
    <PagerContext.Provider value={pager}>
      <div className="present">
        <div className="present__stage">
          {item.kind === 'board' ? (
            <div className="board__stage present__board">
              <BoardPage key={`${id}-${index}`} template={item.template} inkTarget={`plan:${id}`} inkPage={String(index)} label={t(`board.templates.${item.template}`)} />
            </div>
          ) : (
            <LessonView key={`${index}-${item.resourceId}`} id={item.resourceId} type={item.type ?? undefined} presenting />
          )}
        </div>
        <div className="present__nav" aria-label={plan.title}>
          {/* Worded, with open chevrons: under a PDF's own ◀ ▶ (its pages) and a video's ▶ (play), these step through the plan. */}
          <button type="button" className="bar-button" aria-label={t('plans.prev')} disabled={index === 0} onClick={() => step(-1)}>
            <span aria-hidden="true">‹</span> {t('plans.prev')}
          </button>
          <span className="player-bar__time">{t('plans.position', { n: index + 1, total: count })}</span>
          <button type="button" className="bar-button" aria-label={t('plans.next')} disabled={index >= count - 1} onClick={() => step(1)}>
            {t('plans.next')} <span aria-hidden="true">›</span>
          </button>
        </div>
      </div>
    </PagerContext.Provider>
  );
}
