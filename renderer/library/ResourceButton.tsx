import { useTranslation } from 'react-i18next';
import type { ResourceSummary } from '../../preload/contract';
import { go } from '../route';
import { WherePath } from './WherePath';

// Geometric symbols that CJK system fonts carry (board PCs often have no emoji font).
const ICON: Record<ResourceSummary['type'], string> = { video: '▶', audio: '♪', pdf: '▤', image: '▨', document: '▤', exercise: '◎' };

/**
 * A resource as one large touch row; its accessible name is its title. `sub`:
 * where it sits, lesson and unit first (search), or only its lesson (recent and
 * favourites, where a bare 学习任务单 could be any lesson's).
 */
export function ResourceButton({ r, sub }: { r: ResourceSummary; sub?: 'path' | 'lesson' }) {
  const { t } = useTranslation();
  const where = sub === 'lesson' ? (r.path.at(-1) ?? '') : '';
  return (
    <button type="button" className="row row--resource" onClick={() => go({ name: 'resource', id: r.id, type: r.type })}>
      <span className="row__icon" aria-hidden="true">
        {ICON[r.type]}
      </span>
      <span className="row__main">
        <span className="row__title">{r.title}</span>
        {sub === 'path' && <WherePath path={r.path} hidden />}
        {where && where !== r.title && (
          <span className="row__sub" aria-hidden="true">
            {where}
          </span>
        )}
      </span>
      {!r.ready && <span className="row__tag row__tag--missing">{t('library.notDownloaded')}</span>}
      <span className="row__tag" aria-hidden="true">
        {t(`library.types.${r.type}`)}
      </span>
    </button>
  );
}
