// The classroom tools: opened from the bottom bar, each a floating overlay.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Curtain } from './Curtain';
import { Freeze } from './Freeze';
import { Magnifier } from './Magnifier';
import { RandomPicker } from './RandomPicker';
import { Spotlight } from './Spotlight';
import { Timer } from './Timer';

export const TOOLS = ['timer', 'spotlight', 'curtain', 'magnifier', 'random', 'blank', 'freeze'] as const;
export type Tool = (typeof TOOLS)[number];

const LABEL: Record<Tool, string> = {
  timer: 'tools.countdown',
  spotlight: 'tools.spotlight',
  curtain: 'tools.curtain',
  magnifier: 'tools.magnifier',
  random: 'tools.random',
  blank: 'tools.blank',
  freeze: 'tools.freeze',
};

export function ToolsMenu({ onBlank }: { onBlank: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState<Tool[]>([]);
  const close = (tool: Tool) => setActive((a) => a.filter((x) => x !== tool));
  const launch = (tool: Tool) => {
    setOpen(false);
    if (tool === 'blank') return onBlank();
    setActive((a) => (a.includes(tool) ? a : [...a, tool]));
  };
  return (
    <>
      <button type="button" className="bar-button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <span className="bar-button__icon" aria-hidden="true">
          ◎
        </span>
        <span className="bar-button__text">{t('tools.open')}</span>
      </button>
      {open && (
        <div className="tools-sheet" role="menu" aria-label={t('tools.open')}>
          {TOOLS.map((tool) => (
            <button key={tool} type="button" role="menuitem" className="sheet__choice" onClick={() => launch(tool)}>
              {t(LABEL[tool])}
            </button>
          ))}
        </div>
      )}
      {active.includes('curtain') && <Curtain onClose={() => close('curtain')} />}
      {active.includes('spotlight') && <Spotlight onClose={() => close('spotlight')} />}
      {active.includes('freeze') && <Freeze onClose={() => close('freeze')} />}
      {active.includes('magnifier') && <Magnifier onClose={() => close('magnifier')} />}
      {active.includes('timer') && <Timer onClose={() => close('timer')} />}
      {active.includes('random') && <RandomPicker onClose={() => close('random')} />}
    </>
  );
}
