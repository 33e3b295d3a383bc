// A React wrapper for the ink surface: put it over a video, a PDF page, an image
// or a board page; it fills its positioned parent.
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { splitChange, type InkModel } from './model';
import { InkSurface, type InkSettings, type InkStore } from './surface';

/** Ink saved through the contract: each change the teacher sees in one annotations:batch. */
export const apiInkStore: InkStore = {
  list: async (target, page) => (await call(api()['annotations:list']({ target, page }))).strokes,
  save: async (target, page, change) => {
    for (const part of splitChange(change)) {
      await call(api()['annotations:batch']({ target, page, add: part.added, remove: part.removed }));
    }
  },
};

export interface InkLayerHandle {
  undo(): void;
  redo(): void;
  clear(): void;
}

export const InkLayer = forwardRef<
  InkLayerHandle,
  {
    target: string;
    page: string;
    settings: InkSettings;
    contentWidth?: number;
    store?: InkStore;
    onChange?: (model: InkModel) => void;
  }
>(function InkLayer({ target, page, settings, contentWidth = 1920, store = apiInkStore, onChange }, ref) {
  const { t } = useTranslation();
  const host = useRef<HTMLDivElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const live = useRef<HTMLCanvasElement>(null);
  const surface = useRef<InkSurface | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const s = new InkSurface(host.current!, base.current!, live.current!, store, {
      contentWidth,
      onChange: (m) => changed.current?.(m),
      onError: (m) => console.warn('ink:', m),
    });
    surface.current = s;
    return () => s.destroy();
  }, [store, contentWidth]);

  useEffect(() => {
    void surface.current?.open(target, page).then(() => surface.current && changed.current?.(surface.current.model));
  }, [target, page, store, contentWidth]);

  useEffect(() => surface.current?.setSettings(settings), [settings, store, contentWidth]);

  useImperativeHandle(ref, () => ({
    undo: () => surface.current?.undo(),
    redo: () => surface.current?.redo(),
    clear: () => surface.current?.clear(),
  }));

  return (
    <div className="ink-layer" ref={host}>
      <canvas ref={base} className="ink-layer__canvas" aria-hidden="true" />
      <canvas ref={live} className="ink-layer__canvas ink-layer__live" data-stroke-count="0" aria-label={t('ink.surface')} />
    </div>
  );
});
