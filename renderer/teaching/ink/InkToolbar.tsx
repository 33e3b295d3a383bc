// Pen controls on the bottom bar: large, labelled in the UI language, no hover.
import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { useInk } from './context';
import type { InkMode } from './surface';

export const INK_COLORS = ['#e53935', '#1e88e5', '#fdd835', '#43a047', '#ffffff', '#212121'] as const;
const WIDTHS = [3, 6, 12] as const;

export function InkToolbar() {
  const { t } = useTranslation();
  const { settings, setSettings, layer, changed } = useInk();
  // Greyed when the page on screen has nothing to undo (or redo), so a tap that does nothing says why.
  const can = useSyncExternalStore(changed.subscribe, () => (layer.current?.canUndo() ? 1 : 0) | (layer.current?.canRedo() ? 2 : 0));
  // A tap on the tool already on keeps it on: teachers tap 笔 again to make sure, and a silent
  // toggle-off left them writing nothing. 浏览 ('off': the finger works the video or PDF) is its own button.
  const tool = (m: InkMode, label: string, glyph: string) => (
    <button
      key={m}
      type="button"
      className="ink-button ink-button--mode"
      aria-label={label}
      aria-pressed={settings.mode === m}
      onClick={() => settings.mode !== m && setSettings({ ...settings, mode: m })}
    >
      <span aria-hidden="true">{glyph}</span>
    </button>
  );
  return (
    <div className="ink-toolbar" role="toolbar" aria-label={t('ink.toolbar')}>
      {tool('off', t('ink.browse'), t('ink.browseShort'))}
      {tool('pen', t('ink.pen'), t('ink.penShort'))}
      {tool('highlighter', t('ink.highlighter'), t('ink.highlighterShort'))}
      {tool('eraser', t('ink.eraser'), t('ink.eraserShort'))}
      {tool('area-eraser', t('ink.areaEraser'), t('ink.areaEraserShort'))}
      {INK_COLORS.map((c) => (
        <button
          key={c}
          type="button"
          className="ink-swatch"
          style={{ background: c }}
          aria-label={t(`ink.colors.${c}`)}
          aria-pressed={settings.color === c}
          onClick={() => setSettings({ ...settings, color: c, mode: settings.mode === 'off' || settings.mode.includes('eraser') ? 'pen' : settings.mode })}
        />
      ))}
      {WIDTHS.map((w, i) => (
        <button
          key={w}
          type="button"
          className="ink-button"
          aria-label={t(`ink.widths.${i}`)}
          aria-pressed={settings.width === w}
          onClick={() => setSettings({ ...settings, width: w })}
        >
          <span className="ink-dot" style={{ width: `${0.4 + i * 0.35}rem`, height: `${0.4 + i * 0.35}rem` }} aria-hidden="true" />
        </button>
      ))}
      <button type="button" className="ink-button" aria-label={t('ink.undo')} disabled={(can & 1) === 0} onClick={() => layer.current?.undo()}>
        {t('ink.undoShort')}
      </button>
      <button type="button" className="ink-button" aria-label={t('ink.redo')} disabled={(can & 2) === 0} onClick={() => layer.current?.redo()}>
        {t('ink.redoShort')}
      </button>
      <button type="button" className="ink-button" aria-label={t('ink.clear')} onClick={() => layer.current?.clear()}>
        {t('ink.clearShort')}
      </button>
    </div>
  );
}
