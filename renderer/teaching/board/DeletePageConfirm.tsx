// Asks before a board page with ink is deleted: － sits right under ＋, so a
// mis-tap must not take a page of writing with it. Centred over the board, away
// from －, so a double tap cannot answer it; 取消, Esc, 返回 or a tap beside it keep the page.
import { useTranslation } from 'react-i18next';
import { useBackStep } from '../../back';

/** `title` and `detail` name what else is deleted (a whole 备课 reuses it); a board page's by default. */
export function DeletePageConfirm({ onDelete, onCancel, title, detail }: { onDelete: () => void; onCancel: () => void; title?: string; detail?: string }) {
  const { t } = useTranslation();
  useBackStep(true, onCancel);
  return (
    <div className="board-confirm" onClick={onCancel}>
      <div
        className="board-confirm__box"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="board-confirm-title"
        aria-describedby="board-confirm-detail"
        onClick={(e) => e.stopPropagation()}
      >
        <p id="board-confirm-title" className="board-confirm__title">
          {title ?? t('board.deleteAsk')}
        </p>
        <p id="board-confirm-detail" className="board-confirm__detail">
          {detail ?? t('board.deleteAskDetail')}
        </p>
        <div className="board-confirm__actions">
          <button type="button" className="board-confirm__button" autoFocus onClick={onCancel}>
            {t('board.deleteNo')}
          </button>
          <button type="button" className="board-confirm__button board-confirm__button--danger" onClick={onDelete}>
            {t('board.deleteYes')}
          </button>
        </div>
      </div>
    </div>
  );
}
