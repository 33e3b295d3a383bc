// The teacher's current pen, shared by the toolbar and whichever surface is shown.
import { createContext, useContext, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { InkLayerHandle } from './InkLayer';
import type { InkSettings } from './surface';

interface InkContextValue {
  settings: InkSettings;
  setSettings(s: InkSettings): void;
  /** The surface on screen now (undo/redo/clear act on it). */
  layer: RefObject<InkLayerHandle | null>;
}

const Ctx = createContext<InkContextValue | null>(null);

export function InkProvider({ children }: { children: ReactNode }) {
  const [settings, setSettings] = useState<InkSettings>({ mode: 'off', color: '#e53935', width: 6 });
  const layer = useRef<InkLayerHandle | null>(null);
  const value = useMemo(() => ({ settings, setSettings, layer }), [settings]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useInk(): InkContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useInk outside InkProvider');
  return v;
}
