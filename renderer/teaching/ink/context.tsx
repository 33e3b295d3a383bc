// The teacher's current pen, shared by the toolbar and whichever surface is shown,
// and every page's undo history for as long as the teaching UI is open.
import { createContext, useContext, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { InkLayerHandle } from './InkLayer';
import { InkHistories } from './model';
import type { InkSettings } from './surface';

/** Tells the toolbar that what the shown surface can undo or redo may have changed. */
export class InkSignal {
  private readonly listeners = new Set<() => void>();
  readonly subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  };
  readonly bump = () => {
    for (const fn of this.listeners) fn();
  };
}

interface InkContextValue {
  settings: InkSettings;
  setSettings(s: InkSettings): void;
  /** The surface on screen now (undo/redo/clear act on it). */
  layer: RefObject<InkLayerHandle | null>;
  histories: InkHistories;
  changed: InkSignal;
}

const Ctx = createContext<InkContextValue | null>(null);

export function InkProvider({ children }: { children: ReactNode }) {
  const [settings, setSettings] = useState<InkSettings>({ mode: 'off', color: '#e53935', width: 6 });
  const layer = useRef<InkLayerHandle | null>(null);
  const [histories] = useState(() => new InkHistories());
  const [changed] = useState(() => new InkSignal());
  const value = useMemo(() => ({ settings, setSettings, layer, histories, changed }), [settings, histories, changed]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useInk(): InkContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useInk outside InkProvider');
  return v;
}

/** For a surface that may stand outside the provider: its history then lasts as long as it does. */
export function useInkOptional(): InkContextValue | null {
  return useContext(Ctx);
}
