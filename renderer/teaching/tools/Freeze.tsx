// Freeze: holds the current picture on screen while the teacher talks over it. A
// playing lesson video (or recording) is held at that frame too, silent, and goes on
// from there when the freeze is closed; one she had paused stays paused.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { isFormField } from '../../keys';

export function Freeze({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    // Paused before the still is drawn, so the still and the moment the video waits at are one frame.
    const held = holdPlaying();
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
    // Space would start the video behind the still (even its ▶ button, focused, takes Space);
    // a tool's own buttons (this ✕, a countdown's above the still) keep it.
    const stillSpace = (e: KeyboardEvent) => {
      if (e.key !== ' ' || isFormField(e.target) || (e.target instanceof Element && e.target.closest('.tool-layer'))) return;
      e.preventDefault();
      e.stopImmediatePropagation();
    };
    window.addEventListener('keydown', stillSpace, true);
    // Whatever else starts it (a media key) is stopped at once, and the moment it ran on is taken back.
    const at = new Map(lessonMedia().map((v) => [v, v.currentTime]));
    const keepStill = (e: Event) => {
      const v = e.target;
      if (!(v instanceof HTMLMediaElement) || !v.closest('.app__content')) return;
      v.pause();
      const still = at.get(v);
      if (still !== undefined) v.currentTime = still;
    };
    document.addEventListener('play', keepStill, true); // media events do not bubble; capture sees them
    const frozenAt = window.location.hash;
    return () => {
      document.removeEventListener('play', keepStill, true);
      window.removeEventListener('keydown', stillSpace, true);
      // Closed by ✕, Esc or 返回: what was playing plays on. Not when the freeze closes because
      // the lesson was left, or after the clicker stepped on while frozen: that video would play
      // unseen (the lesson's page goes in a later commit than the freeze, so it is still here now).
      if (window.location.hash !== frozenAt) return;
      for (const v of held) if (v.isConnected && v.paused && !v.error) void v.play().catch(() => {});
    };
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

/** Pauses the lesson's playing media (not one that ended or failed, which is not playing) and returns them. */
function holdPlaying(): HTMLMediaElement[] {
  const playing = lessonMedia().filter((v) => !v.paused && !v.ended && !v.error);
  for (const v of playing) v.pause();
  return playing;
}

const lessonMedia = () => [...document.querySelectorAll<HTMLMediaElement>('.app__content video, .app__content audio')];
