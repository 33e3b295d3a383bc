// Spotlight: the room sees only a circle the teacher drags; the rest is dimmed.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { barTop } from './place';
import { useDrag } from './useDrag';

export function Spotlight({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { pos, setPos } = useDrag({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
  const [radius, setRadius] = useState(() => Math.round(window.innerHeight / 5));
  // The dimming stops at the bottom bar, so 工具, the pens and page turning still take a finger.
  const [bottom, setBottom] = useState(() => window.innerHeight - barTop());
  useEffect(() => {
    const measure = () => setBottom(Math.max(0, window.innerHeight - barTop()));
    const bar = document.querySelector('.bottom-bar');
    const seen = new ResizeObserver(measure);
    if (bar) seen.observe(bar);
    window.addEventListener('resize', measure);
    return () => (seen.disconnect(), window.removeEventListener('resize', measure));
  }, []);
  return (
    <div
      className="spotlight"
      role="dialog"
      aria-label={t('tools.spotlight')}
      style={{ bottom, background: `radial-gradient(circle ${radius}px at ${pos.x}px ${pos.y}px, transparent ${radius - 2}px, rgba(0,0,0,0.88) ${radius}px)` }}
      onPointerDown={(e) => {
        if ((e.target as HTMLElement).closest('button')) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        setPos({ x: e.clientX, y: e.clientY });
      }}
      onPointerMove={(e) => e.buttons && setPos({ x: e.clientX, y: e.clientY })}
    >
      <div className="overlay-controls">
        <button type="button" className="tool-button" aria-label={t('tools.smaller')} onClick={() => setRadius((r) => Math.max(60, r - 40))}>
          －
        </button>
        <button type="button" className="tool-button" aria-label={t('tools.larger')} onClick={() => setRadius((r) => r + 40)}>
          ＋
        </button>
        <button type="button" className="tool-close" aria-label={`${t('tools.close')}${t('tools.spotlight')}`} onClick={onClose}>
          ✕
        </button>
      </div>
    </div>
  );
}
