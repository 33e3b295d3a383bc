// The board's control strip: along the bottom edge, reachable from either side
// (the teacher flips it to the side they stand on), large touch targets.
import { useLayoutEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * When the buttons do not fit (English labels, the pens on a lesson page), the bar
 * first packs them closer (data-fit="tight"), then drops the glyphs ⌂ ← ◎ ⇄ beside
 * their words ("words"), and only then shows the glyphs without the words ("icons",
 * the words stay their names), rather than running into its margin or off the screen. Set on the element directly: a synchronous measure, no flicker.
 */
function useFit(bar: React.RefObject<HTMLElement | null>) {
  useLayoutEffect(() => {
    const el = bar.current!;
    // Measured from the buttons, not scrollWidth: flipped (row-reverse) they overflow to the left, which scrollWidth misses.
    const overflows = () => {
      const box = el.getBoundingClientRect();
      const pad = getComputedStyle(el);
      const inFlow = [...el.children].filter((c) => {
        const s = getComputedStyle(c);
        return s.display !== 'contents' && s.display !== 'none' && s.position !== 'fixed' && s.position !== 'absolute';
      });
      const rects = inFlow.map((c) => c.getBoundingClientRect());
      return (
        rects.some((r) => r.left < box.left + parseFloat(pad.paddingLeft) - 0.5) || rects.some((r) => r.right > box.right - parseFloat(pad.paddingRight) + 0.5)
      );
    };
    const fit = () => {
      for (const level of ['', 'tight', 'words', 'icons']) {
        el.dataset.fit = level;
        if (!overflows()) return;
      }
    };
    fit();
    const resized = new ResizeObserver(fit);
    resized.observe(el);
    // Buttons come and go with the page (the pens), and their words with the language;
    // a running countdown's digits (the tools live in the bar too) change nothing here.
    const outside = (n: Node) => !(n instanceof Element ? n : n.parentElement)?.closest('.tool-layer, .tools-sheet');
    const changed = new MutationObserver((records) => records.some((r) => outside(r.target)) && fit());
    changed.observe(el, { childList: true, subtree: true, characterData: true });
    return () => (resized.disconnect(), changed.disconnect());
  }, [bar]);
}

export function BottomBar({ side, children }: { side: 'left' | 'right'; children: ReactNode }) {
  const { t } = useTranslation();
  const bar = useRef<HTMLElement>(null);
  useFit(bar);
  return (
    <nav ref={bar} className={`bottom-bar bottom-bar--${side}`} aria-label={t('nav.toolbar')}>
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
