// Courseware PDF through pdf.js, loaded only when a PDF is opened (it is large).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { plainMessage } from '../api/client';
import { isFormField } from '../keys';
import { useInk } from './ink/context';
import { InkLayer } from './ink/InkLayer';
import { keyStep, usePager } from './plans/pager';

type Doc = { numPages: number; getPage(n: number): Promise<PdfPage>; destroy(): Promise<void> };
type PdfPage = {
  getViewport(o: { scale: number }): { width: number; height: number };
  render(o: { canvas: HTMLCanvasElement; canvasContext: CanvasRenderingContext2D; viewport: unknown }): { promise: Promise<void> };
};

type PdfJs = typeof import('pdfjs-dist');
let ready: Promise<{ pdfjs: PdfJs; worker: InstanceType<PdfJs['PDFWorker']>; failed: Promise<never> }> | null = null;

/**
 * Starts pdf.js and its worker, once per board session. LessonView calls it at the tap on a
 * PDF, alongside library:open. The worker's script (1.2 MB) loads and compiles on its own
 * thread while pdf.js's main module does here, instead of after it; and every PDF opened
 * after the first finds it running (pdf.js would start a new one per document).
 */
const WORKER_FAILED = '课件查看器没有加载成功，请检查与学校中心服务的网络后再打开 / the PDF viewer (pdf.js worker) could not load: check the network to the school hub and open it again';

export function warmPdf() {
  ready ??= (() => {
    const src = new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url).href;
    const port = new Worker(src, { type: 'module' });
    // A worker script that cannot load (the LAN to the hub dropped) would leave every
    // document waiting on it for ever: it fails the PDF in words instead, and the next
    // PDF opened starts pdf.js again.
    const failed = new Promise<never>((_, reject) => port.addEventListener('error', () => reject(new Error(WORKER_FAILED)), { once: true }));
    const started = Promise.race([
      // (pdf.js types port as null, but takes a Worker: it is how it is given one.)
      import('pdfjs-dist').then((pdfjs) => ({ pdfjs, worker: new pdfjs.PDFWorker({ port: port as never }), failed })),
      failed,
    ]);
    const again = () => {
      if (ready === started) ready = null;
      port.terminate();
    };
    started.catch(again);
    failed.catch(again);
    return started;
  })();
  return ready;
}

async function loadPdf(url: string, first: 'first' | 'last'): Promise<Doc> {
  const { pdfjs, worker, failed } = await warmPdf();
  // Our own worker: destroying a document leaves it running for the next one.
  const d = (await Promise.race([pdfjs.getDocument({ url, worker, isEvalSupported: false }).promise, failed])) as unknown as Doc;
  void d.getPage(first === 'last' ? d.numPages : 1).catch(() => {}); // parsed while React renders
  return d;
}

/** A PDF page with ink on it; ink is kept per page of this resource. */
export function PdfView({ src, title, inkTarget }: { src: string; title: string; inkTarget: string }) {
  const { t } = useTranslation();
  const ink = useInk();
  const pager = usePager();
  // Stepped back to from a plan's next item: open on the last page, where the teacher left it.
  const fromEnd = useRef(pager?.fromEnd ?? false);
  const [sheet, setSheet] = useState<{ w: number; h: number } | null>(null);
  const [fit, setFit] = useState<'page' | 'width'>('page');
  const [zoom, setZoom] = useState(1);
  // The smallest zoom: at fit width, down to the whole page (its scale over the width's); at fit page, 1.
  const [minZoom, setMinZoom] = useState(1);
  const [preview, setPreview] = useState(1); // CSS scale during a pinch; re-rendered sharp when it ends
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  // Where the fingers (one: a drag, two: a pinch) and the scroll were when the gesture began.
  const gesture = useRef<{ d: number; mx: number; my: number; left: number; top: number } | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [doc, setDoc] = useState<Doc | null>(null);
  const [page, setPage] = useState(1);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    let loaded: Doc | null = null;
    loadPdf(src, fromEnd.current ? 'last' : 'first').then(
      (d) => {
        loaded = d;
        if (!live) return;
        setDoc(d);
        if (fromEnd.current) setPage(d.numPages);
      },
      (e: Error) => live && setError(plainMessage(e)),
    );
    return () => {
      live = false;
      void loaded?.destroy();
    };
  }, [src]);

  useEffect(() => {
    if (!doc || !canvas.current || !box.current) return;
    let cancelled = false;
    void doc.getPage(page).then((p) => {
      if (cancelled || !canvas.current || !box.current) return;
      const base = p.getViewport({ scale: 1 });
      // Fit the page (or its width) to the stage, times the zoom; sharp on 4K boards.
      const pageScale = Math.min(box.current.clientWidth / base.width, box.current.clientHeight / base.height);
      const widthScale = (box.current.clientWidth - 16) / base.width;
      const fitScale = fit === 'width' ? widthScale : pageScale;
      setMinZoom(fit === 'width' ? Math.min(1, pageScale / widthScale) : 1);
      const dpr = window.devicePixelRatio || 1;
      const vp = p.getViewport({ scale: fitScale * zoom * dpr });
      const c = canvas.current;
      c.width = Math.floor(vp.width);
      c.height = Math.floor(vp.height);
      c.style.width = `${Math.floor(vp.width / dpr)}px`;
      c.style.height = `${Math.floor(vp.height / dpr)}px`;
      setSheet({ w: Math.floor(vp.width / dpr), h: Math.floor(vp.height / dpr) });
      void p.render({ canvas: c, canvasContext: c.getContext('2d')!, viewport: vp }).promise.then(() => {
        if (cancelled) return;
        c.dataset.renderedPage = String(page);
        c.dataset.zoom = zoom.toFixed(2);
        setPreview(1);
      });
    });
    return () => {
      cancelled = true;
    };
  }, [doc, page, fit, zoom]);

  // With no pen picked up, one finger (or the mouse) drags the page and two pinch to
  // zoom and pan; with a pen, the ink layer takes the fingers and each one writes.
  const begin = () => {
    const pts = [...pointers.current.values()];
    const [a, b] = pts as [{ x: number; y: number }, { x: number; y: number } | undefined];
    if (!box.current || !a || pts.length > 2) return void (gesture.current = null);
    gesture.current = b
      ? { d: Math.hypot(a.x - b.x, a.y - b.y), mx: (a.x + b.x) / 2, my: (a.y + b.y) / 2, left: box.current.scrollLeft, top: box.current.scrollTop }
      : { d: 0, mx: a.x, my: a.y, left: box.current.scrollLeft, top: box.current.scrollTop };
  };
  const clampZoom = (z: number) => Math.max(minZoom, Math.min(4, z));
  const onPointerDown = (e: React.PointerEvent) => {
    if (ink.settings.mode !== 'off' || (e.pointerType === 'mouse' && e.button !== 0)) return;
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    e.currentTarget.setPointerCapture(e.pointerId);
    begin();
  };
  const onPointerMove = (e: React.PointerEvent) => {
    if (!pointers.current.has(e.pointerId)) return;
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const start = gesture.current;
    if (!start || !box.current) return;
    const [a, b] = [...pointers.current.values()] as [{ x: number; y: number }, { x: number; y: number } | undefined];
    if (b) setPreview(clampZoom(zoom * (Math.hypot(a.x - b.x, a.y - b.y) / start.d)) / zoom);
    box.current.scrollLeft = start.left - ((b ? (a.x + b.x) / 2 : a.x) - start.mx);
    box.current.scrollTop = start.top - ((b ? (a.y + b.y) / 2 : a.y) - start.my);
  };
  const onPointerUp = (e: React.PointerEvent) => {
    if (!pointers.current.delete(e.pointerId)) return;
    if (gesture.current && gesture.current.d > 0 && preview !== 1) {
      const z = clampZoom(zoom * preview);
      // Pinched in to the whole page: that is 整页, not a zoom below fit width.
      if (fit === 'width' && z <= minZoom + 0.001) (setFit('page'), setZoom(1));
      else setZoom(z);
    }
    begin(); // the finger left behind goes on dragging from where it is
  };
  const zoomOut = () => {
    const z = zoom / 1.25;
    if (fit === 'width' && z <= minZoom + 0.001) (setFit('page'), setZoom(1));
    else setZoom(Math.max(fit === 'width' ? minZoom : 1, z));
  };

  // One page forward or back; false at either end. In a plan, the plan asks this
  // first and steps on past the end (plans/pager.ts); alone, the keys come here.
  const pageRef = useRef(page);
  pageRef.current = page;
  useEffect(() => {
    if (!doc) return;
    const turn = (by: 1 | -1) => {
      const to = pageRef.current + by;
      if (to < 1 || to > doc.numPages) return false;
      pageRef.current = to; // two presses before the next render each turn a page
      setPage(to);
      return true;
    };
    if (pager) return pager.register(turn);
    const onKey = (e: KeyboardEvent) => {
      const by = isFormField(e.target) ? 0 : keyStep(e.key);
      if (by !== 0) {
        e.preventDefault();
        turn(by);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [doc, pager]);

  return (
    <div className="player">
      <div
        className={`stage stage--light${zoom !== 1 || fit === 'width' ? ' stage--scroll' : ''}`}
        ref={box}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
        {error ? <p className="notice notice--error">{t('lesson.failed', { message: error })}</p> : !doc && <p className="notice">{t('lesson.pdfLoading')}</p>}
        <div
          className="pdf-sheet"
          style={sheet ? { width: sheet.w, height: sheet.h, transform: preview !== 1 ? `scale(${preview})` : undefined } : undefined}
        >
          <canvas ref={canvas} className="pdf-page" aria-label={title} />
          {doc && sheet && <InkLayer ref={ink.layer} target={inkTarget} page={`p${page}`} settings={ink.settings} contentWidth={1000} />}
        </div>
      </div>
      <div className="player-bar">
        <button type="button" className="bar-button" aria-label={t('lesson.prevPage')} disabled={!doc || page <= 1} onClick={() => setPage((p) => p - 1)}>
          ◀
        </button>
        <span className="player-bar__time">{doc ? t('lesson.page', { page, pages: doc.numPages }) : ''}</span>
        {doc && doc.numPages > 1 && (
          <nav className="page-strip" aria-label={t('lesson.pageStrip')}>
            {Array.from({ length: Math.min(doc.numPages, 30) }, (_, i) => i + 1).map((n) => (
              <button key={n} type="button" className="ink-button" aria-current={n === page} aria-label={t('lesson.goPage', { n })} onClick={() => setPage(n)}>
                {n}
              </button>
            ))}
          </nav>
        )}
        <button type="button" className="bar-button" aria-label={t('lesson.nextPage')} disabled={!doc || page >= doc.numPages} onClick={() => setPage((p) => p + 1)}>
          ▶
        </button>
        <span className="bottom-bar__spacer" />
        <button type="button" className="bar-button" aria-pressed={fit === 'page' && zoom === 1} onClick={() => (setFit('page'), setZoom(1))}>
          {t('lesson.fitPage')}
        </button>
        <button type="button" className="bar-button" aria-pressed={fit === 'width' && zoom === 1} onClick={() => (setFit('width'), setZoom(1))}>
          {t('lesson.fitWidth')}
        </button>
        <button type="button" className="bar-button" aria-label={t('lesson.zoomOut')} disabled={fit === 'page' && zoom <= 1} onClick={zoomOut}>
          －
        </button>
        <button type="button" className="bar-button" aria-label={t('lesson.zoomIn')} disabled={zoom >= 4} onClick={() => setZoom((z) => Math.min(4, z * 1.25))}>
          ＋
        </button>
      </div>
    </div>
  );
}
