// Drag a floating tool with a finger or a pen (pointer capture, no hover).
import { useCallback, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';

export function useDrag(initial: { x: number; y: number }) {
  const [pos, setPos] = useState(initial);
  const start = useRef<{ id: number; dx: number; dy: number } | null>(null);
  const onPointerDown = useCallback(
    (e: ReactPointerEvent<HTMLElement>) => {
      if ((e.target as HTMLElement).closest('button')) return;
      e.currentTarget.setPointerCapture(e.pointerId);
      start.current = { id: e.pointerId, dx: e.clientX - pos.x, dy: e.clientY - pos.y };
    },
    [pos],
  );
  const onPointerMove = useCallback((e: ReactPointerEvent<HTMLElement>) => {
    const s = start.current;
    if (!s || s.id !== e.pointerId) return;
    setPos({ x: Math.max(0, Math.min(window.innerWidth - 40, e.clientX - s.dx)), y: Math.max(0, Math.min(window.innerHeight - 40, e.clientY - s.dy)) });
  }, []);
  const onPointerUp = useCallback(() => {
    start.current = null;
  }, []);
  return { pos, setPos, handlers: { onPointerDown, onPointerMove, onPointerUp, onPointerCancel: onPointerUp } };
}
