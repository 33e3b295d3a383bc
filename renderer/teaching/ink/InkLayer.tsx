// A React wrapper for the ink surface: put it over a video, a PDF page, an image
// or a board page; it fills its positioned parent.
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { useInkOptional } from './context';
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
  canUndo(): boolean;
  canRedo(): boolean;
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
  const ink = useInkOptional();
  const histories = ink?.histories;
  // The toolbar greys 撤销/重做 by what this surface can do: tell it whenever that may change.
  const signal = useRef(ink?.changed);
  signal.current = ink?.changed;
  const tell = () => signal.current?.bump();

  useEffect(() => {
    const s = new InkSurface(host.current!, base.current!, live.current!, store, {
      contentWidth,
      histories,
      onChange: (m) => {
        changed.current?.(m);
        tell();
      },
      onError: (m) => console.warn('ink:', m),
    });
    surface.current = s;
    return () => {
      s.destroy();
      tell();
    };
  }, [store, contentWidth, histories]);

  useEffect(() => {
    const opened = surface.current?.open(target, page);
    tell();
    void opened?.then(() => {
      if (surface.current) changed.current?.(surface.current.model);
      tell();
    });
  }, [target, page, store, contentWidth, histories]);

  useEffect(() => surface.current?.setSettings(settings), [settings, store, contentWidth]);

  useImperativeHandle(ref, () => ({
    undo: () => surface.current?.undo(),
    redo: () => surface.current?.redo(),
    clear: () => surface.current?.clear(),
    canUndo: () => surface.current?.model.canUndo ?? false,
    canRedo: () => surface.current?.model.canRedo ?? false,
  }));

  return (
    <div className="ink-layer" ref={host}>
      <canvas ref={base} className="ink-layer__canvas" aria-hidden="true" />
      <canvas ref={live} className="ink-layer__canvas ink-layer__live" data-stroke-count="0" aria-label={t('ink.surface')} />
    </div>
  );
});
