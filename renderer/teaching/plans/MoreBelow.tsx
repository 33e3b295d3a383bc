// A scrolling list that says when more of it is hidden below: on a board a list
// cut at a row's edge looks finished, and the teacher would not think to scroll.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function MoreBelow({ children }: { children: (ref: (el: HTMLElement | null) => void) => ReactNode }) {
  const { t } = useTranslation();
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [more, setMore] = useState(false);
  const frame = useRef(0);

  useEffect(() => {
    if (!el) return;
    const check = () => {
      cancelAnimationFrame(frame.current);
      frame.current = requestAnimationFrame(() => setMore(el.scrollHeight - el.scrollTop - el.clientHeight > 2));
    };
    check();
    el.addEventListener('scroll', check, { passive: true });
    // Rows added or removed, or the window resized.
    const resized = new ResizeObserver(check);
    resized.observe(el);
    const changed = new MutationObserver(check);
    changed.observe(el, { childList: true, subtree: true });
    return () => {
      cancelAnimationFrame(frame.current);
      el.removeEventListener('scroll', check);
      resized.disconnect();
      changed.disconnect();
    };
  }, [el]);

  return (
    <div className="plan__scroll">
      {children(setEl)}
      {more && (
        <div className="plan__more" aria-hidden="true">
          {t('plans.moreBelow')}
        </div>
      )}
    </div>
  );
}
