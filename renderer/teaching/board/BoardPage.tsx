// One board page: the template painted to fit, with its own ink on top.
import { useEffect, useRef } from 'react';
import { useInk } from '../ink/context';
import { InkLayer } from '../ink/InkLayer';
import { CONTENT_WIDTH, defaultInkColor, drawTemplate, type Template } from './templates';

export function BoardPage({
  template,
  inkTarget,
  inkPage,
  label,
  onStrokes,
}: {
  template: Template;
  inkTarget: string;
  inkPage: string;
  label: string;
  /** Strokes on the page now, once its ink has loaded and after every change. */
  onStrokes?: (count: number) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const ink = useInk();

  // A board page is for writing: the pen is ready, in chalk that shows on this paper.
  useEffect(() => {
    ink.setSettings({ ...ink.settings, mode: 'pen', color: defaultInkColor(template) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [inkTarget, inkPage]);

  useEffect(() => {
    const el = host.current!;
    const paint = () => {
      const c = canvas.current!;
      const dpr = window.devicePixelRatio || 1;
      const w = el.clientWidth;
      const h = el.clientHeight;
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      c.style.width = `${w}px`;
      c.style.height = `${h}px`;
      const k = (w / CONTENT_WIDTH) * dpr;
      const ctx = c.getContext('2d')!;
      ctx.setTransform(k, 0, 0, k, 0, 0);
      drawTemplate(ctx, template, CONTENT_WIDTH, h / (w / CONTENT_WIDTH));
      c.dataset.template = template;
    };
    paint();
    const ro = new ResizeObserver(paint);
    ro.observe(el);
    return () => ro.disconnect();
  }, [template]);

  return (
    <div className="board-page" ref={host}>
      <canvas ref={canvas} className="board-page__paper" role="img" aria-label={label} />
      <InkLayer ref={ink.layer} target={inkTarget} page={inkPage} settings={ink.settings} contentWidth={CONTENT_WIDTH} onChange={onStrokes && ((m) => onStrokes(m.strokes.length))} />
    </div>
  );
}
