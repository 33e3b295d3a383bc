// Curtain: covers the lesson and is pulled up by its edge to reveal it gradually.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

export function Curtain({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [height, setHeight] = useState(100); // percent of the screen still covered
  return (
    <div className="curtain" role="dialog" aria-label={t('tools.curtain')} style={{ height: `${height}%` }}>
      <div className="overlay-controls">
        <button type="button" className="tool-close" aria-label={`${t('tools.close')}${t('tools.curtain')}`} onClick={onClose}>
          ✕
        </button>
      </div>
      <div
        className="curtain__edge"
        role="slider"
        aria-label={t('tools.curtainEdge')}
        aria-valuenow={Math.round(height)}
        aria-valuemin={0}
        aria-valuemax={100}
        tabIndex={0}
        onKeyDown={(e) => {
          if (e.key === 'ArrowUp') setHeight((h) => Math.max(0, h - 5));
          if (e.key === 'ArrowDown') setHeight((h) => Math.min(100, h + 5));
        }}
        onPointerDown={(e) => e.currentTarget.setPointerCapture(e.pointerId)}
        onPointerMove={(e) => {
          if (e.buttons) setHeight(Math.max(0, Math.min(100, (e.clientY / window.innerHeight) * 100)));
        }}
      >
        <span aria-hidden="true">⇕ {t('tools.curtainHint')}</span>
      </div>
    </div>
  );
}
