// A floating tool window: dragged by its body, closed with a big ✕.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useDrag } from './useDrag';

export function Panel({ title, onClose, children, at }: { title: string; onClose: () => void; children: ReactNode; at: { x: number; y: number } }) {
  const { t } = useTranslation();
  const { pos, handlers } = useDrag(at);
  return (
    <section className="tool-panel" role="dialog" aria-label={title} style={{ left: pos.x, top: pos.y }} {...handlers}>
      <header className="tool-panel__head">
        <h2 className="tool-panel__title">{title}</h2>
        <button type="button" className="tool-close" aria-label={`${t('tools.close')}${title}`} onClick={onClose}>
          ✕
        </button>
      </header>
      {children}
    </section>
  );
}
