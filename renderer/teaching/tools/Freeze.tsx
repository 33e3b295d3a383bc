// Freeze: holds the current picture on screen (the video keeps its place behind it).
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export function Freeze({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current!;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(window.innerWidth * dpr);
    c.height = Math.round(window.innerHeight * dpr);
    const ctx = c.getContext('2d')!;
    ctx.scale(dpr, dpr);
    ctx.fillStyle = getComputedStyle(document.body).backgroundColor;
    ctx.fillRect(0, 0, window.innerWidth, window.innerHeight);
    for (const el of document.querySelectorAll<HTMLVideoElement | HTMLCanvasElement | HTMLImageElement>('.app__content video, .app__content canvas, .app__content img')) {
      const r = el.getBoundingClientRect();
      try {
        if (el instanceof HTMLVideoElement) {
          const fit = Math.min(r.width / el.videoWidth, r.height / el.videoHeight);
          const w = el.videoWidth * fit;
          const h = el.videoHeight * fit;
          ctx.drawImage(el, r.left + (r.width - w) / 2, r.top + (r.height - h) / 2, w, h);
        } else ctx.drawImage(el, r.left, r.top, r.width, r.height);
      } catch {
        // nothing to show yet
      }
    }
  }, []);
  return (
    <div className="freeze" role="dialog" aria-label={t('tools.freeze')}>
      <canvas ref={canvas} className="freeze__frame" />
      <div className="overlay-controls">
        <span className="tool-label">{t('tools.frozen')}</span>
        <button type="button" className="tool-close" aria-label={`${t('tools.close')}${t('tools.freeze')}`} onClick={onClose}>
          ✕
        </button>
      </div>
    </div>
  );
}
