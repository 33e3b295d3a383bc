// The board's control strip: along the bottom edge, reachable from either side
// (the teacher flips it to the side they stand on), large touch targets.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function BottomBar({ side, children }: { side: 'left' | 'right'; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <nav className={`bottom-bar bottom-bar--${side}`} aria-label={t('nav.toolbar')}>
      {children}
    </nav>
  );
}

export function BarButton(props: { label: string; icon: string; onClick: () => void; pressed?: boolean; wide?: boolean }) {
  return (
    <button
      type="button"
      className={`bar-button${props.wide ? ' bar-button--wide' : ''}`}
      aria-label={props.label}
      aria-pressed={props.pressed}
      onClick={props.onClick}
    >
      <span className="bar-button__icon" aria-hidden="true">
        {props.icon}
      </span>
      <span className="bar-button__text">{props.label}</span>
    </button>
  );
}
