// The classroom tools: opened from the bottom bar, each a floating overlay.
import { useState, type CSSProperties, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useBackStep } from '../../back';
import { useRoute } from '../../route';
import { Curtain } from './Curtain';
import { Freeze } from './Freeze';
import { Magnifier } from './Magnifier';
import { RandomPicker } from './RandomPicker';
import { Spotlight } from './Spotlight';
import { Timer } from './Timer';
import { placeOf, STAYS } from './place';

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

/** Full-screen covers; the panels and the lens float above them (a countdown stays readable on the curtain, the lens works over it). */
const COVERS: ReadonlySet<Tool> = new Set<Tool>(['curtain', 'spotlight', 'freeze']);

/** An open tool is one step back: 返回 or Esc closes the last opened before leaving the page. */
function Opened({ onClose, children }: { onClose: () => void; children: ReactNode }) {
  useBackStep(true, onClose);
  return children;
}

export function ToolsMenu({ onBlank }: { onBlank: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState<Tool[]>([]);
  // Front to back is kept apart from `active` (opening order, for Esc): reordering the
  // elements themselves would move a panel in the DOM under the finger dragging it.
  const [stack, setStack] = useState<Tool[]>([]);
  const raise = (tool: Tool) => setStack((s) => (s.at(-1) === tool ? s : [...s.filter((x) => x !== tool), tool]));
  const close = (tool: Tool) => setActive((a) => a.filter((x) => x !== tool));
  useBackStep(open, () => setOpen(false));
  // A curtain, spotlight, lens or frozen picture belongs to what it was opened over:
  // leaving for another place closes it (set during render, so it never shows over the
  // new page). The timer and the random picker go along (place.ts says why).
  const place = placeOf(useRoute());
  const [openedAt, setOpenedAt] = useState(place);
  if (openedAt !== place) {
    setOpenedAt(place);
    setOpen(false);
    if (active.some((tool) => !STAYS.has(tool))) setActive(active.filter((tool) => STAYS.has(tool)));
  }
  const launch = (tool: Tool) => {
    setOpen(false);
    if (tool === 'blank') return onBlank();
    setActive((a) => (a.includes(tool) ? a : [...a, tool]));
    raise(tool);
  };
  const z = (tool: Tool) => (COVERS.has(tool) ? 50 : 60) + Math.max(0, stack.indexOf(tool));
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
      {active.map((tool) => (
        <Opened key={tool} onClose={() => close(tool)}>
          {/* display: contents; the tool's own rule reads --tool-z. A touch on it brings it to the front. */}
          <div className="tool-layer" style={{ '--tool-z': z(tool) } as CSSProperties} onPointerDownCapture={() => raise(tool)}>
            {tool === 'curtain' && <Curtain onClose={() => close('curtain')} />}
            {tool === 'spotlight' && <Spotlight onClose={() => close('spotlight')} />}
            {tool === 'freeze' && <Freeze onClose={() => close('freeze')} />}
            {tool === 'magnifier' && <Magnifier onClose={() => close('magnifier')} />}
            {tool === 'timer' && <Timer onClose={() => close('timer')} />}
            {tool === 'random' && <RandomPicker onClose={() => close('random')} />}
          </div>
        </Opened>
      ))}
    </>
  );
}
