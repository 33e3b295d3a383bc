// The free board: pages the teacher adds and removes, each with a template and
// its own ink. The page list is kept on this board PC; the ink in the library.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { useBackStep } from '../../back';
import { BoardPage } from './BoardPage';
import { DeletePageConfirm } from './DeletePageConfirm';
import { TEMPLATES, type Template } from './templates';

type Page = { id: string; template: Template };
const KEY = 'classboard.board.pages';
const INK_TARGET = 'board:free';

function loadPages(): Page[] {
  try {
    const pages = JSON.parse(localStorage.getItem(KEY) ?? '[]') as Page[];
    if (Array.isArray(pages) && pages.length > 0 && pages.every((p) => TEMPLATES.includes(p.template))) return pages;
  } catch {
    // a damaged list: start a fresh board
  }
  return [{ id: Date.now().toString(36), template: 'green' }];
}

export function BoardView() {
  const { t } = useTranslation();
  const [pages, setPages] = useState<Page[]>(loadPages);
  const [current, setCurrent] = useState(0);
  const [picking, setPicking] = useState(false);
  // Esc and 返回 close the 新建一页 sheet, not the board.
  useBackStep(picking, () => setPicking(false));
  const [confirming, setConfirming] = useState(false);
  /** Strokes on the page shown, as its ink layer last said (tagged: a page loading says nothing yet). */
  const [ink, setInk] = useState<{ page: string; count: number } | null>(null);
  const index = Math.min(current, pages.length - 1);
  const page = pages[index]!;

  useEffect(() => localStorage.setItem(KEY, JSON.stringify(pages)), [pages]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'PageDown') setCurrent((c) => Math.min(pages.length - 1, c + 1));
      if (e.key === 'PageUp') setCurrent((c) => Math.max(0, c - 1));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [pages.length]);

  const add = (template: Template) => {
    const next = [...pages.slice(0, current + 1), { id: Date.now().toString(36), template }, ...pages.slice(current + 1)];
    setPages(next);
    setCurrent(current + 1);
    setPicking(false);
  };
  const remove = () => {
    setConfirming(false);
    if (pages.length === 1) return;
    setPages(pages.filter((_, i) => i !== index));
    setCurrent(Math.max(0, index - 1));
    // Its ink goes with it: nothing shows a deleted page's strokes again.
    call(api()['annotations:clear']({ target: INK_TARGET, page: page.id })).catch((err: Error) => console.warn('ink:', err.message));
  };
  // A page with ink (or whose ink has not loaded yet) asks first; an empty one goes at once.
  const askRemove = () => {
    if (pages.length === 1) return;
    if (ink?.page === page.id && ink.count === 0) remove();
    else setConfirming(true);
  };

  return (
    <div className="board">
      <div className="board__stage">
        <BoardPage
          key={page.id}
          template={page.template}
          inkTarget={INK_TARGET}
          inkPage={page.id}
          label={t(`board.templates.${page.template}`)}
          onStrokes={(count) => setInk({ page: page.id, count })}
        />
      </div>
      <nav className="board__pages" aria-label={t('board.pages')}>
        {pages.map((p, i) => (
          <button key={p.id} type="button" className="board__thumb" aria-current={i === current} aria-label={t('board.page', { n: i + 1 })} onClick={() => setCurrent(i)}>
            {i + 1}
          </button>
        ))}
        <button type="button" className="board__thumb" aria-label={t('board.addPage')} onClick={() => setPicking(true)}>
          ＋
        </button>
        <button type="button" className="board__thumb" aria-label={t('board.deletePage')} disabled={pages.length === 1} onClick={askRemove}>
          －
        </button>
      </nav>
      {picking && (
        <div className="sheet" role="dialog" aria-label={t('board.addPage')}>
          <div className="sheet__grid">
            {TEMPLATES.map((tpl) => (
              <button key={tpl} type="button" className="sheet__choice" onClick={() => add(tpl)}>
                {t(`board.templates.${tpl}`)}
              </button>
            ))}
          </div>
          <button type="button" className="bar-button sheet__close" aria-label={t('tools.close')} onClick={() => setPicking(false)}>
            ✕
          </button>
        </div>
      )}
      {confirming && <DeletePageConfirm onDelete={remove} onCancel={() => setConfirming(false)} />}
    </div>
  );
}
