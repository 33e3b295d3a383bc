// A floating tool window: dragged by its body, closed with a big ✕.
import { useLayoutEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { barTop, openTools, placeBeside } from './place';
import { useDrag } from './useDrag';

export function Panel({ title, onClose, children, at }: { title: string; onClose: () => void; children: ReactNode; at: { x: number; y: number } }) {
  const { t } = useTranslation();
  const { pos, setPos, handlers } = useDrag(at);
  const self = useRef<HTMLElement>(null);
  // Opened beside the tools already open rather than on top of them (before the first paint).
  useLayoutEffect(() => {
    const r = self.current!.getBoundingClientRect();
    setPos(placeBeside(at, { w: r.width, h: r.height }, openTools(self.current), { w: window.innerWidth, h: barTop() }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <section ref={self} className="tool-panel" role="dialog" aria-label={title} style={{ left: pos.x, top: pos.y }} {...handlers}>
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
