import { useTranslation } from 'react-i18next';
import type { ResourceSummary } from '../../preload/contract';
import { go } from '../route';

// Geometric symbols that CJK system fonts carry (board PCs often have no emoji font).
const ICON: Record<ResourceSummary['type'], string> = { video: '▶', audio: '♪', pdf: '▤', image: '▨', document: '▤', exercise: '◎' };

/** A resource as one large touch row; its accessible name is its title. */
export function ResourceButton({ r, showPath }: { r: ResourceSummary; showPath?: boolean }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="row row--resource" onClick={() => go({ name: 'resource', id: r.id, type: r.type })}>
      <span className="row__icon" aria-hidden="true">
        {ICON[r.type]}
      </span>
      <span className="row__main">
        <span className="row__title">{r.title}</span>
        {showPath && (
          <span className="row__sub" aria-hidden="true">
            {r.path.join(' › ')}
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
