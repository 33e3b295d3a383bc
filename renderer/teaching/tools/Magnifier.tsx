// Magnifier: a lens the teacher drags over the video, PDF page, image or board;
// it redraws what is beneath it at 2.5× every frame.
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { barTop, openTools, placeBeside } from './place';
import { useDrag } from './useDrag';

const ZOOM = 2.5;
const SIZE = 360;

/** Maps a screen point to a source pixel of a video/img/canvas, allowing for object-fit: contain. */
function sourceRect(el: HTMLVideoElement | HTMLImageElement | HTMLCanvasElement) {
  const r = el.getBoundingClientRect();
  const iw = el instanceof HTMLVideoElement ? el.videoWidth : el instanceof HTMLImageElement ? el.naturalWidth : el.width;
  const ih = el instanceof HTMLVideoElement ? el.videoHeight : el instanceof HTMLImageElement ? el.naturalHeight : el.height;
  if (!iw || !ih) return null;
  const fit = el instanceof HTMLCanvasElement ? Math.max(r.width / iw, r.height / ih) : Math.min(r.width / iw, r.height / ih);
  const w = iw * fit;
  const h = ih * fit;
  return { left: r.left + (r.width - w) / 2, top: r.top + (r.height - h) / 2, fit };
}

export function Magnifier({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { pos, setPos, handlers } = useDrag({ x: window.innerWidth / 2 - SIZE / 2, y: window.innerHeight / 2 - SIZE / 2 });
  const canvas = useRef<HTMLCanvasElement>(null);
  const self = useRef<HTMLDivElement>(null);
  // In the middle unless a countdown or the picker is there: then beside it, so both show.
  useLayoutEffect(() => {
    setPos(placeBeside(pos, { w: SIZE, h: SIZE }, openTools(self.current), { w: window.innerWidth, h: barTop() }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const at = useRef(pos);
  at.current = pos;

  useEffect(() => {
    let frame = 0;
    const draw = () => {
      frame = requestAnimationFrame(draw);
      const c = canvas.current;
      if (!c) return;
      const ctx = c.getContext('2d')!;
      const cx = at.current.x + SIZE / 2;
      const cy = at.current.y + SIZE / 2;
      ctx.fillStyle = '#222';
      ctx.fillRect(0, 0, SIZE, SIZE);
      const layers = document.querySelectorAll<HTMLVideoElement | HTMLImageElement | HTMLCanvasElement>(
        '.app__content video, .app__content img, .app__content canvas.pdf-page, .app__content canvas.board-page__paper, .app__content canvas.ink-layer__canvas',
      );
      for (const el of layers) {
        const s = sourceRect(el);
        if (!s) continue;
        const sw = SIZE / ZOOM / s.fit;
        const sx = (cx - s.left) / s.fit - sw / 2;
        const sy = (cy - s.top) / s.fit - sw / 2;
        try {
          ctx.drawImage(el, sx, sy, sw, sw, 0, 0, SIZE, SIZE);
        } catch {
          // not decodable yet
        }
      }
    };
    draw();
    return () => cancelAnimationFrame(frame);
  }, []);

  return (
    <div ref={self} className="magnifier" role="dialog" aria-label={t('tools.magnifier')} style={{ left: pos.x, top: pos.y, width: SIZE, height: SIZE }} {...handlers}>
      <canvas ref={canvas} width={SIZE} height={SIZE} className="magnifier__lens" />
      <button type="button" className="tool-close magnifier__close" aria-label={`${t('tools.close')}${t('tools.magnifier')}`} onClick={onClose}>
        ✕
      </button>
    </div>
  );
}
